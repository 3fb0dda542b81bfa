//! One Flexus L instance and the resources bundled with it: its ECS server, EIP, system disk
//! and traffic package.

use std::collections::BTreeMap;

use lightdeck_huaweicloud::Region;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instance {
    /// 24 hex.
    pub id: String,
    /// Index into the directory; not serialized because `domain_id` says the same (a
    /// snapshot restores it from there).
    #[serde(skip)]
    pub account: usize,
    pub domain_id: String,
    pub region: Region,
    pub project_id: String,
    pub name: String,
    pub description: String,
    pub plan_spec: String,
    pub image_name: String,
    pub image_version: String,
    pub image_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    /// End of the paid period, renewals included.
    #[serde(with = "time::serde::rfc3339")]
    pub expires: OffsetDateTime,
    /// End of the period paid before any renewal still to start, as last set by a purchase
    /// or an unsubscription of type 2 (which finds the renewals to drop from their orders).
    #[serde(with = "time::serde::rfc3339")]
    pub term_end: OffsetDateTime,
    pub auto_renew: bool,
    pub order_id: String,
    pub product_id: String,
    pub tags: BTreeMap<String, String>,
    /// Data disks, backup vaults, host security bought with it (RMS lists each).
    #[serde(default)]
    pub extras: Vec<super::Extra>,
    pub server: Server,
    pub net: Net,
    pub package: Package,
    /// A renewal or unsubscription order that is not complete yet (BSS refuses a second one).
    pub pending_order: Option<String>,
    /// When an unsubscription completed: the instance is gone from ECS and BSS, but RMS
    /// still lists it as `Deleted` for a while ([`super::lifecycle::RMS_DELETED_LAG`]).
    /// Absent in snapshots written before unsubscribing took time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
    /// A renewal has ended a freeze, so ECS shows `EcmResStatus` `normal` (it shows the key
    /// only once the server has been frozen).
    #[serde(default)]
    pub unfrozen: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Server {
    /// UUID.
    pub id: String,
    pub name: String,
    pub hostname: String,
    pub description: String,
    /// ECS `status`: ACTIVE, SHUTOFF, REBOOT, HARD_REBOOT, ERROR, …
    pub status: String,
    /// `OS-EXT-STS:task_state` while a job works on the server.
    pub task_state: Option<String>,
    pub flavor_id: String,
    pub vcpus: u32,
    pub ram_mib: u32,
    pub disk_gib: u32,
    pub availability_zone: String,
    pub volume_id: String,
    pub os_type: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub password_reset_at: Option<OffsetDateTime>,
}

impl Server {
    /// `(OS-EXT-STS:vm_state, OS-EXT-STS:power_state)` for the current status.
    pub fn vm_and_power_state(&self) -> (&'static str, i32) {
        match self.status.as_str() {
            "ACTIVE" | "REBOOT" | "HARD_REBOOT" => ("active", 1),
            "SHUTOFF" => ("stopped", 4),
            "ERROR" => ("error", 0),
            "BUILD" => ("building", 0),
            "DELETED" => ("deleted", 0),
            _ => ("active", 1),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Net {
    pub vpc_id: String,
    pub subnet_id: String,
    pub port_id: String,
    pub security_group_id: String,
    pub mac: String,
    pub private_ip: String,
    pub public_ip: String,
    pub eip_id: String,
    pub bandwidth_id: String,
    pub bandwidth_mbps: u32,
}

/// The traffic package. Use grows linearly from `used_gb` at `used_at` at `gb_per_day`,
/// evaluated whenever someone asks (no background timer).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Package {
    /// UUID.
    pub id: String,
    pub total_gb: f64,
    pub used_gb: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub used_at: OffsetDateTime,
    pub gb_per_day: f64,
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    pub product_id: String,
}

impl Package {
    pub fn used_at_time(&self, now: OffsetDateTime) -> f64 {
        let days = (now - self.used_at).as_seconds_f64().max(0.0) / 86_400.0;
        (self.used_gb + days * self.gb_per_day).min(self.total_gb)
    }

    /// GB left, rounded to 2 decimals as BSS reports amounts.
    pub fn remaining(&self, now: OffsetDateTime) -> f64 {
        ((self.total_gb - self.used_at_time(now)).max(0.0) * 100.0).round() / 100.0
    }
}

/// Adds calendar months, clamping the day to the target month's length.
pub fn add_months(t: OffsetDateTime, months: i32) -> OffsetDateTime {
    let total = t.year() * 12 + i32::from(u8::from(t.month())) - 1 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(u8::try_from(month0 + 1).unwrap_or(1))
        .unwrap_or(time::Month::January);
    let day = t.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day)
        .map(|d| t.replace_date(d))
        .unwrap_or_else(|_| t.saturating_add(Duration::days(30 * i64::from(months))))
}

/// `2024-09-13` + `sep` + `07:30:00`.
fn date_time(t: OffsetDateTime, sep: char) -> String {
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Huawei's `2024-09-13T07:30:00.000Z` (RMS, IAM, jobs).
pub fn fmt_millis(t: OffsetDateTime) -> String {
    format!("{}.{:03}Z", date_time(t, 'T'), t.millisecond())
}

/// `2019-05-22T03:19:19Z` (ECS created/updated, BSS times).
pub fn fmt_seconds(t: OffsetDateTime) -> String {
    date_time(t, 'T') + "Z"
}

/// `2024-10-13 16:00:00` (RMS sub-resource attributes).
pub fn fmt_space(t: OffsetDateTime) -> String {
    date_time(t, ' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamp_formats() {
        let t = datetime!(2024-09-03 07:05:09.042 UTC);
        assert_eq!(fmt_millis(t), "2024-09-03T07:05:09.042Z");
        assert_eq!(fmt_seconds(t), "2024-09-03T07:05:09Z");
        assert_eq!(fmt_space(t), "2024-09-03 07:05:09");
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(datetime!(2025-01-31 8:00 UTC), 1), datetime!(2025-02-28 8:00 UTC));
        assert_eq!(add_months(datetime!(2025-11-15 0:00 UTC), 3), datetime!(2026-02-15 0:00 UTC));
        assert_eq!(add_months(datetime!(2025-03-15 0:00 UTC), 12), datetime!(2026-03-15 0:00 UTC));
    }

    #[test]
    fn traffic_is_used_over_time_and_capped() {
        let t0 = datetime!(2025-01-01 0:00 UTC);
        let p = Package {
            id: String::new(),
            total_gb: 100.0,
            used_gb: 10.0,
            used_at: t0,
            gb_per_day: 10.0,
            start: t0,
            end: t0 + Duration::days(30),
            product_id: String::new(),
        };
        assert_eq!(p.remaining(t0), 90.0);
        assert_eq!(p.remaining(t0 + Duration::days(2)), 70.0);
        assert_eq!(p.remaining(t0 + Duration::days(20)), 0.0);
    }
}
