//! BSS (billing) operations, all on the global `bss.myhuaweicloud.com` (reference §5.8–§5.11):
//! order details, renew, unsubscribe, traffic-package usage, the customer's prepaid resources,
//! and the BSS error body.
//!
//! Status and type codes stay integers on the wire; [`OrderStatus`], [`OrderType`] and friends
//! name them and keep unknown codes in `Other`.

use serde::{Deserialize, Serialize};

use super::wire::null_as_default;

/// An integer code with named values and an `Other` fallback.
macro_rules! open_int_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A code this version does not know.
            Other(i64),
        }

        impl $name {
            pub fn from_code(code: i64) -> Self {
                match code {
                    $($code => $name::$variant,)+
                    other => $name::Other(other),
                }
            }

            pub fn code(self) -> i64 {
                match self {
                    $($name::$variant => $code,)+
                    $name::Other(c) => c,
                }
            }
        }
    };
}

mod resources;

pub use resources::{
    EnterpriseProject, ExpirePolicy, FreeResourceDetail, ListFreeResourceUsagesRequest,
    ListFreeResourceUsagesResponse, OrderInstance, QueryResourcesRequest, QueryResourcesResponse,
    ResourceStatus,
};

// ---------------------------------------------------------------------------------------------
// ShowCustomerOrderDetails: `GET /v2/orders/customer-orders/details/{order_id}`

open_int_enum! {
    /// `order_info.status`.
    OrderStatus {
        PendingReview = 1,
        PendingRefund = 2,
        Processing = 3,
        Cancelled = 4,
        /// For a purchase: the Flexus L instance exists.
        Completed = 5,
        PendingPayment = 6,
        PendingConfirmation = 9,
        PendingShipment = 10,
        PendingReceipt = 11,
        PendingPickup = 12,
        ReplacementInProgress = 13,
    }
}

impl OrderStatus {
    /// Nothing more will happen to the order by itself.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Completed | OrderStatus::Cancelled)
    }
}

open_int_enum! {
    /// `order_info.order_type`.
    OrderType {
        NewPurchase = 1,
        Renewal = 2,
        Change = 3,
        Unsubscribe = 4,
        PrepaidToOnDemand = 10,
        OnDemandToPrepaid = 11,
        Trial = 13,
        TrialToCommercial = 14,
        FeeAdjustment = 15,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetailsResponse {
    /// Number of order line items.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_count: u64,
    pub order_info: CustomerOrder,
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_line_items: Vec<OrderLineItem>,
}

/// `CustomerOrderV3`; sub-orders (`SubCustomerOrderV3`) have the same fields minus their own
/// sub-orders, so they use this type too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CustomerOrder {
    pub order_id: String,
    /// See [`OrderStatus`].
    pub status: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_name: Option<String>,
    /// 1 customer, 2 agent, 3 contract, 4 distributor, 5 console deletion, 6 supplementary,
    /// 7 compensation, 8 system-created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<i64>,
    /// See [`OrderType`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_after_discount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official_amount: Option<f64>,
    /// 1 = yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure_id: Option<i64>,
    /// UTC `yyyy-MM-ddTHH:mm:ssZ`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_info: Option<AmountInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_payment_end_time: Option<String>,
    /// Only for combined orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_order_infos: Option<Vec<CustomerOrder>>,
}

impl CustomerOrder {
    pub fn order_status(&self) -> OrderStatus {
        OrderStatus::from_code(self.status)
    }

    pub fn order_kind(&self) -> Option<OrderType> {
        self.order_type.map(OrderType::from_code)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AmountInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discounts: Option<Vec<DiscountItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flexipurchase_coupon_amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon_amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_card_amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission_amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_amount: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DiscountItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<f64>,
}

/// `OrderLineItemEntityV2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OrderLineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_line_item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_spec_desc: Option<String>,
    /// 0 day, 1 week, 2 month, 3 year, 4 hour, 5 one-off, 6 on-demand, 7 usage report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_type: Option<i64>,
    /// `null` for unsubscribe orders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_num: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_num: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_after_discount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official_amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_info: Option<AmountInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_owner_service: Option<String>,
    /// E.g. `hws.resource.type.vm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commercial_resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_product_info: Option<BaseProductInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
}

/// The SDK's `ProductObject`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BaseProductInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_spec_desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_owner_service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commercial_resource: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// ListCustomerOrders: `GET /v2/orders/customer-orders` (reference §5.11, "related")

/// BSS `service_type_code` of Flexus L orders (the `cloud_service_type` RMS shows).
pub const HCSS_SERVICE_TYPE: &str = "hws.service.type.hcss";

/// Query of ListCustomerOrders. Times are UTC `yyyy-MM-ddTHH:mm:ssZ` (the format BSS uses
/// for `create_time`; the reference does not spell out the filter's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListCustomerOrdersQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time_begin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_code: Option<String>,
    /// The filter accepts 1, 3, 4, 5, 6, 9 ([`OrderStatus`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// See [`OrderType`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// `createTime` or `-createTime` (newest first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
}

impl ListCustomerOrdersQuery {
    /// New Flexus L purchases placed at or after `since` (`yyyy-MM-ddTHH:mm:ssZ`), newest
    /// first: where a purchase whose answer never came shows up, paid or not.
    pub fn flexus_purchases_since(since: &str) -> Self {
        ListCustomerOrdersQuery {
            create_time_begin: Some(since.to_owned()),
            service_type_code: Some(HCSS_SERVICE_TYPE.to_owned()),
            order_type: Some(OrderType::NewPurchase.code()),
            order_by: Some("-createTime".to_owned()),
            ..Default::default()
        }
    }

    /// (key, value) pairs for signing and the URL.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        use super::wire::push_query;
        let mut q = Vec::new();
        push_query(&mut q, "order_id", &self.order_id);
        push_query(&mut q, "create_time_begin", &self.create_time_begin);
        push_query(&mut q, "create_time_end", &self.create_time_end);
        push_query(&mut q, "service_type_code", &self.service_type_code);
        push_query(&mut q, "status", &self.status);
        push_query(&mut q, "order_type", &self.order_type);
        push_query(&mut q, "limit", &self.limit);
        push_query(&mut q, "offset", &self.offset);
        push_query(&mut q, "order_by", &self.order_by);
        q
    }
}

/// `{"total_count", "order_infos": [CustomerOrderV2]}`; V2 orders carry the fields of
/// [`CustomerOrder`] Lightdeck reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ListCustomerOrdersResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_count: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_infos: Vec<CustomerOrder>,
}

// ---------------------------------------------------------------------------------------------
// Renew and unsubscribe

/// Renewal unit; the wire carries its code (2 month, 3 year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodType {
    Month,
    Year,
}

impl PeriodType {
    pub fn code(self) -> i64 {
        match self {
            PeriodType::Month => 2,
            PeriodType::Year => 3,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            2 => Some(PeriodType::Month),
            3 => Some(PeriodType::Year),
            _ => None,
        }
    }
}

/// `POST /v2/orders/subscriptions/resources/renew` (`RenewalResourcesReq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalResourcesRequest {
    /// Main-resource ids (the L-instance id), at most 10.
    pub resource_ids: Vec<String>,
    /// See [`PeriodType`].
    pub period_type: i64,
    /// Month 1–11, year 1–3.
    pub period_num: i64,
    /// 1 pays from the balance at once; 0 or absent leaves the order unpaid (status 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_auto_pay: Option<i64>,
    /// Not in SDK 3.1.219 (older SDKs required it); cloudsim accepts and ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_policy: Option<i64>,
}

impl RenewalResourcesRequest {
    pub fn new(resource_ids: Vec<String>, period: PeriodType, count: i64, auto_pay: bool) -> Self {
        RenewalResourcesRequest {
            resource_ids,
            period_type: period.code(),
            period_num: count,
            is_auto_pay: Some(i64::from(auto_pay)),
            expire_policy: None,
        }
    }
}

open_int_enum! {
    /// `unsubscribe_type`.
    UnsubscribeType {
        /// The resource and its renewed periods.
        ResourceAndRenewals = 1,
        /// Only the renewed periods that have not started; the resource stays.
        RenewalsOnly = 2,
    }
}

/// `POST /v2/orders/subscriptions/resources/unsubscribe` (`UnsubscribeResourcesReq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsubscribeResourcesRequest {
    /// Main-resource ids, at most 10.
    pub resource_ids: Vec<String>,
    /// See [`UnsubscribeType`].
    pub unsubscribe_type: i64,
    /// 1 hard to use, 2 features missing, 3 too complex, 4 unhappy with service, 5 other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_reason_type: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_reason: Option<String>,
}

impl UnsubscribeResourcesRequest {
    pub fn new(resource_ids: Vec<String>, kind: UnsubscribeType) -> Self {
        UnsubscribeResourcesRequest {
            resource_ids,
            unsubscribe_type: kind.code(),
            unsubscribe_reason_type: None,
            unsubscribe_reason: None,
        }
    }
}

/// Renew and unsubscribe both answer with the orders they created and the resources that
/// failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ResourceOrdersResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_ids: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub fail_resource_infos: Vec<FailResourceInfo>,
}

pub type RenewalResourcesResponse = ResourceOrdersResponse;
pub type UnsubscribeResourcesResponse = ResourceOrdersResponse;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FailResourceInfo {
    #[serde(default, deserialize_with = "null_as_default")]
    pub resource_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub error_code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub error_msg: String,
}

// ---------------------------------------------------------------------------------------------
// Error body

/// `{"error_code": "CBC.0100", "error_msg": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BssErrorBody {
    pub error_code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub error_msg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_authorization_message: Option<String>,
}

impl BssErrorBody {
    pub fn new(code: impl Into<String>, msg: impl Into<String>) -> Self {
        BssErrorBody {
            error_code: code.into(),
            error_msg: msg.into(),
            encoded_authorization_message: None,
        }
    }
}
