//! ListServersDetails: `GET /v1/{project_id}/cloudservers/detail`.

use serde::{Deserialize, Serialize};

use super::ServerDetail;
use crate::model::wire::{null_as_default, push_query};

/// Largest `limit` ListServersDetails accepts.
pub const LIST_SERVERS_MAX_LIMIT: u32 = 1000;

/// Query of ListServersDetails. `offset` is a page number (1-based; 0 means 1), `limit` the
/// page size (default 25, at most [`LIST_SERVERS_MAX_LIMIT`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListServersDetailsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flavor: Option<String>,
    /// IPv4, fuzzy match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Fuzzy match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "not-tags", default, skip_serializing_if = "Option::is_none")]
    pub not_tags: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// IPv4, exact match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_eq: Option<String>,
    /// Comma-separated UUIDs; when set, every other filter is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    /// Id of the last server of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

impl ListServersDetailsQuery {
    /// (key, value) pairs for signing and the URL.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        push_query(&mut q, "enterprise_project_id", &self.enterprise_project_id);
        push_query(&mut q, "flavor", &self.flavor);
        push_query(&mut q, "ip", &self.ip);
        push_query(&mut q, "limit", &self.limit);
        push_query(&mut q, "name", &self.name);
        push_query(&mut q, "not-tags", &self.not_tags);
        push_query(&mut q, "offset", &self.offset);
        push_query(&mut q, "reservation_id", &self.reservation_id);
        push_query(&mut q, "status", &self.status);
        push_query(&mut q, "tags", &self.tags);
        push_query(&mut q, "ip_eq", &self.ip_eq);
        push_query(&mut q, "server_id", &self.server_id);
        push_query(&mut q, "marker", &self.marker);
        q
    }

    /// Rejects a `limit` outside 1–1000, naming the field.
    pub fn check(&self) -> Result<(), crate::validate::FieldError> {
        match self.limit {
            Some(l) if l == 0 || l > LIST_SERVERS_MAX_LIMIT => {
                Err(crate::validate::FieldError::new(
                    "limit",
                    format!("must be 1 to {LIST_SERVERS_MAX_LIMIT}, got {l}"),
                ))
            }
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ListServersDetailsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub count: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub servers: Vec<ServerDetail>,
}
