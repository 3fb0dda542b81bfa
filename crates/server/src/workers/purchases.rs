//! Purchases after their one HCSS call (`pipeline::purchase`):
//!
//! - [`bring_in`]: once the order completed, the instances carrying the purchase's tag are
//!   read from RMS, ECS and BSS and written to the inventory, and the action records them,
//!   so its outcome event names what was bought;
//! - [`reconcile`]: a purchase whose answer was lost is looked for by every sync of its
//!   account until its deadline — by its tag among the instances just synced, and, while
//!   it is the account's only lost purchase, among the account's purchase orders that no
//!   action follows (an order waiting for payment has no instance yet). Nothing is ever
//!   bought again on the panel's own initiative.

use lightdeck_domain::actions::{self, Action, Found, Params};
use lightdeck_domain::inventory;
use lightdeck_huaweicloud::model::bss::{ListCustomerOrdersQuery, OrderStatus};
use lightdeck_huaweicloud::{Account, InstanceId, OrderId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Ctx;
use super::cloud::{self, WorkerError};
use super::sync::read_details;

/// Reads the instances a completed purchase created (by its tag) into the inventory and
/// records them on the action. Returns how many were found; none when RMS does not list
/// them yet.
pub async fn bring_in(
    ctx: &Ctx,
    worker: &str,
    handle: &Account,
    action: &Action,
) -> Result<usize, WorkerError> {
    let Params::Purchase(purchase) = &action.params else { return Ok(0) };
    let listed =
        handle.list_l_instances_tagged(Some(action.region), &[purchase.tag_filter()]).await;
    cloud::count_plain("ListAllResources", &listed);
    let listed = listed?.items;
    if listed.is_empty() {
        return Ok(0);
    }
    let mut partial = Vec::new();
    let mut items = read_details(handle, action.region, listed, &mut partial).await?;
    // Named in the order people number them: web-0001, web-0002, …
    items.sort_by(|a, b| a.name.cmp(&b.name));
    if items.is_empty() {
        return Ok(0);
    }
    inventory::upsert_some(&ctx.db, action.account_id, action.region, &items).await?;
    let ids: Vec<InstanceId> = items.iter().map(|i| i.instance_id.clone()).collect();
    actions::set_bought(&ctx.db, action.id, worker, &ids).await?;
    Ok(ids.len())
}

/// BSS's time format for order queries, `yyyy-MM-ddTHH:mm:ssZ`.
fn bss_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Orders placed this long before the purchase was recorded still count as candidates
/// (the two clocks are not the same).
const CLOCK_SKEW: time::Duration = time::Duration::minutes(2);

/// Looks for what the account's lost purchases created; call after a successful sync of
/// the account (its inventory is fresh). Returns how many were resolved.
pub async fn reconcile(
    ctx: &Ctx,
    handle: &Account,
    account_id: Uuid,
) -> Result<usize, WorkerError> {
    let open = actions::reconciling(&ctx.db, account_id, ctx.now()).await?;
    let mut resolved = 0;
    let mut waiting: Vec<&Action> = Vec::new();
    for action in &open {
        let Params::Purchase(purchase) = &action.params else { continue };
        let tagged = actions::tagged_instances(&ctx.db, account_id, purchase.purchase_id).await?;
        if tagged.is_empty() {
            waiting.push(action);
            continue;
        }
        let found = Found::Instances {
            order: tagged.iter().find_map(|t| t.order_id.clone()),
            ids: tagged.into_iter().map(|t| t.instance_id).collect(),
        };
        if record(ctx, action, &found).await? {
            resolved += 1;
        }
    }
    // With two lost purchases on one account, an untagged order cannot be told apart: their
    // instances will carry the tags once the orders complete.
    if let [action] = waiting.as_slice()
        && let Some(order) = unclaimed_order(ctx, handle, account_id, action).await?
        && record(ctx, action, &Found::Order(order)).await?
    {
        resolved += 1;
    }
    Ok(resolved)
}

/// Records what was found; false if another process got there first.
async fn record(ctx: &Ctx, action: &Action, found: &Found) -> Result<bool, WorkerError> {
    match actions::reconciled(&ctx.db, action.id, found).await {
        Ok(done) => {
            tracing::info!(action = %action.id, state = done.state.as_str(), "a purchase whose answer was lost was found");
            Ok(true)
        }
        Err(lightdeck_domain::Error::Rule(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The one Flexus L purchase order of the account, placed around `action`'s time, that is
/// still open (waiting for payment or being processed) and that no action follows.
async fn unclaimed_order(
    ctx: &Ctx,
    handle: &Account,
    account_id: Uuid,
    action: &Action,
) -> Result<Option<OrderId>, WorkerError> {
    let since = bss_time(action.created_at - CLOCK_SKEW);
    let orders = handle
        .list_all_customer_orders(&ListCustomerOrdersQuery::flexus_purchases_since(&since))
        .await;
    cloud::count_plain("ListCustomerOrders", &orders);
    let open: Vec<String> = orders?
        .items
        .into_iter()
        .filter(|o| {
            matches!(
                OrderStatus::from_code(o.status),
                OrderStatus::PendingPayment
                    | OrderStatus::Processing
                    | OrderStatus::PendingReview
                    | OrderStatus::PendingConfirmation
            )
        })
        .map(|o| o.order_id)
        .collect();
    if open.is_empty() {
        return Ok(None);
    }
    let known = actions::known_orders(&ctx.db, account_id, &open).await?;
    let mut unclaimed = open.into_iter().filter(|o| !known.contains(o));
    match (unclaimed.next(), unclaimed.next()) {
        (Some(only), None) => Ok(only.parse().ok()),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn order_queries_take_utc_seconds() {
        assert_eq!(bss_time(datetime!(2026-12-07 08:05:09.7 +08)), "2026-12-07T00:05:09Z");
    }
}
