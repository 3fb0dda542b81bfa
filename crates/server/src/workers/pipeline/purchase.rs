//! The purchase's one HCSS call. Sent once: after a timeout, a dropped connection or a 5xx
//! the order may exist, so the action ends `unknown` and the syncs reconcile it by its tag
//! (`workers::purchases`); it is never sent again by the panel on its own.

use lightdeck_domain::actions::{self, Action, CloudReply, RECONCILE_FOR};
use lightdeck_domain::purchase::Purchase;
use lightdeck_huaweicloud::{Account, InstanceId, OrderId};

use super::super::Ctx;
use super::super::cloud::{self, WorkerError};
use super::operation;

pub(super) async fn purchase_one(
    ctx: &Ctx,
    handle: &Account,
    action: &Action,
    purchase: &Purchase,
) -> Result<Option<Action>, WorkerError> {
    let pool = &ctx.db;
    let result = handle.purchase(&purchase.request(), &purchase.client_request_id).await;
    cloud::count(operation(&action.params), &result);
    match result {
        Ok(reply) => {
            let answer = CloudReply {
                request_id: reply.request_id.clone(),
                http_status: Some(reply.status),
            };
            let Ok(order) = reply.body.order_id.parse::<OrderId>() else {
                // Something was accepted, but there is nothing to follow: look for it by tag.
                let until = ctx.now() + RECONCILE_FOR;
                let reason =
                    "Huawei Cloud accepted the purchase but answered without a usable order id";
                actions::mark_lost(pool, action.id, reason, until).await?;
                return Ok(None);
            };
            let ids: Vec<InstanceId> =
                reply.body.instance_ids.iter().filter_map(|i| i.parse().ok()).collect();
            let accepted = actions::mark_ordered(pool, action.id, &answer, &order, &ids).await?;
            Ok(Some(accepted))
        }
        Err(e) if e.may_have_taken_effect() => {
            tracing::warn!(action = %action.id, error = %e, "a purchase's answer was lost; reconciling by its tag");
            let until = ctx.now() + RECONCILE_FOR;
            actions::mark_lost(pool, action.id, &e.to_string(), until).await?;
            Ok(None)
        }
        Err(e) => {
            actions::mark_failed(pool, action.id, &cloud::cloud_error(&e)).await?;
            Ok(None)
        }
    }
}
