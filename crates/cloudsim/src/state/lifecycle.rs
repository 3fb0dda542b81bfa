//! The time-driven side of yearly/monthly instances: expiry, grace period and freeze,
//! auto-renewal, unsubscriptions that take time, and RMS still listing what was deleted.
//! Everything is derived from the clock when a request arrives ([`State::tick`]); nothing
//! runs in the background.
//!
//! Durations the reference leaves open are the simulator's choices, named here:
//! - [`GRACE`]: the reference gives no grace period; 15 days is what Huawei usually grants
//!   yearly/monthly resources (Flexus L included) before freezing them.
//! - [`PAYMENT_DEADLINE`]: BSS reports `pending_payment_end_time` but the reference gives no
//!   length; 7 days, the same the simulator already reported.
//! - [`UNSUBSCRIBE_PROCESSING`] and [`RMS_DELETED_LAG`]: the reference only says RMS `state`
//!   "may show `Deleted`"; half a minute of processing and ten minutes of RMS lag are
//!   plausible figures that a test can step over.
//! - [`MAX_AHEAD_MONTHS`]: the reference names `CBC.99003154` (total purchased duration over
//!   the maximum) without the maximum; five years of paid time ahead of now.

use time::{Duration, OffsetDateTime};

use super::orders::{Line, OrderKind};
use super::{Instance, Period, State, add_months};

/// From expiry to freeze. While it runs the instance works and BSS says "expired" (5).
pub const GRACE: Duration = Duration::days(15);
/// How long an order without auto-pay waits for payment (status 6) before it is cancelled.
pub const PAYMENT_DEADLINE: Duration = Duration::days(7);
/// How long an unsubscription order is processing (status 3) before it completes (5), unless
/// the configuration says otherwise (`Timings::unsubscribe`).
pub const UNSUBSCRIBE_PROCESSING: Duration = Duration::seconds(30);
/// How long RMS keeps listing an unsubscribed instance with `state` `Deleted`.
pub const RMS_DELETED_LAG: Duration = Duration::minutes(10);
/// The latest expiry a renewal may reach, in months from now.
pub const MAX_AHEAD_MONTHS: i32 = 60;
/// Renewals a single tick applies to one auto-renewing instance at most, so that a clock set
/// centuries ahead cannot stall a request.
const MAX_AUTO_RENEWALS: usize = 1200;

/// ECS's code for a frozen resource: the reference's `Ecs.0003` (403, account or resource
/// restricted for arrears or freeze).
pub const FROZEN_CODE: &str = "Ecs.0003";

impl Instance {
    /// Past its expiry (BSS status 5 while in the grace period).
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires <= now
    }

    /// Past expiry and grace: frozen until a renewal moves the expiry.
    pub fn is_frozen(&self, now: OffsetDateTime) -> bool {
        self.expires.saturating_add(GRACE) <= now
    }

    /// Unsubscribed: RMS lists it as `Deleted`, everything else has forgotten it.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

impl State {
    /// The instance, unless it has been unsubscribed.
    pub fn live_instance(&self, id: &str) -> Option<&Instance> {
        self.instance(id).filter(|i| !i.is_deleted())
    }

    /// Whether renewing `inst` by `period` would take it past [`MAX_AHEAD_MONTHS`].
    pub fn renewal_too_long(inst: &Instance, period: Period, now: OffsetDateTime) -> bool {
        add_months(inst.expires, period.months()) > add_months(now, MAX_AHEAD_MONTHS)
    }

    /// Where the renewals of `id` that have not started yet begin (the earliest), if any:
    /// what an unsubscription of type 2 cuts the expiry back to.
    pub fn renewals_ahead(&self, id: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let expires = self.instance(id)?.expires;
        self.orders
            .values()
            .filter(|o| matches!(o.kind, OrderKind::Renew) && o.completed)
            .flat_map(|o| o.lines.iter())
            .filter(|l| l.resource_id == id)
            .filter_map(|l| l.term.map(|t| t.0))
            // A term starting at or after the expiry was cut by an earlier unsubscription.
            .filter(|from| *from > now && *from < expires)
            .min()
    }

    /// Places an unsubscription (type 1: the instance and its renewals; type 2: only the
    /// renewals not started yet). It processes for `Timings::unsubscribe` and takes
    /// effect when it completes. Returns the order id.
    pub fn unsubscribe(
        &mut self,
        account: usize,
        ids: Vec<String>,
        unsubscribe_type: i32,
        now: OffsetDateTime,
    ) -> String {
        let subject = super::orders::Subject::of(ids.first().and_then(|i| self.instance(i)));
        let kind = if unsubscribe_type == 2 {
            OrderKind::UnsubscribeRenewals
        } else {
            OrderKind::Unsubscribe
        };
        let mut order = self.new_order(account, kind, None, ids, subject, true, now);
        order.complete_at = now + self.timings.unsubscribe;
        for line in &order.lines {
            if let Some(inst) = self.instances.get_mut(&line.resource_id) {
                inst.pending_order = Some(order.id.clone());
            }
        }
        let id = order.id.clone();
        self.add_pending_order(order);
        id
    }

    /// A completed unsubscription: type 1 deletes, type 2 cuts the expiry back.
    pub(super) fn apply_unsubscription(
        &mut self,
        ids: &[String],
        renewals_only: bool,
        at: OffsetDateTime,
    ) {
        for rid in ids {
            let cut = if renewals_only { self.renewals_ahead(rid, at) } else { None };
            let Some(inst) = self.instances.get_mut(rid) else { continue };
            inst.pending_order = None;
            inst.updated = at;
            if let Some(cut) = cut {
                inst.expires = cut;
                inst.term_end = cut;
            }
            if renewals_only {
                // The expiry moved earlier: the next auto-renewal may be due sooner.
                self.auto_renew_check = None;
            } else {
                self.mark_deleted(rid, at);
            }
        }
    }

    /// Takes an unsubscribed instance out of ECS and BSS; RMS keeps it as `Deleted` until
    /// [`RMS_DELETED_LAG`] has passed.
    fn mark_deleted(&mut self, id: &str, at: OffsetDateTime) {
        let Some(inst) = self.instances.get_mut(id) else { return };
        inst.deleted_at = Some(at);
        let (project, server, package) =
            (inst.project_id.clone(), inst.server.id.clone(), inst.package.id.clone());
        if let Some(set) = self.by_project.get_mut(&project) {
            set.remove(id);
        }
        self.servers.remove(&server);
        self.packages.remove(&package);
        self.tombstones.insert((at + RMS_DELETED_LAG, id.to_owned()));
    }

    /// Forgets the deleted instances RMS has caught up with by `now`.
    pub(super) fn purge_tombstones(&mut self, now: OffsetDateTime) {
        while let Some((due, id)) = self.tombstones.first().cloned() {
            if due > now {
                break;
            }
            self.tombstones.pop_first();
            self.remove_instance(&id);
            self.touch();
        }
    }

    /// Renews every auto-renewing instance whose expiry has passed, as BSS does on the
    /// expiry day: a completed, auto-paid renewal order per period. Scans the instances only
    /// when the earliest such expiry is due (or something may have moved it).
    pub(super) fn run_auto_renewals(&mut self, now: OffsetDateTime) {
        if self.auto_renew_check.is_some_and(|t| now < t) {
            return;
        }
        let candidate =
            |i: &&Instance| i.auto_renew && !i.is_deleted() && i.pending_order.is_none();
        let mut due: Vec<String> = self
            .instances
            .values()
            .filter(candidate)
            .filter(|i| i.expires <= now)
            .map(|i| i.id.clone())
            .collect();
        // Sorted, so that the order ids drawn from the RNG repeat from run to run.
        due.sort();
        for id in due {
            for _ in 0..MAX_AUTO_RENEWALS {
                match self.instance(&id) {
                    Some(i) if i.expires <= now => self.auto_renew_once(&id),
                    _ => break,
                }
            }
            self.touch();
        }
        self.auto_renew_check = Some(
            self.instances
                .values()
                .filter(candidate)
                .map(|i| i.expires)
                .min()
                .unwrap_or(crate::clock::LATEST),
        );
    }

    /// One auto-renewal of `id` at its expiry: by one month, or one year when it was bought
    /// by the year (Huawei's auto-renewal period follows the purchase).
    fn auto_renew_once(&mut self, id: &str) {
        let Some(inst) = self.instance(id) else { return };
        let at = inst.expires;
        let account = inst.account;
        let period_type =
            self.orders.get(&inst.order_id).and_then(|o| o.period).map_or(2, |p| p.period_type);
        let period = Period { period_type, period_num: 1 };
        let subject = super::orders::Subject::of(Some(inst));
        let ids = vec![id.to_owned()];
        let mut order =
            self.new_order(account, OrderKind::Renew, Some(period), ids, subject, true, at);
        let to = add_months(at, period.months());
        order.complete_at = at;
        order.completed = true;
        order.lines = vec![Line { resource_id: id.to_owned(), term: Some((at, to)) }];
        if let Some(inst) = self.instances.get_mut(id) {
            inst.expires = to;
            inst.updated = at;
        }
        self.orders.insert(order.id.clone(), order);
    }
}
