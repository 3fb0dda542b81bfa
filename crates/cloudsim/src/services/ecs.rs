//! ECS: show/update/list servers, batch start/stop/reboot, reset passwords, jobs
//! (reference §5.3–5.7). The caller's project is already checked against the path by the
//! gateway ([`crate::auth`]).

use http::StatusCode;
use lightdeck_huaweicloud::validate;
use serde_json::{Value, json};

use super::ecs_view::{server_detail, update_result};
use crate::http::body::{Obj, parse_object};
use crate::http::errors::{ApiError, ApiResult};
use crate::http::{Reply, pipeline::Ctx};
use crate::state::lifecycle::FROZEN_CODE;
use crate::state::{Instance, PowerAction, State, WRONG_STATE_CODE};

/// ECS's code for a server (or job) that is not there.
pub const NOT_FOUND: &str = "Ecs.0114";
const MAX_SERVERS: usize = 1000;

fn not_found(what: &str, id: &str) -> ApiError {
    ApiError::ecs(StatusCode::NOT_FOUND, NOT_FOUND, format!("{what}[{id}] could not be found."))
}

fn server_in<'s>(st: &'s State, ctx: &Ctx<'_>) -> ApiResult<&'s Instance> {
    let id = ctx.param("server_id");
    st.instance_by_server(id)
        .filter(|i| i.project_id == ctx.param("project_id"))
        .ok_or_else(|| not_found("Instance", id))
}

pub fn show_server(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let inst = server_in(st, ctx)?;
    Ok(Reply::ok(json!({"server": server_detail(inst, ctx.dir, ctx.now)})))
}

pub fn update_server(ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    let body = parse_object(ctx.body).map_err(ApiError::ecs_param)?;
    let root = Obj::new(&body);
    let server = root.object("server").map_err(ApiError::ecs_param)?;
    let server = server.ok_or_else(|| ApiError::ecs_param(root.missing("server")))?;
    let o = Obj::with_prefix(server, "server");
    let name = o.str("name").map_err(ApiError::ecs_param)?;
    let description = o.str("description").map_err(ApiError::ecs_param)?;
    let hostname = o.str("hostname").map_err(ApiError::ecs_param)?;
    o.str("user_data").map_err(ApiError::ecs_param)?;
    let field_err = |e: lightdeck_huaweicloud::FieldError| {
        ApiError::ecs_param(format!("server.{}: {}", e.field, e.message))
    };
    if let Some(v) = name {
        validate::server_name(v).map_err(field_err)?;
    }
    if let Some(v) = description {
        validate::server_description(v).map_err(field_err)?;
    }
    if let Some(v) = hostname {
        validate::hostname(v).map_err(field_err)?;
    }
    server_in(st, ctx)?;
    let id = ctx.param("server_id").to_owned();
    let inst = st.instance_by_server_mut(&id).ok_or_else(|| not_found("Instance", &id))?;
    if let Some(v) = name {
        inst.server.name = v.to_owned();
    }
    if let Some(v) = description {
        inst.server.description = v.to_owned();
    }
    if let Some(v) = hostname {
        inst.server.hostname = v.to_owned();
    }
    inst.server.updated = ctx.now;
    let base = format!("http://{}", ctx.header("host").unwrap_or("127.0.0.1"));
    let inst = st.instance_by_server(&id).ok_or_else(|| not_found("Instance", &id))?;
    Ok(Reply::ok(json!({"server": update_result(inst, ctx.dir, &base, ctx.now)})))
}

fn query_int(ctx: &Ctx<'_>, name: &str, min: i64, max: i64, default: i64) -> ApiResult<usize> {
    let n = ctx.query_int(name, min, max, default).map_err(ApiError::ecs_param)?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// `GET …/cloudservers/detail`: `offset` is a page number, `limit` ≤ 1000. Page 0 is the
/// first page, the same as page 1 (ListServersDetailsRequest: "当取值为0时，系统默认返回第1页").
pub fn list_servers(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let limit = query_int(ctx, "limit", 1, MAX_SERVERS as i64, 25)?;
    let page = query_int(ctx, "offset", 0, i64::MAX, 1)?.max(1);
    let name = ctx.query("name");
    let status = ctx.query("status");
    let project = ctx.param("project_id");
    let matching = || {
        st.project_instances(project).filter(move |i| {
            name.is_none_or(|n| i.server.name.contains(n))
                && status.is_none_or(|s| i.server.status == s)
        })
    };
    let count = if name.is_none() && status.is_none() {
        st.project_instance_count(project)
    } else {
        matching().count()
    };
    let skip = (page - 1).saturating_mul(limit);
    let servers: Vec<Value> =
        matching().skip(skip).take(limit).map(|i| server_detail(i, ctx.dir, ctx.now)).collect();
    Ok(Reply::ok(json!({"count": count, "servers": servers})))
}

fn server_list(o: &Obj<'_>) -> ApiResult<Vec<String>> {
    let ids = o.server_ids("servers").map_err(ApiError::ecs_param)?;
    if ids.is_empty() || ids.len() > MAX_SERVERS {
        return Err(ApiError::ecs_param(format!(
            "{}: must list 1 to {MAX_SERVERS} servers (it lists {})",
            o.field("servers"),
            ids.len()
        )));
    }
    Ok(ids)
}

fn hard_or_soft(o: &Obj<'_>, required: bool) -> ApiResult<bool> {
    match o.str("type").map_err(ApiError::ecs_param)? {
        Some("HARD") => Ok(true),
        Some("SOFT") => Ok(false),
        None if !required => Ok(false),
        None => {
            Err(ApiError::ecs_param(format!("{}: is required (SOFT or HARD)", o.field("type"))))
        }
        Some(other) => Err(ApiError::ecs_param(format!(
            "{}: must be SOFT or HARD, not {other:?}",
            o.field("type")
        ))),
    }
}

/// `POST …/cloudservers/action` with exactly one of `os-start`, `os-stop`, `reboot`.
pub fn action(ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    let body = parse_object(ctx.body).map_err(ApiError::ecs_param)?;
    let root = Obj::new(&body);
    let known = ["os-start", "os-stop", "reboot"];
    if root.len() != 1 || !root.keys().all(|k| known.contains(&k.as_str())) {
        let keys: Vec<&String> = root.keys().collect();
        return Err(ApiError::ecs_param(format!(
            "the body must have exactly one action key (os-start, os-stop or reboot); it has {keys:?}"
        )));
    }
    let (key, inner) = body.iter().next().ok_or_else(|| ApiError::ecs_param("empty body"))?;
    let inner = inner
        .as_object()
        .ok_or_else(|| ApiError::ecs_param(format!("{key}: must be an object")))?;
    let o = Obj::with_prefix(inner, key);
    let servers = server_list(&o)?;
    refuse_frozen(st, ctx, &servers)?;
    let action = match key.as_str() {
        "os-start" => PowerAction::Start,
        "os-stop" => PowerAction::Stop { hard: hard_or_soft(&o, false)? },
        _ => PowerAction::Reboot { hard: hard_or_soft(&o, true)? },
    };
    let job_id = st.submit_power_job(ctx.param("project_id"), action, &servers, ctx.now);
    Ok(Reply::ok(json!({"job_id": job_id})))
}

/// Refuses the whole request, `Ecs.0003` (403) with one detail per server, when any of
/// `servers` in this project is frozen (expired past its grace period).
fn refuse_frozen(st: &State, ctx: &Ctx<'_>, servers: &[String]) -> ApiResult<()> {
    let project = ctx.param("project_id");
    let frozen: Vec<(String, String)> = servers
        .iter()
        .filter(|id| {
            st.instance_by_server(id)
                .is_some_and(|i| i.project_id == project && i.is_frozen(ctx.now))
        })
        .map(|id| {
            let msg = format!("server {id} is frozen: its subscription expired; renew it first");
            (FROZEN_CODE.to_owned(), msg)
        })
        .collect();
    if frozen.is_empty() {
        return Ok(());
    }
    Err(ApiError::ecs(
        StatusCode::FORBIDDEN,
        FROZEN_CODE,
        "The resource is frozen (expired and not renewed); the operation is not allowed.",
    )
    .with_details(frozen))
}

/// `PUT …/cloudservers/os-reset-passwords`: only for ACTIVE or SHUTOFF servers that are not
/// frozen; `dry_run` runs every check and changes nothing.
pub fn reset_passwords(ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    let body = parse_object(ctx.body).map_err(ApiError::ecs_param)?;
    let o = Obj::new(&body);
    let dry_run = o.bool("dry_run").map_err(ApiError::ecs_param)?.unwrap_or(false);
    let password = o.str("new_password").map_err(ApiError::ecs_param)?;
    let servers = server_list(&o)?;
    match password {
        None if !dry_run => return Err(ApiError::ecs_param(o.missing("new_password"))),
        Some(p) => validate::new_password(p).map_err(|e| {
            ApiError::ecs(
                StatusCode::BAD_REQUEST,
                "Ecs.0011",
                format!("{}: {}", e.field, e.message),
            )
        })?,
        None => {}
    }
    let project = ctx.param("project_id");
    for id in &servers {
        if st.instance_by_server(id).is_none_or(|i| i.project_id != project) {
            return Err(not_found("Instance", id));
        }
    }
    // Huawei's dry run checks business limits too, so the same refusals apply to it. The
    // reference has no code for a server in the wrong state; the sub-jobs' choice is reused.
    refuse_frozen(st, ctx, &servers)?;
    let wrong: Vec<(String, String)> = servers
        .iter()
        .filter_map(|id| st.instance_by_server(id).map(|i| (id, i.server.status.as_str())))
        .filter(|(_, status)| !matches!(*status, "ACTIVE" | "SHUTOFF"))
        .map(|(id, status)| {
            let msg = format!(
                "server {id} is {status}; a password can be reset only when it is ACTIVE or SHUTOFF"
            );
            (WRONG_STATE_CODE.to_owned(), msg)
        })
        .collect();
    if !wrong.is_empty() {
        return Err(ApiError::ecs(
            StatusCode::BAD_REQUEST,
            WRONG_STATE_CODE,
            "Some servers are not in a state that allows resetting the password.",
        )
        .with_details(wrong));
    }
    if !dry_run {
        for id in &servers {
            if let Some(inst) = st.instance_by_server_mut(id) {
                inst.server.password_reset_at = Some(ctx.now);
            }
        }
    }
    let response: Vec<Value> = servers.iter().map(|id| json!({"id": id})).collect();
    Ok(Reply::ok(json!({"response": response})))
}

pub fn show_job(ctx: &Ctx<'_>, st: &State) -> ApiResult<Reply> {
    let id = ctx.param("job_id");
    let job = st
        .jobs
        .get(id)
        .filter(|j| j.project_id == ctx.param("project_id"))
        .ok_or_else(|| not_found("Job", id))?;
    Ok(Reply::ok(job.to_json(ctx.now)))
}
