//! Per-page memo of the translated labels of instance rows.

use std::collections::HashMap;
use std::sync::Arc;

use lightdeck_domain::inventory::{InstanceState, InstanceSummary};
use time::OffsetDateTime;

use super::{
    InstanceView, days_left, expiry_text, gb, region_name, spec_text, state_class, state_word,
};
use crate::i18n::{Pattern, Tr};

/// The labels rows share, each translated once: state words and "unknown" per page, spec
/// descriptions and "N days left" per process (through [`Tr::memo`]: a page of 50 rows
/// often has 50 different day counts), and the per-row messages as [`Pattern`]s. Fluent
/// formatting was most of a row's cost.
pub struct RowLabels<'a> {
    tr: &'a Tr,
    states: HashMap<InstanceState, Arc<str>>,
    unknown: Option<Arc<str>>,
    traffic: Option<Pattern>,
    select: Option<Pattern>,
}

impl<'a> RowLabels<'a> {
    pub fn new(tr: &'a Tr) -> Self {
        RowLabels { tr, states: HashMap::new(), unknown: None, traffic: None, select: None }
    }

    fn state_word(&mut self, state: InstanceState) -> Arc<str> {
        let tr = self.tr;
        self.states.entry(state).or_insert_with(|| state_word(tr, state).into()).clone()
    }

    fn spec(&mut self, code: Option<&str>) -> Arc<str> {
        let tr = self.tr;
        match code {
            Some(code) => tr.memo("instances-spec", code.to_owned(), || spec_text(tr, Some(code))),
            None => self.unknown(),
        }
    }

    fn unknown(&mut self) -> Arc<str> {
        let tr = self.tr;
        self.unknown.get_or_insert_with(|| tr.t("instances-unknown-value").into()).clone()
    }

    fn expiry(&mut self, days: Option<i64>) -> Arc<str> {
        let tr = self.tr;
        match days {
            // Expired rows all read the same, whatever the day count.
            Some(d) => {
                let d = d.max(-1);
                tr.memo("instances-days-left", d.to_string(), || expiry_text(tr, Some(d)))
            }
            None => self.unknown(),
        }
    }

    /// The row as the table shows it. Takes the row by value and moves its strings into
    /// the view: a page builds 50 of these, and copies were a visible share of its cost.
    pub fn view(
        &mut self,
        row: InstanceSummary,
        account_name: Arc<str>,
        now: OffsetDateTime,
    ) -> InstanceView {
        let days = days_left(row.expires_at, now);
        let pct = row.traffic_left_pct();
        let traffic_text = match (row.traffic_remaining_gb, row.traffic_total_gb) {
            (Some(left), Some(total)) => {
                let tr = self.tr;
                self.traffic
                    .get_or_insert_with(|| tr.pattern("instances-traffic-left", &["left", "total"]))
                    .fill(&[&gb(left), &gb(total)])
            }
            _ => self.unknown().to_string(),
        };
        let name = if row.name.is_empty() { row.instance_id.to_string() } else { row.name };
        let tr = self.tr;
        let select_label = self
            .select
            .get_or_insert_with(|| tr.pattern("instances-select", &["name"]))
            .fill(&[&name]);
        InstanceView {
            instance_id: row.instance_id,
            name,
            select_label,
            state: row.state.as_str(),
            status_class: state_class(row.state),
            // An instance whose unsubscription went through, until it leaves the table.
            status_word: if releasing(&row.status) {
                self.tr.t("instances-releasing").into()
            } else {
                self.state_word(row.state)
            },
            status_raw: row.status,
            account_name,
            region_name: region_name(row.region, self.tr.lang),
            spec: self.spec(row.spec_code.as_deref()),
            public_ip: row.public_ip.unwrap_or_default(),
            days_left: days,
            expiry_text: self.expiry(days),
            traffic_step: pct.map(|p| {
                let clamped = p.clamp(0.0, 100.0);
                // Rounded to the nearest 5 % step, so a bar is never longer than the truth by
                // more than 2.5 points; the number next to it is exact.
                ((clamped / 5.0).round() * 5.0) as u8
            }),
            traffic_low: pct.is_some_and(|p| p < 20.0),
            traffic_text,
            transitional: row.state == InstanceState::Transitional,
            tags: people_tags(&row.tags),
        }
    }
}

/// The tags people set, as `key=value`; the panel's own purchase tag says nothing to them.
pub fn people_tags(tags: &[(String, String)]) -> Vec<String> {
    tags.iter()
        .filter(|(k, _)| k != lightdeck_huaweicloud::model::hcss::PURCHASE_TAG_KEY)
        .map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") })
        .collect()
}

/// ECS's `DELETING` (set when an unsubscription completes) and RMS's `DELETED` (listed for
/// a while after): the instance is being released.
fn releasing(status: &str) -> bool {
    status.eq_ignore_ascii_case("DELETING") || status.eq_ignore_ascii_case("DELETED")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use lightdeck_huaweicloud::Region;
    use time::macros::datetime;
    use uuid::Uuid;

    use lightdeck_domain::inventory::InstanceRow;

    use super::*;
    use crate::i18n::{I18n, Language};

    fn row(id: &str, state: InstanceState, spec: Option<&str>, days: Option<i64>) -> InstanceRow {
        let now = datetime!(2026-11-27 12:00 UTC);
        InstanceRow {
            id: 1,
            team_id: Uuid::nil(),
            account_id: Uuid::nil(),
            region: Region::CnNorth4,
            instance_id: format!("{id:0>24}").parse().unwrap(),
            server_id: None,
            traffic_package_id: None,
            name: format!("vm-{id}"),
            spec_code: spec.map(str::to_owned),
            image_name: None,
            image_version: None,
            status: "ACTIVE".to_owned(),
            state,
            private_ips: Vec::new(),
            public_ips: vec!["203.0.113.7".to_owned()],
            expires_at: days.map(|d| now + time::Duration::hours(d * 24 + 1)),
            auto_renew: false,
            traffic_remaining_gb: Some(150.0),
            traffic_total_gb: Some(200.0),
            order_id: None,
            raw: None,
            last_synced_at: now,
            gone_at: None,
            traffic_cycle: Default::default(),
            tags: Vec::new(),
        }
    }

    /// A shared memo must give every row exactly what a fresh translation gives, whatever
    /// came before it on the page.
    #[test]
    fn memoized_rows_match_fresh_ones() {
        let now = datetime!(2026-11-27 12:00 UTC);
        for lang in [Language::En, Language::ZhCn] {
            let tr = Tr::new(Arc::new(I18n::load().unwrap()), lang);
            let rows = [
                row("a", InstanceState::Running, Some("no-such-spec"), Some(3)),
                row("b", InstanceState::Stopped, None, None),
                row("c", InstanceState::Running, Some("no-such-spec"), Some(-5)),
                row("d", InstanceState::Running, None, Some(3)),
                row("e", InstanceState::Transitional, None, Some(-1)),
                row("f", InstanceState::Stopped, Some("other"), Some(40)),
            ];
            let mut labels = RowLabels::new(&tr);
            for r in &rows {
                let shared = labels.view(r.into(), "acct".into(), now);
                let fresh = InstanceView::new(&tr, r, "acct", now);
                assert_eq!(format!("{shared:?}"), format!("{fresh:?}"), "row {}", r.instance_id);
                let days = days_left(r.expires_at, now);
                assert_eq!(*shared.expiry_text, expiry_text(&tr, days));
                assert_eq!(*shared.status_word, state_word(&tr, r.state));
            }
        }
    }

    #[test]
    fn gb_prints_at_most_one_decimal() {
        let old = |value: f64| {
            let rounded = (value * 10.0).round() / 10.0;
            if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { format!("{rounded:.1}") }
        };
        for v in [0.0, 0.04, 0.05, 0.06, 0.95, 1.0, 1.25, 9.99, 12.34, 199.96, 200.0, 1e6 + 0.3] {
            assert_eq!(gb(v), old(v), "{v}");
        }
        for i in 0..20_000 {
            let v = f64::from(i) * 0.0137;
            assert_eq!(gb(v), old(v), "{v}");
        }
        assert_eq!(gb(-2.5), "-2.5");
        assert_eq!(gb(12.34), "12.3");
        assert_eq!(gb(200.0), "200");
    }
}
