//! IAM (keystone v3): password tokens, the caller's projects and domains (reference §3).

use http::StatusCode;
use lightdeck_huaweicloud::Region;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::http::body::{Obj, parse_object};
use crate::http::errors::{ApiError, ApiResult};
use crate::http::{Reply, pipeline::Ctx};
use crate::state::{State, TokenInfo, TokenScope, fmt_millis, ids};

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::iam(StatusCode::BAD_REQUEST, message)
}

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::iam(StatusCode::UNAUTHORIZED, message)
}

fn base_url(ctx: &Ctx<'_>) -> String {
    format!("http://{}", ctx.header("host").unwrap_or("127.0.0.1"))
}

/// `POST /v3/auth/tokens`: password method, project or domain scope → 201 + `X-Subject-Token`.
pub fn create_token(ctx: &Ctx<'_>, st: &mut State) -> ApiResult<Reply> {
    let root = parse_object(ctx.body).map_err(bad)?;
    let root = Obj::new(&root);
    let auth = root.object("auth").map_err(bad)?.ok_or_else(|| bad(root.missing("auth")))?;
    let auth = Obj::with_prefix(auth, "auth");
    let identity =
        auth.object("identity").map_err(bad)?.ok_or_else(|| bad(auth.missing("identity")))?;
    let identity = Obj::with_prefix(identity, "auth.identity");
    let methods = identity
        .str_array("methods")
        .map_err(bad)?
        .ok_or_else(|| bad(identity.missing("methods")))?;
    if !methods.contains(&"password") {
        return Err(bad(
            "auth.identity.methods: must contain \"password\" (the only method this API accepts here)",
        ));
    }
    let password = identity
        .object("password")
        .map_err(bad)?
        .ok_or_else(|| bad(identity.missing("password")))?;
    let password = Obj::with_prefix(password, "auth.identity.password");
    let user =
        password.object("user").map_err(bad)?.ok_or_else(|| bad(password.missing("user")))?;
    let user = Obj::with_prefix(user, "auth.identity.password.user");
    let user_name = user.req_str("name").map_err(bad)?;
    let secret = user.req_str("password").map_err(bad)?;
    let domain = user.object("domain").map_err(bad)?.ok_or_else(|| bad(user.missing("domain")))?;
    let domain = Obj::with_prefix(domain, "auth.identity.password.user.domain");
    let account = match (domain.str("name").map_err(bad)?, domain.str("id").map_err(bad)?) {
        (Some(name), _) => ctx.dir.by_domain_name(name),
        (None, Some(id)) => ctx.dir.by_domain_id(id),
        (None, None) => return Err(bad(domain.missing("name"))),
    };
    let acct = account.and_then(|i| ctx.dir.get(i).map(|a| (i, a)));
    let Some((account, acct)) =
        acct.filter(|(_, a)| a.iam_user == user_name && a.iam_password.expose_secret() == secret)
    else {
        return Err(unauthorized("The username or password is wrong."));
    };

    let scope = auth.object("scope").map_err(bad)?.ok_or_else(|| bad(auth.missing("scope")))?;
    let scope = Obj::with_prefix(scope, "auth.scope");
    let token_scope = if let Some(project) = scope.object("project").map_err(bad)? {
        let project = Obj::with_prefix(project, "auth.scope.project");
        let found = match (project.str("id").map_err(bad)?, project.str("name").map_err(bad)?) {
            (Some(id), _) => acct.projects.iter().find(|(_, p)| p.as_str() == id),
            (None, Some(name)) => acct.projects.iter().find(|(r, _)| r.as_str() == name),
            (None, None) => return Err(bad("auth.scope.project: needs \"id\" or \"name\"")),
        };
        let (region, id) = found
            .ok_or_else(|| unauthorized("auth.scope.project: no such project in this account"))?;
        let region: Region =
            region.parse().map_err(|_| unauthorized("auth.scope.project: unknown region"))?;
        TokenScope::Project { id: id.clone(), region }
    } else if let Some(d) = scope.object("domain").map_err(bad)? {
        let d = Obj::with_prefix(d, "auth.scope.domain");
        let ok = match (d.str("id").map_err(bad)?, d.str("name").map_err(bad)?) {
            (Some(id), _) => id == acct.domain_id,
            (None, Some(name)) => name == acct.name,
            (None, None) => return Err(bad("auth.scope.domain: needs \"id\" or \"name\"")),
        };
        if !ok {
            return Err(unauthorized("auth.scope.domain: the user does not belong to this domain"));
        }
        TokenScope::Domain
    } else {
        return Err(bad("auth.scope: must contain \"project\" or \"domain\""));
    };

    let token = ids::token(&mut st.rng);
    let expires = ctx.now + st.timings.token_ttl;
    st.tokens.insert(token.clone(), TokenInfo { account, scope: token_scope.clone(), expires });
    let domain_ref = json!({"id": acct.domain_id, "name": acct.name});
    let mut body = json!({"token": {
        "expires_at": fmt_millis(expires),
        "issued_at": fmt_millis(ctx.now),
        "methods": ["password"],
        "user": {
            "id": acct.user_id,
            "name": acct.iam_user,
            "password_expires_at": "",
            "domain": domain_ref,
        },
        "roles": [{"id": "0", "name": "op_fine_grained"}, {"id": "1", "name": "te_admin"}],
    }});
    match &token_scope {
        TokenScope::Project { id, region } => {
            body["token"]["project"] = json!({"id": id, "name": region.id(), "domain": domain_ref});
        }
        TokenScope::Domain => body["token"]["domain"] = domain_ref.clone(),
    }
    if ctx.query("nocatalog").is_none_or(str::is_empty) {
        let url = base_url(ctx);
        let endpoints = |service: &str| -> Vec<Value> {
            Region::ALL
                .iter()
                .map(|r| {
                    json!({
                        "id": format!("{service}-{}", r.id()),
                        "interface": "public",
                        "region": r.id(),
                        "region_id": r.id(),
                        "url": url,
                    })
                })
                .collect()
        };
        body["token"]["catalog"] = json!([
            {"id": "ecs", "name": "ecs", "type": "compute", "endpoints": endpoints("ecs")},
            {"id": "iam", "name": "iam", "type": "identity", "endpoints": endpoints("iam")},
        ]);
    }
    Ok(Reply::status(StatusCode::CREATED, body)
        .header(http::HeaderName::from_static("x-subject-token"), token))
}

/// `GET /v3/projects`: the caller's projects, filtered by `name` / `domain_id` / `enabled`.
pub fn list_projects(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let acct = ctx.dir.get(caller.account).ok_or_else(|| unauthorized("unknown account"))?;
    for (key, max) in [("page", u32::MAX), ("per_page", 5000)] {
        if let Some(v) = ctx.query(key)
            && v.parse::<u32>().ok().filter(|n| (1..=max).contains(n)).is_none()
        {
            return Err(bad(format!("{key}: must be a whole number from 1 to {max}")));
        }
    }
    if ctx.query("page").is_some() != ctx.query("per_page").is_some() {
        return Err(bad("page and per_page must be given together"));
    }
    let url = base_url(ctx);
    let name = ctx.query("name");
    let domain_ok = ctx.query("domain_id").is_none_or(|d| d == acct.domain_id);
    let enabled_ok = ctx.query("enabled").is_none_or(|e| e == "true");
    let projects: Vec<Value> = acct
        .projects
        .iter()
        .filter(|(region, _)| domain_ok && enabled_ok && name.is_none_or(|n| n == region.as_str()))
        .map(|(region, id)| {
            json!({
                "id": id,
                "name": region,
                "domain_id": acct.domain_id,
                "parent_id": acct.domain_id,
                "enabled": true,
                "is_domain": false,
                "description": "",
                "links": {"self": format!("{url}/v3/projects/{id}")},
            })
        })
        .collect();
    Ok(Reply::ok(json!({
        "links": {"self": format!("{url}/v3/projects"), "previous": null, "next": null},
        "projects": projects,
    })))
}

/// `GET /v3/auth/domains`: the caller's own account.
pub fn list_auth_domains(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let acct = ctx.dir.get(caller.account).ok_or_else(|| unauthorized("unknown account"))?;
    let url = base_url(ctx);
    Ok(Reply::ok(json!({
        "domains": [{
            "id": acct.domain_id,
            "name": acct.name,
            "enabled": true,
            "description": "",
            "links": {"self": format!("{url}/v3/domains/{}", acct.domain_id)},
        }],
        "links": {"self": format!("{url}/v3/auth/domains"), "previous": null, "next": null},
    })))
}
