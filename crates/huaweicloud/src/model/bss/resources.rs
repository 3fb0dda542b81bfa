//! Traffic-package usage (ListFreeResourceUsages) and the customer's prepaid resources
//! (ListPayPerUseCustomerResources), reference §5.8 and §5.11.

use serde::{Deserialize, Serialize};

use crate::model::wire::null_as_default;

// ---------------------------------------------------------------------------------------------
// ListFreeResourceUsages: `POST /v2/payments/free-resources/usages/details/query`

/// At most 100 ids, each ≤ 64 bytes: the traffic-package ids from RMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListFreeResourceUsagesRequest {
    pub free_resource_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ListFreeResourceUsagesResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub free_resources: Vec<FreeResourceDetail>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FreeResourceDetail {
    pub free_resource_id: String,
    /// E.g. `轻量BGP流量套餐包`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_resource_type_name: Option<String>,
    /// E.g. `上行流量`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_type_name: Option<String>,
    /// 1 hour, 2 day, 3 week, 4 month, 5 year (resettable packages only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_reuse_cycle: Option<i64>,
    /// 1 resets on the calendar cycle, 2 on the subscription anniversary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_reuse_cycle_type: Option<i64>,
    /// UTC, e.g. `2024-12-25T08:00:00Z`: the current cycle, or the validity window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Remaining in the current cycle, in `measure_id` units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// Total per cycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_amount: Option<f64>,
    /// Unit of the amounts (10 for the seed's GB-sized package; mapping not verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure_id: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// ListPayPerUseCustomerResources: `POST /v2/orders/suscriptions/resources/query` (sic)

/// `QueryResourcesReq`. Every filter is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct QueryResourcesRequest {
    /// At most 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// 1 = main resources only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_main_resource: Option<i64>,
    /// See [`ResourceStatus`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time_begin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_code: Option<String>,
    /// Partners only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
}

impl QueryResourcesRequest {
    /// The main resources among `ids` (expiry and auto-renew state of L instances).
    pub fn main_resources(ids: Vec<String>) -> Self {
        QueryResourcesRequest {
            limit: Some(ids.len().max(1) as i64),
            resource_ids: Some(ids),
            only_main_resource: Some(1),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct QueryResourcesResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<OrderInstance>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_count: u64,
}

open_int_enum! {
    /// `OrderInstanceV2.status`.
    ResourceStatus {
        InUse = 2,
        Closed = 3,
        Frozen = 4,
        Expired = 5,
    }
}

open_int_enum! {
    /// What happens at expiry (`OrderInstanceV2.expire_policy`).
    ExpirePolicy {
        GracePeriod = 0,
        ToOnDemand = 1,
        AutoDelete = 2,
        AutoRenew = 3,
        Freeze = 4,
        DeleteFromRetention = 5,
    }
}

/// `OrderInstanceV2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OrderInstance {
    /// Internal id of the resource to provision; `resource_id` exists once it is provisioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub resource_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_spec_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_resource_id: Option<String>,
    /// 1 main resource, 0 bundled sub-resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_main_resource: Option<i64>,
    /// See [`ResourceStatus`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// UTC `yyyy-MM-ddTHH:mm:ssZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<String>,
    /// See [`ExpirePolicy`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_policy: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_spec_desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_size: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_size_measure_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprise_project: Option<EnterpriseProject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EnterpriseProject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl OrderInstance {
    pub fn resource_status(&self) -> Option<ResourceStatus> {
        self.status.map(ResourceStatus::from_code)
    }

    pub fn expiry_policy(&self) -> Option<ExpirePolicy> {
        self.expire_policy.map(ExpirePolicy::from_code)
    }

    /// Only policy 3 means the resource renews itself.
    pub fn is_auto_renew(&self) -> bool {
        self.expire_policy == Some(ExpirePolicy::AutoRenew.code())
    }

    pub fn is_main(&self) -> bool {
        self.is_main_resource == Some(1)
    }
}
