//! BSS `POST /v2/orders/suscriptions/resources/query` (sic; ListPayPerUseCustomerResources):
//! per-resource expiry, status and expire policy (reference §5.11, "Related").

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::bss::{RESOURCE_TYPE, SERVICE, SERVICE_NAME, param};
use crate::http::body::{Obj, parse_object};
use crate::http::errors::ApiResult;
use crate::http::{Reply, pipeline::Ctx};
use crate::state::{Instance, State, fmt_seconds};

fn pay_per_use_rows(i: &Instance, now: OffsetDateTime, main_only: bool) -> Vec<Value> {
    // 2 in use, 5 expired (grace period), 4 frozen (reference §5.11, "Related").
    let status = if i.is_frozen(now) {
        4
    } else if i.is_expired(now) {
        5
    } else {
        2
    };
    let main = json!({
        "id": i.id,
        "resource_id": i.id,
        "resource_name": i.name,
        "region_code": i.region.id(),
        "service_type_code": SERVICE,
        "resource_type_code": RESOURCE_TYPE,
        "service_type_name": SERVICE_NAME,
        "resource_type_name": "Flexus L实例",
        "project_id": i.project_id,
        "product_id": i.product_id,
        "update_time": fmt_seconds(i.updated),
        "resource_spec_code": i.plan_spec,
        "parent_resource_id": "",
        "is_main_resource": 1,
        "status": status,
        "effective_time": fmt_seconds(i.created),
        "expire_time": fmt_seconds(i.expires),
        "expire_policy": if i.auto_renew { 3 } else { 0 },
    });
    if main_only {
        return vec![main];
    }
    let package = json!({
        "id": i.package.id,
        "resource_id": i.package.id,
        "resource_name": format!("{}-traffic", i.name),
        "region_code": i.region.id(),
        "service_type_code": "hws.service.type.cbc",
        "resource_type_code": "hws.resource.type.bandwidth",
        "service_type_name": "流量套餐包",
        "resource_type_name": "流量包",
        "project_id": i.project_id,
        "product_id": i.package.product_id,
        "update_time": fmt_seconds(i.updated),
        "resource_spec_code": "traffic_package",
        "parent_resource_id": i.id,
        "is_main_resource": 0,
        "status": status,
        "effective_time": fmt_seconds(i.created),
        "expire_time": fmt_seconds(i.expires),
        "expire_policy": if i.auto_renew { 3 } else { 0 },
    });
    vec![main, package]
}

fn time_field(o: &Obj<'_>, name: &str) -> ApiResult<Option<OffsetDateTime>> {
    match o.str(name).map_err(param)? {
        None => Ok(None),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339).map(Some).map_err(|_| {
            param(format!("{name}: must be a UTC time like 2024-01-31T16:00:00Z, not {s:?}"))
        }),
    }
}

/// `POST /v2/orders/suscriptions/resources/query` (sic).
pub fn pay_per_use_resources(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let b = parse_object(ctx.body).map_err(param)?;
    let o = Obj::new(&b);
    let ids = o.str_array("resource_ids").map_err(param)?;
    if ids.as_ref().is_some_and(|v| v.len() > 50) {
        return Err(param("resource_ids: must list at most 50 ids".to_owned()));
    }
    let order_id = o.str("order_id").map_err(param)?;
    let main_only = match o.int("only_main_resource").map_err(param)? {
        None | Some(0) => false,
        Some(1) => true,
        Some(n) => return Err(param(format!("only_main_resource: must be 0 or 1, not {n}"))),
    };
    let status_list: Option<Vec<i64>> = match o.array("status_list").map_err(param)? {
        None => None,
        Some(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, v)| {
                    v.as_i64().ok_or_else(|| param(format!("status_list[{i}]: must be an integer")))
                })
                .collect::<ApiResult<_>>()?,
        ),
    };
    let offset = o.int("offset").map_err(param)?.unwrap_or(0);
    let limit = o.int("limit").map_err(param)?.unwrap_or(10);
    if offset < 0 {
        return Err(param(format!("offset: must be 0 or more, not {offset}")));
    }
    if !(1..=500).contains(&limit) {
        return Err(param(format!("limit: must be 1 to 500, not {limit}")));
    }
    let begin = time_field(&o, "expire_time_begin")?;
    let end = time_field(&o, "expire_time_end")?;
    let service = o.str("service_type_code").map_err(param)?;
    let mut rows = Vec::new();
    for iid in st.account_ids_after(caller.account, None) {
        let Some(i) = st.live_instance(iid) else { continue };
        if ids.as_ref().is_some_and(|v| !v.contains(&i.id.as_str()))
            || order_id.is_some_and(|x| x != i.order_id)
            || begin.is_some_and(|b| i.expires < b)
            || end.is_some_and(|e| i.expires > e)
        {
            continue;
        }
        for row in pay_per_use_rows(i, ctx.now, main_only) {
            let status_ok = status_list
                .as_ref()
                .is_none_or(|l| l.contains(&row["status"].as_i64().unwrap_or(0)));
            let service_ok = service.is_none_or(|s| row["service_type_code"] == s);
            if status_ok && service_ok {
                rows.push(row);
            }
        }
    }
    let total = rows.len();
    let data: Vec<Value> = rows.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(Reply::ok(json!({"data": data, "total_count": total})))
}
