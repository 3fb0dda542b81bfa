//! HCSS `POST /v1/light-instances`: buy Flexus L instances (reference §5.1). Validation is
//! the client crate's own (`validate::purchase`), so both sides agree on every rule.

use std::collections::BTreeMap;

use http::StatusCode;
use lightdeck_huaweicloud::model::hcss::{ExtraResource, ImageRef, PurchaseRequest, Tag};
use lightdeck_huaweicloud::{FieldErrors, Region, validate};
use serde_json::{Map, Value, json};

use crate::http::body::{Obj, parse_object};
use crate::http::errors::{ApiError, ApiResult, Shape};
use crate::http::{Reply, pipeline::Ctx};
use crate::state::{NewInstance, Period, PurchaseRecord, State, purchase_amount};

fn joined(errs: &FieldErrors) -> String {
    errs.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

/// Reads the body into the client crate's request type, naming the field of any type error.
fn read_request(m: &Map<String, Value>) -> Result<PurchaseRequest, String> {
    let o = Obj::new(m);
    let image_ref = match o.object("image_ref")? {
        None => None,
        Some(i) => {
            let i = Obj::with_prefix(i, "image_ref");
            Some(ImageRef {
                image_name: i.str("image_name")?.map(str::to_owned),
                image_version: i.str("image_version")?.map(str::to_owned),
                image_id: i.str("image_id")?.map(str::to_owned),
            })
        }
    };
    // The seed's table spells it `ExtraResources`, its example `extra_resources`.
    let extra_key = if o.get("extra_resources").is_none() && o.get("ExtraResources").is_some() {
        "ExtraResources"
    } else {
        "extra_resources"
    };
    let extra_resources = o.objects(extra_key, |e| {
        Ok(ExtraResource { kind: e.req_str("type")?.to_owned(), size: e.int("size")? })
    })?;
    let tags = o.objects("tags", |t| {
        Ok(Tag { key: t.req_str("key")?.to_owned(), value: t.req_str("value")?.to_owned() })
    })?;
    Ok(PurchaseRequest {
        instance_name: o.req_str("instance_name")?.to_owned(),
        description: o.str("description")?.map(str::to_owned),
        plan_spec: o.req_str("plan_spec")?.to_owned(),
        image_ref,
        region: o.req_str("region")?.to_owned(),
        charging_mode: o.str("charging_mode")?.map(str::to_owned),
        period_type: o.req_str("period_type")?.to_owned(),
        period_num: o.int_or_digits("period_num")?.ok_or_else(|| o.missing("period_num"))?,
        purchase_quantity: o.int("purchase_quantity")?,
        is_auto_renew: o.bool("is_auto_renew")?,
        is_auto_pay: o.bool("is_auto_pay")?,
        extra_resources,
        tags,
    })
}

/// HCSS's code for a spec sold out in the region ("flavor capacity short", SEED).
pub const SOLD_OUT: &str = "HCSS.14000010";
/// HCSS's code for an exhausted quota (SEED).
pub const QUOTA: &str = "HCSS.14000011";
/// CBC's code for a failed auto-payment (reference §4.3, from BSS renew). That HCSS passes
/// it through for a purchase, in its own body and with 400, and creates no order then, is
/// the simulator's choice.
pub const AUTO_PAY_FAILED: &str = "CBC.30050006";

fn refuse(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, Shape::Hcss, code, message)
}

/// The answer a purchase got: 202 with the order and the instance ids handed out.
fn accepted(st: &State, order_id: &str) -> Reply {
    let ids: Vec<&str> =
        st.orders.get(order_id).map(|o| o.resource_ids().collect()).unwrap_or_default();
    Reply::status(StatusCode::ACCEPTED, json!({"order_id": order_id, "instance_ids": ids}))
}

pub fn purchase(ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let crid = ctx.header("client-request-id").map(str::trim).ok_or_else(|| {
        ApiError::hcss_param("Client-Request-Id: this header is required (a UUID is recommended)")
    })?;
    validate::client_request_id(crid)
        .map_err(|e| ApiError::hcss_param(format!("Client-Request-Id: {}", e.message)))?;
    let body = parse_object(ctx.body).map_err(ApiError::hcss_param)?;
    let req = read_request(&body).map_err(ApiError::hcss_param)?;

    // The same id again: the same request gets its order back (whatever the client's
    // retry policy, nothing is bought twice); another request is refused rather than
    // silently answered with an order it did not place.
    let key = (caller.account, crid.to_owned());
    if let Some(first) = st.purchases.get(&key) {
        if first.request.as_ref().is_some_and(|r| *r != req) {
            return Err(ApiError::hcss_param(format!(
                "Client-Request-Id: {crid} was already used for a different purchase request \
                 (order {}); send a new id for a new purchase",
                first.order_id
            )));
        }
        return Ok(accepted(st, &first.order_id));
    }

    validate::purchase(&req).map_err(|e| ApiError::hcss_param(joined(&e)))?;
    let region: Region =
        req.region.parse().map_err(|e| ApiError::hcss_param(format!("region: {e}")))?;
    if let Some((project, token_region)) = caller.token_project()
        && token_region != region
    {
        return Err(ApiError::hcss_param(format!(
            "region: the X-Auth-Token is scoped to project {project} in {token_region}; buy in {region} with a token of that region"
        )));
    }
    let quantity = req.purchase_quantity.unwrap_or(1).clamp(1, 200) as usize;
    if st.market.is_sold_out(region.id(), &req.plan_spec) {
        return Err(refuse(
            SOLD_OUT,
            format!("plan_spec: {} is sold out in {region}; choose another spec", req.plan_spec),
        ));
    }
    if let Some(quota) = st.market.quota(caller.account) {
        let held = st.instances_held(caller.account, ctx.now);
        if held + quantity > quota {
            return Err(refuse(
                QUOTA,
                format!(
                    "purchase_quantity: the instance quota is {quota} and {held} are in use or on order; {quantity} more do not fit"
                ),
            ));
        }
    }
    let period = Period {
        period_type: if req.period_type == "year" { 3 } else { 2 },
        period_num: i32::try_from(req.period_num)
            .map_err(|_| ApiError::hcss_param("period_num: out of range"))?,
    };
    let image = req.image_ref.clone().unwrap_or_default();
    let tags: BTreeMap<String, String> =
        req.tags.iter().flatten().map(|t| (t.key.clone(), t.value.clone())).collect();
    let extras: Vec<(String, Option<i64>)> =
        req.extra_resources.iter().flatten().map(|e| (e.kind.clone(), e.size)).collect();
    let mut instances = Vec::new();
    for i in 0..quantity {
        let name = if quantity == 1 {
            req.instance_name.clone()
        } else {
            format!("{}-{:04}", req.instance_name, i + 1)
        };
        let inst = st.build_instance(NewInstance {
            account: caller.account,
            region,
            name,
            description: req.description.clone().unwrap_or_default(),
            plan_spec: req.plan_spec.clone(),
            image_name: image.image_name.clone().unwrap_or_else(|| "private".to_owned()),
            image_version: image.image_version.clone().unwrap_or_default(),
            image_id: image.image_id.clone(),
            extras: extras.clone(),
            created: ctx.now,
            expires: ctx.now,
            auto_renew: req.is_auto_renew.unwrap_or(false),
            tags: tags.clone(),
            used_share: 0.0,
            status: "ACTIVE",
            now: ctx.now,
        });
        instances.push(inst);
    }
    let auto_pay = req.is_auto_pay.unwrap_or(false);
    if auto_pay {
        let amount = purchase_amount(&instances, period);
        if !st.market.charge(caller.account, amount) {
            let balance = st.market.balance(caller.account);
            return Err(refuse(
                AUTO_PAY_FAILED,
                format!(
                    "Automatic payment failed: the balance ({balance:.2} CNY) does not cover the order ({amount:.2} CNY). Top up, or buy without auto-pay and pay the order"
                ),
            ));
        }
    }
    let order_id = st.create_purchase_order(caller.account, instances, period, auto_pay, ctx.now);
    st.purchases.insert(key, PurchaseRecord { order_id: order_id.clone(), request: Some(req) });
    Ok(accepted(st, &order_id))
}
