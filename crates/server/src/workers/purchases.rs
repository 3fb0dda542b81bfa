//! Purchases after their one HCSS call (`pipeline::purchase`):
//!
//! - [`ending`]: when a purchase's order ends, its instances carrying the purchase's tag
//!   are read from RMS, ECS and BSS into the inventory ([`bring_in`]) and the action records
//!   them, so its outcome names what was bought;
//! - [`reconcile`]: a purchase whose answer was lost is looked for by every sync of its
//!   account — by its tag among the instances just synced (for [`TAG_SEARCH_FOR`]), and,
//!   while its window is open and it is the account's only purchase whose order the panel
//!   does not know, among the account's purchase orders around its time that no action
//!   follows (an order waiting for payment has no instance yet). Nothing is ever bought
//!   again on the panel's own initiative.

use lightdeck_domain::actions::{self, Action, Finish, Found, Params, TAG_SEARCH_FOR, Terminal};
use lightdeck_domain::inventory;
use lightdeck_domain::purchase::Purchase;
use lightdeck_huaweicloud::model::bss::{ListCustomerOrdersQuery, OrderStatus};
use lightdeck_huaweicloud::{Account, InstanceId, OrderId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Ctx;
use super::cloud::{self, WorkerError};
use super::sync::read_details;

/// Why a purchase order ended cancelled (BSS says only "cancelled").
const CANCELLED: &str = "Huawei Cloud cancelled the order (it was not paid in time, or it \
    was cancelled in the console); nothing was bought";
/// A cancelled order that reconciliation picked for a lost purchase may not have been its.
const GUESS_CANCELLED: &str = "the order Lightdeck took for this purchase (its answer was \
    lost) was cancelled, but it may not have been this purchase's; check the Huawei console \
    before buying again";
/// A completed order whose instances never showed the purchase's tag.
const UNTAGGED: &str = "the order completed, but no instance with this purchase's tag was \
    found; check the Huawei console";

/// How a purchase's ended order is recorded: `None` while the order completed but RMS
/// does not list all its instances yet (the poller looks again, at most until
/// `give_up`); otherwise the finish to write, the instances named.
pub async fn ending(
    ctx: &Ctx,
    worker: &str,
    handle: Option<&Account>,
    action: &Action,
    mut done: Finish,
    give_up: bool,
) -> Option<Finish> {
    let Params::Purchase(purchase) = &action.params else { return Some(done) };
    match done.outcome {
        Terminal::Failed if action.order_guessed => {
            done.outcome = Terminal::Unknown;
            done.error_message = Some(GUESS_CANCELLED.to_owned());
        }
        Terminal::Failed => {
            done.error_message.get_or_insert_with(|| CANCELLED.to_owned());
        }
        Terminal::Succeeded => {
            let found = match handle {
                Some(h) => bring_in(ctx, worker, h, action).await.unwrap_or_else(|e| {
                    tracing::warn!(action = %action.id, error = %e, "could not read the instances a purchase created");
                    0
                }),
                None => 0,
            };
            let wanted = usize::from(purchase.plan.quantity().get());
            if found < wanted && !give_up {
                return None;
            }
            // Waited long enough: what was found, or what Huawei's answer named, stands; a
            // guessed order with nothing tagged proves nothing.
            let named = found > 0 || (!action.order_guessed && !action.instance_ids.is_empty());
            if !named {
                done.outcome = Terminal::Unknown;
                done.error_message = Some(UNTAGGED.to_owned());
            }
        }
        Terminal::Unknown => {}
    }
    Some(done)
}

/// Reads the instances a purchase created (by its tag) into the inventory and records them
/// on the action. Returns how many were found; none when RMS does not list them yet.
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

/// Orders placed this long before the purchase was recorded still count (the two clocks
/// differ).
const CLOCK_SKEW: time::Duration = time::Duration::minutes(2);
/// The latest an order of a purchase can have been placed after it was recorded: the
/// request is sent at once and the client gives up on it within a minute.
const SENT_WITHIN: time::Duration = time::Duration::minutes(5);

/// Looks for what the account's lost purchases created; call after a successful sync of
/// the account (its inventory is fresh). Returns how many were resolved.
pub async fn reconcile(
    ctx: &Ctx,
    handle: &Account,
    account_id: Uuid,
) -> Result<usize, WorkerError> {
    let now = ctx.now();
    let lost = actions::lost_purchases(&ctx.db, account_id, now - TAG_SEARCH_FOR).await?;
    let mut resolved = 0;
    let mut waiting: Vec<&Action> = Vec::new();
    for action in &lost {
        let Params::Purchase(purchase) = &action.params else { continue };
        let tagged = actions::tagged_instances(&ctx.db, account_id, purchase.purchase_id).await?;
        let order = tagged.iter().find_map(|t| t.order_id.clone());
        let found = if tagged.len() >= usize::from(purchase.plan.quantity().get()) {
            Found::Instances { order, ids: tagged.into_iter().map(|t| t.instance_id).collect() }
        } else if let Some(order) = order {
            // Some are listed: their order is this purchase's for certain; follow it to
            // the rest.
            Found::Order { order, guessed: false }
        } else {
            if action.reconcile_until.is_some_and(|u| u > now) {
                waiting.push(action);
            }
            continue;
        };
        if record(ctx, action, &found).await? {
            resolved += 1;
        }
    }
    // An untagged order can only be told to be a lost purchase's when nothing else of the
    // panel's on this account could own it: one lost purchase in its window, none in flight.
    if let [action] = waiting.as_slice()
        && let Params::Purchase(purchase) = &action.params
        && actions::purchases_in_flight(&ctx.db, account_id).await? == 0
        && let Some(order) = unclaimed_order(ctx, handle, account_id, action, purchase).await?
        && record(ctx, action, &Found::Order { order, guessed: true }).await?
    {
        resolved += 1;
    }
    Ok(resolved)
}

/// Records what was found; false if another process got there first (or already follows
/// that order).
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

/// The account's one Flexus L purchase order placed around `action`'s time that no action
/// follows, when there is exactly one, it is still open (waiting for payment or being
/// processed) and its lines are what the purchase asked for (as many instances, the same
/// period). Completed and cancelled orders count as candidates too: one of them makes the
/// choice ambiguous.
async fn unclaimed_order(
    ctx: &Ctx,
    handle: &Account,
    account_id: Uuid,
    action: &Action,
    purchase: &Purchase,
) -> Result<Option<OrderId>, WorkerError> {
    let mut query =
        ListCustomerOrdersQuery::flexus_purchases_since(&bss_time(action.created_at - CLOCK_SKEW));
    query.create_time_end = Some(bss_time(action.created_at + SENT_WITHIN));
    let orders = handle.list_all_customer_orders(&query).await;
    cloud::count_plain("ListCustomerOrders", &orders);
    let orders = orders?.items;
    let ids: Vec<String> = orders.iter().map(|o| o.order_id.clone()).collect();
    let known = actions::known_orders(&ctx.db, account_id, &ids).await?;
    let mut candidates = orders.into_iter().filter(|o| !known.contains(&o.order_id));
    let (Some(only), None) = (candidates.next(), candidates.next()) else {
        return Ok(None);
    };
    let open = matches!(
        OrderStatus::from_code(only.status),
        OrderStatus::PendingPayment
            | OrderStatus::Processing
            | OrderStatus::PendingReview
            | OrderStatus::PendingConfirmation
    );
    let Ok(order) = only.order_id.parse::<OrderId>() else { return Ok(None) };
    if !open {
        return Ok(None);
    }
    let details = handle.order_details(&order).await;
    cloud::count("ShowCustomerOrderDetails", &details);
    let details = details?.body;
    let term = purchase.plan.parts().term;
    let period_type = match term.unit() {
        actions::TermUnit::Month => 2,
        actions::TermUnit::Year => 3,
    };
    let fits = details.total_count == u64::from(purchase.plan.quantity().get())
        && details.order_line_items.iter().all(|l| {
            l.period_type.is_none_or(|t| t == period_type)
                && l.period_num.is_none_or(|n| n == i64::from(term.count()))
        });
    Ok(fits.then_some(order))
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
