//! Renew and unsubscribe: BSS calls that answer with an order, which the poller follows
//! (DESIGN.md: "Orders … are followed through BSS order status").

use lightdeck_domain::actions::{
    self, Action, CloudError, CloudReply, RenewTerm, TermUnit, Tracking, UnsubscribeScope,
};
use lightdeck_huaweicloud::client::{RenewOptions, UnsubscribeOptions};
use lightdeck_huaweicloud::model::bss::{PeriodType, ResourceOrdersResponse, UnsubscribeType};
use lightdeck_huaweicloud::{Account, Error as CloudErr, OrderId, Reply};

use super::super::Ctx;
use super::super::cloud::{self, WorkerError};
use super::{first_chunk, operation};

pub(super) async fn renew_one(
    ctx: &Ctx,
    handle: &Account,
    action: &Action,
    term: RenewTerm,
    auto_pay: bool,
) -> Result<Option<Action>, WorkerError> {
    let options = RenewOptions {
        period: match term.unit() {
            TermUnit::Month => PeriodType::Month,
            TermUnit::Year => PeriodType::Year,
        },
        count: i64::from(term.count()),
        auto_pay,
    };
    let result = match handle.renew(&action.instance_ids, &options).await {
        Ok(chunks) => first_chunk(chunks),
        Err(e) => Err(e),
    };
    cloud::count(operation(&action.params), &result);
    settle(ctx, action, result).await
}

pub(super) async fn unsubscribe_one(
    ctx: &Ctx,
    handle: &Account,
    action: &Action,
    scope: UnsubscribeScope,
) -> Result<Option<Action>, WorkerError> {
    let options = UnsubscribeOptions {
        kind: match scope {
            UnsubscribeScope::Whole => UnsubscribeType::ResourceAndRenewals,
            UnsubscribeScope::Renewals => UnsubscribeType::RenewalsOnly,
        },
        // "5 other": the panel asks no reason; Huawei's field is optional.
        reason_type: None,
        reason: None,
    };
    let result = match handle.unsubscribe(&action.instance_ids, &options).await {
        Ok(chunks) => first_chunk(chunks),
        Err(e) => Err(e),
    };
    cloud::count(operation(&action.params), &result);
    settle(ctx, action, result).await
}

/// The order to follow, or why there is none. BSS answers 200 with per-resource failures
/// (`fail_resource_infos`) and an order only for the resources that passed.
async fn settle(
    ctx: &Ctx,
    action: &Action,
    result: Result<Reply<ResourceOrdersResponse>, CloudErr>,
) -> Result<Option<Action>, WorkerError> {
    let pool = &ctx.db;
    let reply = match result {
        Ok(reply) => reply,
        // A payment may have gone through: never repeated, and the sync shows the expiry.
        Err(e) if e.may_have_taken_effect() => {
            actions::mark_unknown(pool, action.id, &e.to_string()).await?;
            return Ok(None);
        }
        Err(e) => {
            actions::mark_failed(pool, action.id, &cloud::cloud_error(&e)).await?;
            return Ok(None);
        }
    };
    let answer =
        CloudReply { request_id: reply.request_id.clone(), http_status: Some(reply.status) };
    let failures = &reply.body.fail_resource_infos;
    let order = reply.body.order_ids.first().and_then(|o| o.parse::<OrderId>().ok());
    match order {
        Some(order) if failures.is_empty() => {
            let tracking = Tracking::Order(order);
            let accepted =
                actions::mark_accepted(pool, action.id, &answer, &tracking, Default::default())
                    .await?;
            Ok(Some(accepted))
        }
        _ => {
            // A partial answer (an order for some, failures for others) cannot be one
            // action's outcome; so that nobody believes an instance renewed when it was
            // not, the row ends failed naming the refusals, and the order that was made
            // is named for the person to check.
            let first = failures.first();
            let mut message = match first {
                Some(f) => format!(
                    "Huawei Cloud refused {} of {} instances: {} ({})",
                    failures.len(),
                    action.instance_ids.len(),
                    f.error_msg,
                    f.resource_id
                ),
                None => "Huawei Cloud answered without an order to follow".to_owned(),
            };
            if let Some(o) = reply.body.order_ids.first() {
                message.push_str(&format!("; order {o} was created for the others"));
            }
            let error = CloudError {
                http_status: Some(reply.status),
                code: first.map(|f| f.error_code.clone()).filter(|c| !c.is_empty()),
                message,
                request_id: reply.request_id,
            };
            actions::mark_failed(pool, action.id, &error).await?;
            Ok(None)
        }
    }
}
