//! Purchases in the pipeline: the intent (one action row, no instance yet), what the HCSS
//! answer adds (the order and the instance ids it handed out), and reconciliation of a
//! purchase whose answer was lost (DESIGN.md: "never sent again blindly").
//!
//! A purchase that may have reached the cloud ends `unknown` with a reconciliation
//! deadline. Until then the sync of its account looks for instances carrying its tag
//! ([`tagged_instances`]); when it finds them the action moves on from `unknown` (the only
//! transition out of a terminal state, and only for purchases): to `succeeded` naming them,
//! or to `accepted` with the order when the order is still running. After the deadline it
//! stays `unknown` and the page tells the owner to check the Huawei console before buying
//! again.

use std::time::Duration;

use lightdeck_huaweicloud::{InstanceId, OrderId};
use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::intent::{Row, check_key, insert_action, open_batch, replay};
use super::{
    Action, ActionState, Batch, COLUMNS, CloudReply, Params, RequestContext, into_actions,
};
use crate::audit::{self, Outcome};
use crate::purchase::{Purchase, field};
use crate::rows::Checked;
use crate::{Error, Result};

/// How long the syncs look for what a purchase with a lost answer created.
pub const RECONCILE_FOR: Duration = Duration::from_secs(30 * 60);

/// One owner's purchase, as submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPurchase {
    pub team_id: Uuid,
    pub purchase: Purchase,
    pub context: RequestContext,
    /// The form's idempotency key: a second submit replays the first batch.
    pub idempotency_key: Option<String>,
}

/// Why an account cannot buy in a region, for the purchase form's `account` field; `None`
/// when it can.
pub async fn account_problem(
    db: impl PgExecutor<'_>,
    team: Uuid,
    account: Uuid,
    region: lightdeck_huaweicloud::Region,
) -> Result<Option<&'static str>> {
    let row: Option<(Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT a.iam_user_name, a.sync_paused, EXISTS (SELECT 1 FROM cloud_account_regions r \
                 WHERE r.account_id = a.id AND r.region = $3) \
         FROM cloud_accounts a WHERE a.team_id = $1 AND a.id = $2 AND a.removed_at IS NULL",
    )
    .bind(team)
    .bind(account)
    .bind(region.id())
    .fetch_optional(db)
    .await?;
    Ok(match row {
        None => Some("choose one of this team's cloud accounts"),
        Some((None, _, _)) => Some(
            "this account has no IAM user: Huawei sells instances only to a password-based \
             token, so add the IAM user and password to the account first",
        ),
        // A lost answer is found, and the bought instances kept fresh, by the syncs.
        Some((Some(_), true, _)) => {
            Some("syncing of this account is paused; resume it before buying with it")
        }
        Some((Some(_), false, false)) => Some("this account is not connected in that region"),
        Some((Some(_), false, true)) => None,
    })
}

/// Records the purchase's intent: one `requested` action for its account and region, with
/// no instance yet, and its `instance.purchase.requested` audit event (everything chosen,
/// the purchase id and request id; no secret exists in a purchase). Send only after this
/// returns with `replayed: false`.
pub async fn record_purchase(pool: &PgPool, new: &NewPurchase) -> Result<Batch> {
    check_key(new.idempotency_key.as_deref())?;
    let plan = &new.purchase.plan;
    let params = Params::Purchase(Box::new(new.purchase.clone()));
    let mut tx = pool.begin().await?;
    let Some(batch_id) = open_batch(&mut tx, new.team_id, new.idempotency_key.as_deref()).await?
    else {
        // A second submit answers with the first, whatever changed on the account since.
        tx.rollback().await?;
        return replay(pool, new.team_id, new.idempotency_key.as_deref()).await;
    };
    // On the transaction's own connection: a burst of purchases must not wait for a
    // second connection each while holding one (the pool would run dry).
    let problem = account_problem(&mut *tx, new.team_id, plan.account_id(), plan.region()).await?;
    if let Some(problem) = problem {
        tx.rollback().await?;
        return Err(Error::field(field::ACCOUNT, problem));
    }
    let row = Row {
        batch_id,
        team_id: new.team_id,
        params: &params,
        account_id: plan.account_id(),
        region: plan.region(),
        instance_ids: &[],
        server_ids: &[],
    };
    let action = insert_action(&mut tx, &row, &new.context).await?;
    tx.commit().await?;
    Ok(Batch { id: batch_id, replayed: false, actions: vec![action] })
}

/// HCSS accepted the purchase: the order to follow and the instance ids it handed out.
pub async fn mark_ordered(
    pool: &PgPool,
    action_id: Uuid,
    reply: &CloudReply,
    order: &OrderId,
    instance_ids: &[InstanceId],
) -> Result<Action> {
    let ids: Vec<&str> = instance_ids.iter().map(InstanceId::as_str).collect();
    let mut tx = pool.begin().await?;
    let record: Option<Checked<Action>> = sqlx::query_as(&format!(
        "UPDATE actions SET state = 'accepted', request_id = $2, http_status = $3, order_id = $4, \
             instance_ids = $5, next_poll_at = now(), updated_at = now() \
         WHERE id = $1 AND state = 'requested' AND kind = 'purchase' RETURNING {COLUMNS}"
    ))
    .bind(action_id)
    .bind(&reply.request_id)
    .bind(reply.http_status.map(i32::from))
    .bind(order.as_str())
    .bind(&ids)
    .fetch_optional(&mut *tx)
    .await?;
    let Checked(action) =
        record.ok_or_else(|| Error::Rule("this purchase was already answered".into()))?;
    audit::append_in(&mut tx, action.audit_draft(Outcome::Accepted)).await?;
    tx.commit().await?;
    Ok(action)
}

/// The answer was lost after the purchase may have reached the cloud: `unknown`, and the
/// syncs look for it by its tag until `reconcile_until`.
pub async fn mark_lost(
    pool: &PgPool,
    action_id: Uuid,
    reason: &str,
    reconcile_until: OffsetDateTime,
) -> Result<Action> {
    let mut tx = pool.begin().await?;
    let record: Option<Checked<Action>> = sqlx::query_as(&format!(
        "UPDATE actions SET state = 'unknown', error_message = $2, reconcile_until = $3, \
             finished_at = now(), updated_at = now() \
         WHERE id = $1 AND state = 'requested' AND kind = 'purchase' RETURNING {COLUMNS}"
    ))
    .bind(action_id)
    .bind(reason)
    .bind(reconcile_until)
    .fetch_optional(&mut *tx)
    .await?;
    let Checked(action) =
        record.ok_or_else(|| Error::Rule("this purchase was already answered".into()))?;
    audit::append_in(&mut tx, action.audit_draft(Outcome::Unknown)).await?;
    tx.commit().await?;
    Ok(action)
}

/// Purchases of `account` whose answer was lost and whose reconciliation is still open at
/// `now` (the syncs hurry and the account's orders are searched), oldest first.
pub async fn reconciling(pool: &PgPool, account: Uuid, now: OffsetDateTime) -> Result<Vec<Action>> {
    let records: Vec<Checked<Action>> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actions \
         WHERE account_id = $1 AND kind = 'purchase' AND state = 'unknown' AND reconcile_until > $2 \
         ORDER BY created_at"
    ))
    .bind(account)
    .bind(now)
    .fetch_all(pool)
    .await?;
    Ok(into_actions(records))
}

/// How long a lost purchase's tag is still looked for in the synced inventory after its
/// reconciliation window closed: an order waiting for payment can be paid days later (BSS
/// keeps unpaid orders for days), and looking costs no cloud call.
pub const TAG_SEARCH_FOR: time::Duration = time::Duration::days(16);

/// Every lost purchase of `account` recorded after `since`, open window or not: the
/// instances its tag names are looked for at each sync ([`TAG_SEARCH_FOR`]).
pub async fn lost_purchases(
    pool: &PgPool,
    account: Uuid,
    since: OffsetDateTime,
) -> Result<Vec<Action>> {
    let records: Vec<Checked<Action>> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM actions \
         WHERE account_id = $1 AND kind = 'purchase' AND state = 'unknown' \
           AND reconcile_until IS NOT NULL AND created_at > $2 \
         ORDER BY created_at"
    ))
    .bind(account)
    .bind(since)
    .fetch_all(pool)
    .await?;
    Ok(into_actions(records))
}

/// Purchases of `account` recorded but not yet answered (in this process or another): an
/// order of theirs may exist without the panel knowing its id yet.
pub async fn purchases_in_flight(pool: &PgPool, account: Uuid) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM actions WHERE account_id = $1 AND kind = 'purchase' \
         AND state = 'requested'",
    )
    .bind(account)
    .fetch_one(pool)
    .await?)
}

/// The accounts with a purchase being reconciled at `now` (their syncs run sooner).
pub async fn accounts_reconciling(pool: &PgPool, now: OffsetDateTime) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT account_id FROM actions \
         WHERE kind = 'purchase' AND state = 'unknown' AND reconcile_until > $1",
    )
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// One instance the inventory holds with a purchase's tag.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Tagged {
    pub instance_id: InstanceId,
    pub name: String,
    pub order_id: Option<OrderId>,
}

/// The live instances of `account` in the inventory carrying `lightdeck-purchase=<id>`
/// (the key is [`lightdeck_huaweicloud::model::hcss::PURCHASE_TAG_KEY`]; the sync keeps
/// each instance's RMS tags), by name.
pub async fn tagged_instances(
    pool: &PgPool,
    account: Uuid,
    purchase_id: Uuid,
) -> Result<Vec<Tagged>> {
    Ok(sqlx::query_as(
        // The key is written out so that `instances_purchase_tag` serves the query.
        "SELECT instance_id, name, order_id FROM instances \
         WHERE account_id = $1 AND gone_at IS NULL AND tags ? 'lightdeck-purchase' \
           AND tags ->> 'lightdeck-purchase' = $2 \
         ORDER BY lower(name), instance_id",
    )
    .bind(account)
    .bind(purchase_id.to_string())
    .fetch_all(pool)
    .await?)
}

/// What reconciliation found for a purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The instances exist: the purchase succeeded.
    Instances { ids: Vec<InstanceId>, order: Option<OrderId> },
    /// Its order exists but has not created them (all) yet: follow it like any order.
    /// `guessed`: picked from the account's orders rather than read off a tagged instance.
    Order { order: OrderId, guessed: bool },
}

/// Moves a purchase on from `unknown` once reconciliation found what it did, with its
/// audit event (`instance.purchase.succeeded` naming the instances, or
/// `instance.purchase.accepted` with the order). Refused (changing nothing) if it is no
/// longer a lost purchase, or if another action already follows that order, so two
/// processes cannot both record it and no order serves two purchases.
pub async fn reconciled(pool: &PgPool, action_id: Uuid, found: &Found) -> Result<Action> {
    let (state, outcome, ids, order, guessed): (
        ActionState,
        Outcome,
        Option<Vec<&str>>,
        Option<&OrderId>,
        bool,
    ) = match found {
        Found::Instances { ids, order } => (
            ActionState::Succeeded,
            Outcome::Succeeded,
            Some(ids.iter().map(InstanceId::as_str).collect()),
            order.as_ref(),
            false,
        ),
        Found::Order { order, guessed } => {
            (ActionState::Accepted, Outcome::Accepted, None, Some(order), *guessed)
        }
    };
    let mut tx = pool.begin().await?;
    // An accepted purchase keeps its deadline: if a guessed order turns out not to be its,
    // it is lost again and still looked for.
    let record: Option<Checked<Action>> = sqlx::query_as(&format!(
        "UPDATE actions SET state = $2, instance_ids = coalesce($3, instance_ids), \
             order_id = coalesce($4, order_id), order_guessed = $5, error_message = NULL, \
             reconcile_until = CASE WHEN $2 = 'accepted' THEN reconcile_until END, \
             finished_at = CASE WHEN $2 = 'accepted' THEN NULL ELSE now() END, \
             next_poll_at = CASE WHEN $2 = 'accepted' THEN now() END, attempts = 0, \
             job_status = CASE WHEN $2 = 'succeeded' THEN '5' ELSE job_status END, \
             updated_at = now() \
         WHERE id = $1 AND kind = 'purchase' AND state = 'unknown' AND reconcile_until IS NOT NULL \
           AND ($4::text IS NULL OR NOT EXISTS ( \
               SELECT 1 FROM actions o WHERE o.account_id = actions.account_id \
                 AND o.order_id = $4 AND o.id <> $1)) \
         RETURNING {COLUMNS}"
    ))
    .bind(action_id)
    .bind(state.as_str())
    .bind(ids)
    .bind(order.map(OrderId::as_str))
    .bind(guessed)
    .fetch_optional(&mut *tx)
    .await?;
    let Checked(action) = record.ok_or_else(|| {
        Error::Rule("this purchase is not lost any more, or its order is another's".into())
    })?;
    audit::append_in(&mut tx, action.audit_draft(outcome)).await?;
    tx.commit().await?;
    Ok(action)
}

/// The orders of purchases this panel already knows, among `orders`: an order found in the
/// account's list that is not one of them may be a lost purchase's.
pub async fn known_orders(pool: &PgPool, account: Uuid, orders: &[String]) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT order_id FROM actions WHERE account_id = $1 AND order_id = ANY($2)",
    )
    .bind(account)
    .bind(orders)
    .fetch_all(pool)
    .await?)
}

/// Records the instances a completed purchase created (found by its tag) on its action,
/// before the outcome names them. Only while it is being followed.
pub async fn set_bought(
    pool: &PgPool,
    action_id: Uuid,
    worker_id: &str,
    ids: &[InstanceId],
) -> Result<()> {
    let ids: Vec<&str> = ids.iter().map(InstanceId::as_str).collect();
    let done = sqlx::query(
        "UPDATE actions SET instance_ids = $3, updated_at = now() \
         WHERE id = $1 AND claimed_by = $2 AND state = 'accepted' AND kind = 'purchase'",
    )
    .bind(action_id)
    .bind(worker_id)
    .bind(&ids)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Rule("this purchase is no longer being followed by this worker".into()));
    }
    Ok(())
}
