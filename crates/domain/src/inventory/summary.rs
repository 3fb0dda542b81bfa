//! What the instances table shows of an instance, read on its own: a page view decodes 50
//! rows, and half of a full row's columns (ids, images, private addresses, the raw record)
//! are not on the table.

use lightdeck_huaweicloud::{InstanceId, Region};
use sqlx::Row;
use sqlx::postgres::PgRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::list::Listable;
use super::{InstanceRow, InstanceState};

/// One row of the instances table.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceSummary {
    pub id: i64,
    pub account_id: Uuid,
    pub region: Region,
    pub instance_id: InstanceId,
    pub name: String,
    pub spec_code: Option<String>,
    /// The status string as the cloud reported it, e.g. `ACTIVE`.
    pub status: String,
    pub state: InstanceState,
    /// The first public address.
    pub public_ip: Option<String>,
    pub expires_at: Option<OffsetDateTime>,
    pub traffic_remaining_gb: Option<f64>,
    pub traffic_total_gb: Option<f64>,
    /// Its tags, `(key, value)` by key.
    pub tags: Vec<(String, String)>,
}

impl InstanceSummary {
    /// Remaining traffic as a percentage of the package, when both are known.
    pub fn traffic_left_pct(&self) -> Option<f64> {
        super::traffic_left_pct(self.traffic_remaining_gb, self.traffic_total_gb)
    }
}

impl From<&InstanceRow> for InstanceSummary {
    fn from(r: &InstanceRow) -> Self {
        InstanceSummary {
            id: r.id,
            account_id: r.account_id,
            region: r.region,
            instance_id: r.instance_id.clone(),
            name: r.name.clone(),
            spec_code: r.spec_code.clone(),
            status: r.status.clone(),
            state: r.state,
            public_ip: r.public_ips.first().cloned(),
            expires_at: r.expires_at,
            traffic_remaining_gb: r.traffic_remaining_gb,
            traffic_total_gb: r.traffic_total_gb,
            tags: r.tags.clone(),
        }
    }
}

/// The select list, in the order [`InstanceSummary`]'s `decode` reads it.
pub(super) const COLUMNS: &str = "id, account_id, region, instance_id, name, spec_code, status, \
     state, public_ips[1] AS public_ip, expires_at, \
     traffic_remaining_gb::float8 AS traffic_remaining_gb, \
     traffic_total_gb::float8 AS traffic_total_gb, tags";

impl Listable for InstanceSummary {
    const WIDTH: usize = 13;

    fn decode(row: &PgRow) -> sqlx::Result<Self> {
        Ok(InstanceSummary {
            id: row.try_get(0)?,
            account_id: row.try_get(1)?,
            region: row.try_get(2)?,
            instance_id: row.try_get(3)?,
            name: row.try_get(4)?,
            spec_code: row.try_get(5)?,
            status: row.try_get(6)?,
            state: row.try_get(7)?,
            public_ip: row.try_get(8)?,
            expires_at: row.try_get(9)?,
            traffic_remaining_gb: row.try_get(10)?,
            traffic_total_gb: row.try_get(11)?,
            tags: super::tag_pairs(row.try_get(12)?),
        })
    }

    fn row_id(&self) -> i64 {
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder reads by position: the select list must name the fields in order.
    #[test]
    fn columns_match_the_positional_decoder() {
        let names: Vec<&str> =
            COLUMNS.split(',').map(|c| c.trim().rsplit(" AS ").next().unwrap().trim()).collect();
        assert_eq!(
            names,
            [
                "id",
                "account_id",
                "region",
                "instance_id",
                "name",
                "spec_code",
                "status",
                "state",
                "public_ip",
                "expires_at",
                "traffic_remaining_gb",
                "traffic_total_gb",
                "tags"
            ]
        );
        assert_eq!(names.len(), InstanceSummary::WIDTH);
    }
}
