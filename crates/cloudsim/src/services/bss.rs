//! BSS: order details, renewal, unsubscription, traffic-package usage and the pay-per-use
//! resource query (reference §5.8–5.11).

use http::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::http::body::{Obj, parse_object};
use crate::http::errors::{ApiError, ApiResult};
use crate::http::{Reply, pipeline::Ctx};
use crate::state::{Instance, Order, Period, State, fmt_seconds, lifecycle};

pub(super) const SERVICE: &str = "hws.service.type.hcss";
pub(super) const SERVICE_NAME: &str = "Flexus应用服务器L实例";
pub(super) const RESOURCE_TYPE: &str = "hws.resource.type.hecsfusion";
const CATEGORY: &str = "hws.resource.storage1.hcss";

pub(super) fn param(e: String) -> ApiError {
    ApiError::bss_param(e)
}

fn body(ctx: &Ctx<'_>) -> ApiResult<serde_json::Map<String, Value>> {
    parse_object(ctx.body).map_err(param)
}

fn order_info(o: &Order, st: &State, now: OffsetDateTime) -> Value {
    let status = o.status(now);
    let acct = st.dir.get(o.account);
    json!({
        "order_id": o.id,
        "customer_id": acct.map(|a| a.domain_id.clone()),
        "service_type_code": SERVICE,
        "service_type_name": SERVICE_NAME,
        "source_type": 1,
        "status": status,
        "order_type": o.order_type(),
        "amount_after_discount": o.amount,
        "official_amount": o.amount,
        "measure_id": 1,
        "create_time": fmt_seconds(o.created),
        "payment_time": (status != 6).then(|| fmt_seconds(o.pay_at)),
        "currency": "CNY",
        "contract_id": null,
        "amount_info": {
            "discounts": [],
            "flexipurchase_coupon_amount": 0.0,
            "coupon_amount": 0.0,
            "stored_card_amount": 0.0,
            "commission_amount": 0.0,
            "consumed_amount": o.amount,
        },
        "user_name": acct.map(|a| a.name.clone()),
        "pending_payment_end_time": (status == 6).then(|| fmt_seconds(o.payment_deadline())),
    })
}

/// `GET /v2/orders/customer-orders/details/{order_id}`.
pub fn order_details(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let limit = ctx.query_int("limit", 1, 100, 10).map_err(param)? as usize;
    let offset = ctx.query_int("offset", 0, i64::from(i32::MAX), 0).map_err(param)? as usize;
    let id = ctx.param("order_id");
    let order = st.orders.get(id).filter(|o| o.account == caller.account).ok_or_else(|| {
        ApiError::bss(
            StatusCode::BAD_REQUEST,
            "CBC.0101",
            format!("order_id: there is no order {id} in this account"),
        )
    })?;
    let per_item =
        if order.lines.is_empty() { 0.0 } else { order.amount / order.lines.len() as f64 };
    let spec_desc = format!("{} | {}", order.spec, order.region);
    let base_product = json!({
        "product_id": order.product_id,
        "product_spec_desc": spec_desc,
        "category_code": CATEGORY,
        "product_owner_service": SERVICE,
        "commercial_resource": RESOURCE_TYPE,
    });
    let items: Vec<Value> = order
        .lines
        .iter()
        .enumerate()
        .skip(offset)
        .take(limit)
        .map(|(n, line)| {
            let mut item = json!({
                "order_line_item_id": format!("{}-{:05}", order.id, n + 1),
                "service_type_code": SERVICE,
                "service_type_name": SERVICE_NAME,
                "period_type": order.period.map(|p| p.period_type),
                "period_num": order.period.map(|p| p.period_num),
                "effective_time": line.term.map(|t| fmt_seconds(t.0)),
                "expire_time": line.term.map(|t| fmt_seconds(t.1)),
                "subscription_num": 1,
                "amount_after_discount": per_item,
                "official_amount": per_item,
                "amount_info": {"discounts": [], "coupon_amount": 0.0, "consumed_amount": per_item},
                "currency": "CNY",
                "base_product_info": base_product,
                "order_id": order.id,
                "resource_id": line.resource_id,
            });
            if let (Some(item), Some(base)) = (item.as_object_mut(), base_product.as_object()) {
                item.extend(base.clone());
            }
            item
        })
        .collect();
    Ok(Reply::ok(json!({
        "total_count": order.lines.len(),
        "order_info": order_info(order, st, ctx.now),
        "order_line_items": items,
    })))
}

/// A `create_time_begin`/`create_time_end` filter: UTC `yyyy-MM-ddTHH:mm:ssZ`.
fn time_filter(ctx: &Ctx<'_>, name: &str) -> ApiResult<Option<OffsetDateTime>> {
    let Some(v) = ctx.query(name) else { return Ok(None) };
    OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
        .map(Some)
        .map_err(|_| param(format!("{name}: must be UTC yyyy-MM-ddTHH:mm:ssZ, not {v:?}")))
}

/// `GET /v2/orders/customer-orders` (ListCustomerOrders): the caller's orders, filtered,
/// by creation time (newest first unless `order_by=createTime`), paged by offset.
pub fn list_orders(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let limit = ctx.query_int("limit", 1, 100, 10).map_err(param)? as usize;
    let offset = ctx.query_int("offset", 0, i64::from(i32::MAX), 0).map_err(param)? as usize;
    let begin = time_filter(ctx, "create_time_begin")?;
    let end = time_filter(ctx, "create_time_end")?;
    let status = match ctx.query("status") {
        None => None,
        Some(v) => {
            Some(v.parse::<i32>().ok().filter(|s| [1, 3, 4, 5, 6, 9].contains(s)).ok_or_else(
                || param(format!("status: must be one of 1, 3, 4, 5, 6, 9, not {v:?}")),
            )?)
        }
    };
    let order_type = ctx.query_int("order_type", 1, 15, 0).map_err(param)?;
    let newest_first = match ctx.query("order_by") {
        None | Some("-createTime") => true,
        Some("createTime") => false,
        Some(other) => {
            return Err(param(format!(
                "order_by: must be createTime or -createTime, not {other:?}"
            )));
        }
    };
    let service = ctx.query("service_type_code");
    let id = ctx.query("order_id");
    let mut found: Vec<&Order> = st
        .orders
        .values()
        .filter(|o| o.account == caller.account)
        .filter(|o| id.is_none_or(|x| x == o.id))
        .filter(|_| service.is_none_or(|s| s == SERVICE))
        .filter(|o| begin.is_none_or(|b| o.created >= b) && end.is_none_or(|e| o.created <= e))
        .filter(|o| status.is_none_or(|s| o.status(ctx.now) == s))
        .filter(|o| order_type == 0 || i64::from(o.order_type()) == order_type)
        .collect();
    found.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    if newest_first {
        found.reverse();
    }
    let infos: Vec<Value> =
        found.iter().skip(offset).take(limit).map(|o| order_info(o, st, ctx.now)).collect();
    Ok(Reply::ok(json!({"total_count": found.len(), "order_infos": infos})))
}

fn resource_ids(o: &Obj<'_>, max: usize) -> ApiResult<Vec<String>> {
    let ids = o
        .str_array("resource_ids")
        .map_err(param)?
        .ok_or_else(|| param(o.missing("resource_ids")))?;
    if ids.is_empty() || ids.len() > max {
        return Err(param(format!(
            "resource_ids: must list 1 to {max} ids (it lists {})",
            ids.len()
        )));
    }
    Ok(ids.into_iter().map(str::to_owned).collect())
}

fn fail(rid: &str, code: &str, msg: &str) -> Value {
    json!({"resource_id": rid, "error_code": code, "error_msg": msg})
}

/// Splits `ids` into the caller's instances free for a new order and per-resource failures;
/// `busy` is the (code, message) for an instance with an order in progress, `refuse` names
/// any other reason this operation has to refuse an instance.
fn triage(
    st: &State,
    account: usize,
    ids: Vec<String>,
    busy: (&str, &str),
    refuse: impl Fn(&Instance) -> Option<(&'static str, String)>,
) -> (Vec<String>, Vec<Value>) {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for rid in ids {
        match st.live_instance(&rid).filter(|i| i.account == account) {
            None => failed.push(fail(
                &rid,
                "CBC.99003016",
                "The resource does not exist or has been deleted.",
            )),
            Some(i) if i.pending_order.is_some() => failed.push(fail(&rid, busy.0, busy.1)),
            Some(i) => match refuse(i) {
                Some((code, msg)) => failed.push(fail(&rid, code, &msg)),
                None => ok.push(rid),
            },
        }
    }
    (ok, failed)
}

/// `{"order_ids", "fail_resource_infos"}`: one order for every resource that passed.
fn resource_orders(
    ok: Vec<String>,
    failed: Vec<Value>,
    order: impl FnOnce(Vec<String>) -> String,
) -> Reply {
    let order_ids: Vec<String> = if ok.is_empty() { Vec::new() } else { vec![order(ok)] };
    Reply::ok(json!({"order_ids": order_ids, "fail_resource_infos": failed}))
}

/// `POST /v2/orders/subscriptions/resources/renew`.
pub fn renew(ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let b = body(ctx)?;
    let o = Obj::new(&b);
    let ids = resource_ids(&o, 10)?;
    let period_type = o.req_int("period_type").map_err(param)?;
    let period_num = o.req_int("period_num").map_err(param)?;
    let auto_pay = o.int("is_auto_pay").map_err(param)?.unwrap_or(0);
    o.int("expire_policy").map_err(param)?;
    let max = match period_type {
        2 => 11,
        3 => 3,
        _ => {
            return Err(param(format!(
                "period_type: must be 2 (month) or 3 (year), not {period_type}"
            )));
        }
    };
    if !(1..=max).contains(&period_num) {
        return Err(ApiError::bss(
            StatusCode::BAD_REQUEST,
            "CBC.30010069",
            format!("period_num: must be 1 to {max} for this period_type (it is {period_num})"),
        ));
    }
    if !(0..=1).contains(&auto_pay) {
        return Err(param(format!("is_auto_pay: must be 0 or 1, not {auto_pay}")));
    }
    let busy = ("CBC.99003144", "The resource has an order in progress.");
    let period = Period { period_type: period_type as i32, period_num: period_num as i32 };
    let too_long = |i: &Instance| {
        State::renewal_too_long(i, period, ctx.now).then(|| {
            let max = lifecycle::MAX_AHEAD_MONTHS;
            let msg = format!("The total subscription duration would exceed {max} months.");
            ("CBC.99003154", msg)
        })
    };
    let (ok, failed) = triage(st, caller.account, ids, busy, too_long);
    if auto_pay == 1 && !ok.is_empty() {
        // Priced as the order will be: the first instance's spec for every line.
        let spec = st.instance(&ok[0]).map(|i| i.plan_spec.clone()).unwrap_or_default();
        let amount = crate::state::market::round_yuan(
            crate::state::monthly_price(&spec) * f64::from(period.months()) * ok.len() as f64,
        );
        if !st.market.charge(caller.account, amount) {
            let balance = st.market.balance(caller.account);
            return Err(ApiError::bss(
                StatusCode::BAD_REQUEST,
                "CBC.30050006",
                format!(
                    "Automatic payment failed: the balance ({balance:.2} CNY) does not cover the renewal ({amount:.2} CNY)."
                ),
            ));
        }
    }
    Ok(resource_orders(ok, failed, |ok| {
        st.create_renew_order(caller.account, ok, period, auto_pay == 1, ctx.now)
    }))
}

/// `POST /v2/orders/subscriptions/resources/unsubscribe`.
pub fn unsubscribe(ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let b = body(ctx)?;
    let o = Obj::new(&b);
    let ids = resource_ids(&o, 10)?;
    let kind = o.req_int("unsubscribe_type").map_err(param)?;
    if !(1..=2).contains(&kind) {
        return Err(param(format!(
            "unsubscribe_type: must be 1 (resource) or 2 (renewed periods only), not {kind}"
        )));
    }
    if let Some(r) = o.int("unsubscribe_reason_type").map_err(param)?
        && !(1..=5).contains(&r)
    {
        return Err(param(format!("unsubscribe_reason_type: must be 1 to 5, not {r}")));
    }
    o.str("unsubscribe_reason").map_err(param)?;
    let busy = ("CBC.99003651", "A transaction on this resource is in progress.");
    // Type 2 needs a renewal that has not started. The reference has no code for its
    // absence; `CBC.30010069` ("no such renewal period") is the nearest it names.
    let no_renewals = |i: &Instance| {
        (kind == 2 && st.renewals_ahead(&i.id, ctx.now).is_none()).then(|| {
            (
                "CBC.30010069",
                "The resource has no renewal period that has not started yet.".to_owned(),
            )
        })
    };
    let (ok, failed) = triage(st, caller.account, ids, busy, no_renewals);
    Ok(resource_orders(ok, failed, |ok| st.unsubscribe(caller.account, ok, kind as i32, ctx.now)))
}

/// `POST /v2/payments/free-resources/usages/details/query`.
pub fn free_resource_usages(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let b = body(ctx)?;
    let o = Obj::new(&b);
    let ids = o
        .str_array("free_resource_ids")
        .map_err(param)?
        .ok_or_else(|| param(o.missing("free_resource_ids")))?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(param(format!(
            "free_resource_ids: must list 1 to 100 ids (it lists {})",
            ids.len()
        )));
    }
    if let Some((i, _)) = ids.iter().enumerate().find(|(_, id)| id.len() > 64) {
        return Err(param(format!("free_resource_ids[{i}]: must be at most 64 bytes")));
    }
    let english = ctx.header("x-language") == Some("en_US");
    let found: Vec<Value> = ids
        .iter()
        .filter_map(|id| st.instance_by_package(id).filter(|i| i.account == caller.account))
        .map(|i| {
            let p = &i.package;
            json!({
                "free_resource_id": p.id,
                "free_resource_type_name": if english { "Lightweight BGP traffic package" } else { "轻量BGP流量套餐包" },
                "usage_type_name": if english { "Upstream traffic" } else { "上行流量" },
                "quota_reuse_cycle": 4,
                "quota_reuse_cycle_type": 2,
                "start_time": fmt_seconds(p.start),
                "end_time": fmt_seconds(p.end),
                "amount": p.remaining(ctx.now),
                "original_amount": p.total_gb,
                "measure_id": 10,
            })
        })
        .collect();
    Ok(Reply::ok(json!({"free_resources": found})))
}
