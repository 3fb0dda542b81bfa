//! Action batches for the audit and progress tests, recorded through the domain as the
//! action form records them (no cloud call: these pages only read what is stored).

use lightdeck_domain::actions::{self, Batch, NewBatch, Params, RequestContext};
use lightdeck_domain::inventory;
use lightdeck_domain::users::User;
use lightdeck_huaweicloud::InstanceId;
use uuid::Uuid;

use super::Fixture;

/// `actor`'s batch of `params` over `ids`, with its `requested` audit events.
pub async fn record(
    f: &Fixture,
    actor: &User,
    ids: &[InstanceId],
    params: Params,
    panel_request: &str,
) -> Batch {
    let pool = f.app.db.pool();
    let targets = inventory::resolve(pool, f.team, ids).await.unwrap();
    let context = RequestContext {
        actor_user_id: actor.id,
        actor_name: actor.display_name.clone(),
        source_ip: None,
        user_agent: None,
        session_hash: None,
        panel_request_id: Some(panel_request.into()),
    };
    let new = NewBatch { team_id: f.team, params, targets, context, idempotency_key: None };
    actions::record_intent(pool, &new).await.unwrap()
}

/// Leaves the action where the poller leaves one whose BSS order waits for payment
/// (status 6), whatever its kind: only the fields say so.
pub async fn await_payment(f: &Fixture, action: Uuid, order_id: &str) {
    sqlx::query(
        "UPDATE actions SET state = 'accepted', order_id = $2, job_status = '6', \
         next_poll_at = now() + interval '1 hour' WHERE id = $1",
    )
    .bind(action)
    .bind(order_id)
    .execute(f.app.db.pool())
    .await
    .unwrap();
}
