//! RMS `GET /v1/resource-manager/domains/{domain_id}/all-resources` (reference §5.2): the
//! account's Flexus L instances, shaped like the seed's example, paged by an opaque marker.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::StatusCode;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::http::errors::{ApiError, ApiResult};
use crate::http::{Reply, pipeline::Ctx};
use crate::state::{Extra, Instance, State, fmt_millis, fmt_seconds, fmt_space};

/// Code for a bad query parameter. RMS's exact codes are not in the reference; this is the
/// simulator's choice, in RMS's documented body shape.
pub const BAD_PARAM: &str = "RMS.00010002";

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::rms(StatusCode::BAD_REQUEST, BAD_PARAM, message)
}

fn check_len(ctx: &Ctx<'_>, name: &str, max: usize) -> ApiResult<Option<String>> {
    match ctx.query(name) {
        Some(v) if v.chars().count() > max => {
            Err(bad(format!("{name}: must be at most {max} characters")))
        }
        other => Ok(other.map(str::to_owned)),
    }
}

pub fn list_all_resources(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let limit = ctx.query_int("limit", 1, 200, 100).map_err(bad)? as usize;
    let after = match ctx.query("marker") {
        None => None,
        Some(m) => Some(decode_marker(m).ok_or_else(|| {
            bad("marker: is not a marker this API returned (use page_info.next_marker as given)")
        })?),
    };
    let region = check_len(ctx, "region_id", 36)?;
    let kind = check_len(ctx, "type", 40)?;
    let ep_id = check_len(ctx, "ep_id", 36)?;
    let id = check_len(ctx, "id", 512)?;
    let name = check_len(ctx, "name", 256)?;
    let tags = ctx.query_all("tags");
    if tags.len() > 5 {
        return Err(bad("tags: at most 5 values"));
    }
    let type_ok = kind.as_deref().is_none_or(|t| t == "hcss.l-instance");
    let ep_ok = ep_id.as_deref().is_none_or(|e| e == "0");
    let matches = |i: &Instance| {
        region.as_deref().is_none_or(|r| r == i.region.id())
            && id.as_deref().is_none_or(|x| x == i.id)
            && name.as_deref().is_none_or(|n| i.name.contains(n))
            && tags.iter().all(|t| match t.split_once('=') {
                Some((k, v)) => i.tags.get(k).is_some_and(|x| x == v),
                None => i.tags.contains_key(*t),
            })
    };
    let mut page: Vec<&Instance> = Vec::with_capacity(limit + 1);
    if type_ok && ep_ok {
        for iid in st.account_ids_after(caller.account, after.as_deref()) {
            if let Some(inst) = st.instance(iid).filter(|i| matches(i)) {
                page.push(inst);
                if page.len() > limit {
                    break;
                }
            }
        }
    }
    let next_marker = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|i| URL_SAFE_NO_PAD.encode(i.id.as_bytes()))
    } else {
        None
    };
    let resources: Vec<Value> = page.iter().map(|i| resource(i, ctx.now)).collect();
    Ok(Reply::ok(json!({
        "resources": resources,
        "page_info": {"current_count": resources.len(), "next_marker": next_marker},
    })))
}

fn decode_marker(m: &str) -> Option<String> {
    if !(4..=400).contains(&m.len()) {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(m).ok()?;
    let id = String::from_utf8(bytes).ok()?;
    (id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

fn checksum(i: &Instance) -> String {
    let mut out = String::with_capacity(64);
    for salt in 0..4u8 {
        let mut h = DefaultHasher::new();
        (salt, &i.id, &i.name, &i.server.status, i.updated.unix_timestamp()).hash(&mut h);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

fn attrs(pairs: &[(&str, String)]) -> Value {
    Value::Array(pairs.iter().map(|(k, v)| json!({"key": k, "value": v})).collect())
}

/// The L-instance status RMS shows in `properties.status`. The reference shows only
/// `RUNNING`; the others, `FROZEN` and `DELETED` included, are the simulator's choice.
fn instance_status(i: &Instance, now: OffsetDateTime) -> &'static str {
    if i.is_deleted() {
        return "DELETED";
    }
    if i.is_frozen(now) {
        return "FROZEN";
    }
    match (i.server.status.as_str(), i.server.task_state.as_deref()) {
        (_, Some("powering-on")) => "STARTING",
        (_, Some("powering-off")) => "STOPPING",
        ("REBOOT" | "HARD_REBOOT", _) => "REBOOTING",
        ("SHUTOFF", _) => "STOPPED",
        ("ERROR", _) => "ERROR",
        _ => "RUNNING",
    }
}

/// One extra bought with the instance, as a sub-resource. The reference's RMS example has
/// none, so types, names and attributes here are the simulator's choice, modelled on the
/// system disk: `evs` a data disk (`hws.resource.type.volume`, logical name
/// `…_data_disk`), `cbr` a backup vault (`hws.resource.type.vault`), `hss` host security
/// (`hws.resource.type.hss`); sizes are strings like every attribute.
fn extra_resource(i: &Instance, e: &Extra) -> Value {
    let (physical, logical_name, service) = match e.kind.as_str() {
        "evs" => (
            "hws.resource.type.volume",
            "huaweicloudinternal_ecs_instance_data_disk",
            "hws.service.type.ebs",
        ),
        "cbr" => {
            ("hws.resource.type.vault", "huaweicloudinternal_cbr_vault", "hws.service.type.cbr")
        }
        _ => (
            "hws.resource.type.hss",
            "huaweicloudinternal_hss_host_protection",
            "hws.service.type.hss",
        ),
    };
    let mut pairs = vec![("id", e.id.clone()), ("order_id", i.order_id.clone())];
    if let Some(size) = e.size_gib {
        pairs.push(("size", size.to_string()));
    }
    if e.kind == "hss" {
        pairs.push(("host_id", i.server.id.clone()));
    }
    json!({
        "physical_resource_type": physical,
        "logical_resource_type": physical,
        "physical_resource_id": e.id,
        "logical_resource_name": logical_name,
        "cloud_service_type": service,
        "resource_attributes": attrs(&pairs),
    })
}

/// One `ResourceEntity`, attributes all strings as in the seed (`"null"` for null).
pub fn resource(i: &Instance, now: OffsetDateTime) -> Value {
    let s = &i.server;
    let n = &i.net;
    let product = format!(
        "{}_light_server_{}",
        i.image_name.replace(' ', "_"),
        i.image_version.replace('.', "_")
    );
    let ecs_attrs = attrs(&[
        ("admin_pass", "null".into()),
        ("availability_zone", s.availability_zone.clone()),
        ("data_volumes", "[]".into()),
        (
            "description",
            if s.description.is_empty() { "null".into() } else { s.description.clone() },
        ),
        (
            "extendparam",
            json!({"chargingMode": "prePaid", "orderID": i.order_id, "productID": i.product_id})
                .to_string(),
        ),
        ("flavor_id", s.flavor_id.clone()),
        // The seed's example carries `frozen` as "null" on a server in use.
        ("frozen", if i.is_frozen(now) { "true" } else { "null" }.into()),
        ("id", s.id.clone()),
        ("image_id", i.image_id.clone()),
        ("key_name", "null".into()),
        ("metadata", json!({"__support_agent_list": "hss,hss-pc,ces"}).to_string()),
        ("name", s.name.clone()),
        (
            "nics",
            json!([{"ip_address": "", "ipv6_enable": false, "subnet_id": n.subnet_id}]).to_string(),
        ),
        ("primary_port_id", n.port_id.clone()),
        (
            "root_volume",
            json!([{"size": s.disk_gib, "volumetype": "SAS_for_smb", "orderID": i.order_id}])
                .to_string(),
        ),
        ("security_groups", json!([{"id": n.security_group_id}]).to_string()),
        ("status", s.status.clone()),
        ("system_disk_id", s.volume_id.clone()),
        ("tags", json!(["_sys_type_hcss_l"]).to_string()),
        ("user_data", "null".into()),
        ("vpc_id", n.vpc_id.clone()),
        ("cors_crm_updated_at", fmt_seconds(s.updated)),
    ]);
    let pkg = &i.package;
    let pkg_attrs = attrs(&[
        ("bundle_product_id", "null".into()),
        ("customer_id", i.domain_id.clone()),
        ("end_time", fmt_space(pkg.end)),
        ("enterprise_project_id", "null".into()),
        ("id", pkg.id.clone()),
        ("order_id", i.order_id.clone()),
        ("oriented_resource_id", n.bandwidth_id.clone()),
        ("product_id", pkg.product_id.clone()),
        ("region_code", i.region.id().to_owned()),
        ("start_time", fmt_space(pkg.start)),
        ("cors_crm_updated_at", fmt_seconds(now.min(pkg.end))),
    ]);
    let eip_attrs = attrs(&[
        ("alias", "null".into()),
        ("bandwidth", json!({"size": n.bandwidth_mbps, "charge_mode": "bandwidth", "share_type": "PER", "id": n.bandwidth_id}).to_string()),
        ("id", n.eip_id.clone()),
        ("ip_version", "4".into()),
        ("public_ip_address", n.public_ip.clone()),
        ("public_ipv6_address", "null".into()),
        ("publicip_pool_name", "5_bgp".into()),
        ("port_id", n.port_id.clone()),
    ]);
    let mut resources = vec![
        json!({
            "physical_resource_type": "hws.resource.type.marketplace",
            "logical_resource_type": "hws.resource.type.marketplace",
            "physical_resource_id": format!("{}_{}_0", i.id, i.image_id),
            "logical_resource_name": "huaweicloudinternal_ecs_instance_image",
            "cloud_service_type": "hws.service.type.marketplace",
        }),
        json!({
            "physical_resource_type": "hws.resource.type.vm",
            "logical_resource_type": "huaweicloudinternal_ecs_instance",
            "physical_resource_id": s.id,
            "physical_resource_name": s.name,
            "logical_resource_name": "huaweicloudinternal_ecs_instance_light_server_compute_instance",
            "cloud_service_type": "hws.service.type.ec2",
            "resource_attributes": ecs_attrs,
        }),
        json!({
            "physical_resource_type": "hws.resource.type.volume",
            "logical_resource_type": "hws.resource.type.volume",
            "physical_resource_id": s.volume_id,
            "logical_resource_name": "huaweicloudinternal_ecs_instance_system_disk",
            "cloud_service_type": "hws.service.type.ebs",
        }),
        json!({
            "physical_resource_type": "hws.resource.type.ip",
            "logical_resource_type": "huaweicloudinternal_eip",
            "physical_resource_id": n.eip_id,
            "logical_resource_name": "huaweicloudinternal_eip_light_server_eip",
            "cloud_service_type": "hws.service.type.vpc",
            "resource_attributes": eip_attrs,
        }),
        json!({
            "physical_resource_type": "hws.resource.type.bandwidth",
            "logical_resource_type": "huaweicloudinternal_cbc_freeresource",
            "physical_resource_id": pkg.id,
            "logical_resource_name": "huaweicloudinternal_cbc_freeresource_light_server_traffic",
            "cloud_service_type": "hws.service.type.cbc",
            "resource_attributes": pkg_attrs,
        }),
    ];
    resources.extend(i.extras.iter().map(|e| extra_resource(i, e)));
    json!({
        "id": i.id,
        "name": i.name,
        "provider": "hcss",
        "type": "l-instance",
        "region_id": i.region.id(),
        "project_id": i.project_id,
        "project_name": i.region.id(),
        "ep_id": "0",
        "ep_name": "default",
        "checksum": checksum(i),
        "created": fmt_millis(i.created),
        "updated": fmt_millis(i.updated.max(s.updated)),
        "provisioning_state": "Succeeded",
        "state": if i.is_deleted() { "Deleted" } else { "Normal" },
        "tags": i.tags,
        "properties": {
            "metadata": {
                "charging_mode": "prePaid",
                "resource_type": super::bss::RESOURCE_TYPE,
                "resource_spec_code": i.plan_spec,
                "order_id": i.order_id,
                "cloud_service_type": "hws.service.type.hcss",
            },
            "description": i.description,
            "product_name": product,
            "platform": "SMB",
            "plan_name": "basic_v12",
            "product_id": i.product_id,
            "plan_id": i.product_id,
            "status": instance_status(i, now),
            "resources": resources,
        },
    })
}
