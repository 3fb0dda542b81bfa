//! BSS orders: new purchases, renewals and unsubscriptions. An order waits for payment
//! (status 6) unless auto-paid, then processes (status 3) and completes (status 5); its
//! effect on the instances is applied at completion. One nobody pays by its deadline is
//! cancelled (status 4) and has no effect. Seeded instances come with the
//! completed purchase orders that bought them.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::lifecycle::PAYMENT_DEADLINE;
use super::{Instance, State, add_months, fmt_seconds, ids};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum OrderKind {
    /// The instances to create, ids already handed out in the purchase response (empty once
    /// the order has completed and they live in the state).
    Purchase {
        instances: Vec<Instance>,
    },
    Renew,
    /// Type 1: the resource and its renewals.
    Unsubscribe,
    /// Type 2: only the renewals that have not started.
    UnsubscribeRenewals,
}

impl OrderKind {
    /// BSS `order_type`: 1 new purchase, 2 renewal, 4 unsubscribe.
    pub fn order_type(&self) -> i32 {
        match self {
            OrderKind::Purchase { .. } => 1,
            OrderKind::Renew => 2,
            OrderKind::Unsubscribe | OrderKind::UnsubscribeRenewals => 4,
        }
    }
}

/// One order line: a main resource (an instance) and, once the order has completed, the
/// period it bought (`effective_time`, `expire_time`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Line {
    pub resource_id: String,
    #[serde(with = "term_rfc3339")]
    pub term: Option<(OffsetDateTime, OffsetDateTime)>,
}

/// `Line::term` as two RFC 3339 strings, readable in a snapshot like every other time.
mod term_rfc3339 {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use time::OffsetDateTime;

    #[derive(Serialize, Deserialize)]
    struct Term(
        #[serde(with = "time::serde::rfc3339")] OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")] OffsetDateTime,
    );

    pub fn serialize<S: Serializer>(
        term: &Option<(OffsetDateTime, OffsetDateTime)>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        term.map(|(from, to)| Term(from, to)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<(OffsetDateTime, OffsetDateTime)>, D::Error> {
        Ok(Option::<Term>::deserialize(d)?.map(|Term(from, to)| (from, to)))
    }
}

/// The BSS period an order buys: `period_type` 2 month or 3 year, `period_num` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub period_type: i32,
    pub period_num: i32,
}

impl Period {
    pub fn months(self) -> i32 {
        if self.period_type == 3 { 12 * self.period_num } else { self.period_num }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub account: usize,
    pub kind: OrderKind,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// When payment happens (creation time for auto-paid orders).
    #[serde(with = "time::serde::rfc3339")]
    pub pay_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub complete_at: OffsetDateTime,
    pub completed: bool,
    pub lines: Vec<Line>,
    /// None for unsubscribe orders.
    pub period: Option<Period>,
    pub amount: f64,
    pub spec: String,
    pub region: String,
    /// The offering bought (`OFFI…`), shared by every line.
    pub product_id: String,
    /// Nobody pays it unless told to (`POST /_sim/orders/{id}/pay`): it waits at status 6
    /// until `pay_at`, the payment deadline, and is cancelled then.
    #[serde(default)]
    pub lapses: bool,
    /// Lapsed unpaid (status 4); nothing it would have done happened.
    #[serde(default)]
    pub cancelled: bool,
}

impl Order {
    /// BSS order status: 6 pending payment, 3 processing, 5 completed, 4 cancelled.
    pub fn status(&self, now: OffsetDateTime) -> i32 {
        if self.cancelled || (self.lapses && self.pay_at <= now) {
            4
        } else if self.completed || self.complete_at <= now {
            5
        } else if now < self.pay_at {
            6
        } else {
            3
        }
    }

    pub fn order_type(&self) -> i32 {
        self.kind.order_type()
    }

    pub fn resource_ids(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(|l| l.resource_id.as_str())
    }

    pub fn summary(&self, now: OffsetDateTime) -> Value {
        json!({
            "order_id": self.id,
            "order_type": self.order_type(),
            "status": self.status(now),
            "resource_ids": self.resource_ids().collect::<Vec<_>>(),
            "created": fmt_seconds(self.created),
        })
    }

    /// When an order left unpaid is cancelled (BSS `pending_payment_end_time`).
    pub fn payment_deadline(&self) -> OffsetDateTime {
        self.created + PAYMENT_DEADLINE
    }
}

/// A plausible monthly list price in yuan for a spec (for order amounts only).
pub fn monthly_price(spec: &str) -> f64 {
    let ram_gib = lightdeck_huaweicloud::catalog::spec(spec).map_or(2.0, |s| s.ram_gib());
    (18.0 + 12.0 * ram_gib).round()
}

/// What a purchase of `instances` for `period` costs: per instance and month its spec's
/// price plus its extras' (see [`super::market`]).
pub fn purchase_amount(instances: &[Instance], period: Period) -> f64 {
    let monthly: f64 = instances
        .iter()
        .map(|i| {
            monthly_price(&i.plan_spec) + i.extras.iter().map(|e| e.monthly_price()).sum::<f64>()
        })
        .sum();
    super::market::round_yuan(monthly * f64::from(period.months()))
}

/// What an order is about, taken from its first instance.
#[derive(Default)]
pub(super) struct Subject {
    spec: String,
    region: String,
    product_id: String,
}

impl Subject {
    pub(super) fn of(first: Option<&Instance>) -> Self {
        first.map_or_else(Subject::default, |i| Subject {
            spec: i.plan_spec.clone(),
            region: i.region.id().to_owned(),
            product_id: i.product_id.clone(),
        })
    }
}

impl State {
    /// A new order for the main resources `ids`, priced for `period`; not stored yet.
    /// Without auto-pay, a purchase is paid by the simulated customer after the configured
    /// payment delay (when that comes before the deadline); a renewal waits for an explicit
    /// payment, as a customer renewing by hand must pay, and lapses at the deadline.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new_order(
        &mut self,
        account: usize,
        kind: OrderKind,
        period: Option<Period>,
        ids: Vec<String>,
        subject: Subject,
        auto_pay: bool,
        now: OffsetDateTime,
    ) -> Order {
        let lapses = !auto_pay
            && (matches!(kind, OrderKind::Renew) || self.timings.payment >= PAYMENT_DEADLINE);
        let pay_at = match (auto_pay, lapses) {
            (true, _) => now,
            (false, true) => now + PAYMENT_DEADLINE,
            (false, false) => now + self.timings.payment,
        };
        // A lapsing order is due at its deadline, when it is cancelled unless paid.
        let complete_at = if lapses { pay_at } else { pay_at + self.timings.order };
        let mut id = ids::order_id(&mut self.rng, now);
        while self.orders.contains_key(&id) {
            id = ids::order_id(&mut self.rng, now);
        }
        let months = period.map_or(0, Period::months);
        Order {
            id,
            account,
            kind,
            created: now,
            pay_at,
            complete_at,
            completed: false,
            lapses,
            cancelled: false,
            amount: monthly_price(&subject.spec) * f64::from(months) * ids.len() as f64,
            lines: ids.into_iter().map(|resource_id| Line { resource_id, term: None }).collect(),
            period,
            spec: subject.spec,
            region: subject.region,
            product_id: subject.product_id,
        }
    }

    fn purchase_order(
        &mut self,
        account: usize,
        instances: &mut [Instance],
        period: Period,
        auto_pay: bool,
        now: OffsetDateTime,
    ) -> Order {
        let ids = instances.iter().map(|i| i.id.clone()).collect();
        let subject = Subject::of(instances.first());
        let kind = OrderKind::Purchase { instances: Vec::new() };
        let mut order = self.new_order(account, kind, Some(period), ids, subject, auto_pay, now);
        order.amount = purchase_amount(instances, period);
        // One offering for the whole order, as a multi-quantity purchase buys.
        for inst in instances {
            inst.order_id = order.id.clone();
            inst.product_id = order.product_id.clone();
        }
        order
    }

    /// A purchase order for instances already built (each gets the order's id); returns the
    /// order id.
    pub fn create_purchase_order(
        &mut self,
        account: usize,
        mut instances: Vec<Instance>,
        period: Period,
        auto_pay: bool,
        now: OffsetDateTime,
    ) -> String {
        let mut order = self.purchase_order(account, &mut instances, period, auto_pay, now);
        order.kind = OrderKind::Purchase { instances };
        let id = order.id.clone();
        self.add_pending_order(order);
        id
    }

    /// The completed order that bought seeded instances: placed `order_duration` before
    /// `bought`, paid at once, completed at `bought`. Sets the instances' `order_id`.
    pub fn seed_purchase_order(
        &mut self,
        account: usize,
        instances: &mut [Instance],
        period: Period,
        bought: OffsetDateTime,
    ) {
        let placed = bought - self.timings.order;
        let mut order = self.purchase_order(account, instances, period, true, placed);
        order.complete_at = bought;
        order.completed = true;
        let term = Some((bought, add_months(bought, period.months())));
        for line in &mut order.lines {
            line.term = term;
        }
        self.orders.insert(order.id.clone(), order);
    }

    /// A renewal of instances of `account` (already checked); returns the order id.
    pub fn create_renew_order(
        &mut self,
        account: usize,
        ids: Vec<String>,
        period: Period,
        auto_pay: bool,
        now: OffsetDateTime,
    ) -> String {
        let subject = Subject::of(ids.first().and_then(|i| self.instance(i)));
        let order =
            self.new_order(account, OrderKind::Renew, Some(period), ids, subject, auto_pay, now);
        for line in &order.lines {
            if let Some(inst) = self.instances.get_mut(&line.resource_id) {
                inst.pending_order = Some(order.id.clone());
            }
        }
        let id = order.id.clone();
        self.add_pending_order(order);
        id
    }

    /// Pays an order waiting for payment now. Returns false if it was not waiting.
    pub fn pay_order(&mut self, id: &str, now: OffsetDateTime) -> bool {
        self.touch();
        let order_duration = self.timings.order;
        match self.orders.get_mut(id) {
            Some(o) if o.status(now) == 6 => {
                o.lapses = false;
                o.pay_at = now;
                o.complete_at = now + order_duration;
                true
            }
            _ => false,
        }
    }

    /// Applies a due order: a purchase's instances come to exist, a renewal moves expiry
    /// (and ends a freeze), an unsubscription takes effect, an unpaid order is cancelled.
    /// Each line records the term it bought.
    pub(super) fn complete_order(&mut self, id: &str) {
        let Some(order) = self.orders.get_mut(id) else { return };
        if order.completed || order.cancelled {
            return;
        }
        let ids: Vec<String> = order.resource_ids().map(str::to_owned).collect();
        if order.lapses {
            order.cancelled = true;
            for rid in &ids {
                if let Some(inst) = self.instances.get_mut(rid) {
                    inst.pending_order = None;
                }
            }
            return;
        }
        order.completed = true;
        let at = order.complete_at;
        let months = order.period.map_or(0, Period::months);
        let bought = match &mut order.kind {
            OrderKind::Purchase { instances } => Some(std::mem::take(instances)),
            OrderKind::Renew => None,
            OrderKind::Unsubscribe => return self.apply_unsubscription(&ids, false, at),
            OrderKind::UnsubscribeRenewals => return self.apply_unsubscription(&ids, true, at),
        };
        let terms: Vec<Option<(OffsetDateTime, OffsetDateTime)>> = match bought {
            Some(instances) => instances
                .into_iter()
                .map(|mut inst| {
                    inst.created = at;
                    inst.updated = at;
                    inst.expires = add_months(at, months);
                    inst.term_end = inst.expires;
                    inst.server.created = at;
                    inst.server.updated = at;
                    inst.package.start = at;
                    inst.package.used_at = at;
                    inst.package.end = add_months(at, 1).min(inst.expires);
                    let term = (at, inst.expires);
                    self.insert_instance(inst);
                    Some(term)
                })
                .collect(),
            None => ids
                .iter()
                .map(|rid| {
                    self.instance_mut(rid).map(|inst| {
                        let from = inst.expires;
                        inst.unfrozen |= inst.is_frozen(at);
                        inst.expires = add_months(from, months);
                        inst.updated = at;
                        inst.pending_order = None;
                        (from, inst.expires)
                    })
                })
                .collect(),
        };
        if let Some(order) = self.orders.get_mut(id) {
            for (line, term) in order.lines.iter_mut().zip(terms) {
                line.term = term;
            }
        }
    }
}
