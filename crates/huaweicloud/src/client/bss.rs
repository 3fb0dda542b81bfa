//! BSS: orders, renewals, unsubscriptions, traffic-package usage and expiry dates. Global
//! service: with AK/SK the account id is sent as the signed `X-Domain-Id`.

use http::Method;

use super::retry::Repeat;
use super::transport::Op;
use super::{Account, ChunkResult, Pages, Reply, json_body};
use crate::endpoints::Service;
use crate::error::Error;
use crate::ids::{InstanceId, OrderId, PackageId};
use crate::model::bss::{
    CustomerOrder, FreeResourceDetail, ListCustomerOrdersQuery, ListCustomerOrdersResponse,
    ListFreeResourceUsagesRequest, ListFreeResourceUsagesResponse, OrderDetailsResponse,
    OrderInstance, PeriodType, QueryResourcesRequest, QueryResourcesResponse,
    RenewalResourcesRequest, ResourceOrdersResponse, UnsubscribeResourcesRequest, UnsubscribeType,
};
use crate::signing::encode_path_param;
use crate::validate::FieldErrors;

/// Most resource ids one renew or unsubscribe call may name.
pub const BSS_ORDER_MAX: usize = 10;
/// Most traffic package ids one usage query may name.
pub const BSS_USAGE_MAX: usize = 100;
/// Most resource ids one pay-per-period resource query may name.
pub const BSS_QUERY_MAX: usize = 50;
/// Page size of the resource query.
const QUERY_PAGE: i64 = 100;
/// Page size of the order list (the reference gives no maximum; 50 stays well inside what
/// BSS lists allow elsewhere).
pub const ORDERS_PAGE: i64 = 50;
/// A bound against a server whose `total_count` never stops the paging.
const MAX_PAGES: usize = 10_000;

/// How to renew: period unit, number of units (month 1–11, year 1–3), pay at once or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenewOptions {
    pub period: PeriodType,
    pub count: i64,
    /// `true` pays from the account balance; `false` leaves an unpaid order.
    pub auto_pay: bool,
}

/// How to unsubscribe, and the reason to give Huawei.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeOptions {
    pub kind: UnsubscribeType,
    /// 1 hard to use, 2 features missing, 3 too complex, 4 unhappy with service, 5 other.
    pub reason_type: Option<i64>,
    pub reason: Option<String>,
}

fn bss_op(operation: &'static str, method: Method, path: String) -> Op {
    Op {
        service: Service::Bss,
        operation,
        region: None,
        method,
        path,
        query: Vec::new(),
        content_type: "application/json",
        headers: Vec::new(),
        body: Vec::new(),
        repeat: Repeat::Safe,
    }
}

impl Account {
    /// `GET /v2/orders/customer-orders/details/{order_id}`: poll until `status` is 5.
    pub async fn order_details(
        &self,
        order: &OrderId,
    ) -> Result<Reply<OrderDetailsResponse>, Error> {
        let (_, auth) = self.domain_auth().await?;
        let path =
            format!("/v2/orders/customer-orders/details/{}", encode_path_param(order.as_str()));
        self.call(&bss_op("show_customer_order_details", Method::GET, path), &auth).await
    }

    /// `GET /v2/orders/customer-orders`: one page of the account's orders matching `query`
    /// (e.g. [`ListCustomerOrdersQuery::flexus_purchases_since`]).
    pub async fn list_customer_orders(
        &self,
        query: &ListCustomerOrdersQuery,
    ) -> Result<Reply<ListCustomerOrdersResponse>, Error> {
        let (_, auth) = self.domain_auth().await?;
        let mut op =
            bss_op("list_customer_orders", Method::GET, "/v2/orders/customer-orders".into());
        op.query = query.query_pairs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        self.call(&op, &auth).await
    }

    /// Every order matching `query`, walking pages of [`ORDERS_PAGE`] by offset until
    /// `total_count` is reached (`limit`/`offset` of `query` are ignored).
    pub async fn list_all_customer_orders(
        &self,
        query: &ListCustomerOrdersQuery,
    ) -> Result<Pages<CustomerOrder>, Error> {
        let mut pages = Pages { items: Vec::new(), request_ids: Vec::new() };
        let mut offset = 0i64;
        for _ in 0..MAX_PAGES {
            let page = ListCustomerOrdersQuery {
                limit: Some(ORDERS_PAGE),
                offset: Some(offset),
                ..query.clone()
            };
            let reply = self.list_customer_orders(&page).await?;
            pages.request_ids.push(reply.request_id);
            let got = i64::try_from(reply.body.order_infos.len()).unwrap_or(i64::MAX);
            pages.items.extend(reply.body.order_infos);
            offset = offset.saturating_add(got);
            let total = i64::try_from(reply.body.total_count).unwrap_or(i64::MAX);
            if got == 0 || offset >= total {
                break;
            }
        }
        Ok(pages)
    }

    /// Renews instances, 10 per call. Never repeated after an ambiguous failure (that chunk
    /// ends as outcome-unknown: a repeat could pay twice).
    pub async fn renew(
        &self,
        instances: &[InstanceId],
        options: &RenewOptions,
    ) -> Result<Vec<ChunkResult<InstanceId, ResourceOrdersResponse>>, Error> {
        let max = match options.period {
            PeriodType::Month => 11,
            PeriodType::Year => 3,
        };
        if !(1..=max).contains(&options.count) {
            let mut errors = FieldErrors::default();
            errors.push(
                "period_num",
                format!("must be 1 to {max} for this period type, got {}", options.count),
            );
            return Err(errors.into());
        }
        self.order_chunks(
            instances,
            "renewal_resources",
            "/v2/orders/subscriptions/resources/renew",
            |ids| {
                json_body(
                    "renewal_resources",
                    &RenewalResourcesRequest::new(
                        ids,
                        options.period,
                        options.count,
                        options.auto_pay,
                    ),
                )
            },
        )
        .await
    }

    /// Unsubscribes instances (releasing them and every bundled resource), 10 per call.
    /// Never repeated after an ambiguous failure.
    pub async fn unsubscribe(
        &self,
        instances: &[InstanceId],
        options: &UnsubscribeOptions,
    ) -> Result<Vec<ChunkResult<InstanceId, ResourceOrdersResponse>>, Error> {
        let path = "/v2/orders/subscriptions/resources/unsubscribe";
        self.order_chunks(instances, "cancel_resources_subscription", path, |ids| {
            let mut request = UnsubscribeResourcesRequest::new(ids, options.kind);
            request.unsubscribe_reason_type = options.reason_type;
            request.unsubscribe_reason = options.reason.clone();
            json_body("cancel_resources_subscription", &request)
        })
        .await
    }

    async fn order_chunks(
        &self,
        instances: &[InstanceId],
        operation: &'static str,
        path: &str,
        body: impl Fn(Vec<String>) -> Result<Vec<u8>, Error>,
    ) -> Result<Vec<ChunkResult<InstanceId, ResourceOrdersResponse>>, Error> {
        if instances.is_empty() {
            return Ok(Vec::new());
        }
        let (_, auth) = self.domain_auth().await?;
        let results = self
            .call_chunks(instances, BSS_ORDER_MAX, &auth, |chunk| {
                let mut op = bss_op(operation, Method::POST, path.to_owned());
                op.body = body(chunk.iter().map(|i| i.to_string()).collect())?;
                op.repeat = Repeat::OnlyIfNotProcessed;
                Ok(op)
            })
            .await;
        Ok(results)
    }

    /// Remaining traffic of packages, 100 per call, merged into one list.
    pub async fn free_resource_usages(
        &self,
        packages: &[PackageId],
    ) -> Result<Pages<FreeResourceDetail>, Error> {
        let mut pages = Pages { items: Vec::new(), request_ids: Vec::new() };
        if packages.is_empty() {
            return Ok(pages);
        }
        let (_, auth) = self.domain_auth().await?;
        for chunk in packages.chunks(BSS_USAGE_MAX) {
            let request = ListFreeResourceUsagesRequest {
                free_resource_ids: chunk.iter().map(|p| p.to_string()).collect(),
            };
            let path = "/v2/payments/free-resources/usages/details/query".to_owned();
            let mut op = bss_op("list_free_resource_usages", Method::POST, path);
            op.body = json_body("list_free_resource_usages", &request)?;
            let reply: Reply<ListFreeResourceUsagesResponse> = self.call(&op, &auth).await?;
            pages.request_ids.push(reply.request_id);
            pages.items.extend(reply.body.free_resources);
        }
        Ok(pages)
    }

    /// Expiry date and expiry policy (auto-renew or not) of instances: their main resources.
    pub async fn instance_expiry(
        &self,
        instances: &[InstanceId],
    ) -> Result<Pages<OrderInstance>, Error> {
        if instances.is_empty() {
            return Ok(Pages { items: Vec::new(), request_ids: Vec::new() });
        }
        let filter = QueryResourcesRequest::main_resources(
            instances.iter().map(|i| i.to_string()).collect(),
        );
        self.pay_per_period_resources(&filter).await
    }

    /// `POST /v2/orders/suscriptions/resources/query` (sic): yearly/monthly resources matching
    /// `filter`. `resource_ids` are sent 50 per call; each call's pages are walked by
    /// offset; `offset`/`limit` of `filter` are ignored.
    pub async fn pay_per_period_resources(
        &self,
        filter: &QueryResourcesRequest,
    ) -> Result<Pages<OrderInstance>, Error> {
        let (_, auth) = self.domain_auth().await?;
        let id_chunks: Vec<Option<Vec<String>>> = match &filter.resource_ids {
            Some(ids) => ids.chunks(BSS_QUERY_MAX).map(|c| Some(c.to_vec())).collect(),
            None => vec![None],
        };
        let mut pages = Pages { items: Vec::new(), request_ids: Vec::new() };
        for ids in id_chunks {
            let mut offset = 0i64;
            for _ in 0..MAX_PAGES {
                let request = QueryResourcesRequest {
                    resource_ids: ids.clone(),
                    offset: Some(offset),
                    limit: Some(QUERY_PAGE),
                    ..filter.clone()
                };
                let path = "/v2/orders/suscriptions/resources/query".to_owned();
                let mut op = bss_op("list_pay_per_use_customer_resources", Method::POST, path);
                op.body = json_body("list_pay_per_use_customer_resources", &request)?;
                let reply: Reply<QueryResourcesResponse> = self.call(&op, &auth).await?;
                pages.request_ids.push(reply.request_id);
                let got = i64::try_from(reply.body.data.len()).unwrap_or(i64::MAX);
                pages.items.extend(reply.body.data);
                offset = offset.saturating_add(got);
                let total = i64::try_from(reply.body.total_count).unwrap_or(i64::MAX);
                if got == 0 || offset >= total {
                    break;
                }
            }
        }
        Ok(pages)
    }
}
