//! ECS: the cloud server behind each Flexus L instance. Every path carries the region's
//! project id; with AK/SK it is also sent as the signed `X-Project-Id`.

use http::Method;
use secrecy::SecretString;

use super::retry::Repeat;
use super::transport::Op;
use super::{Account, ChunkResult, Pages, Reply, json_body};
use crate::credentials::expose;
use crate::endpoints::Service;
use crate::error::Error;
use crate::ids::{JobId, ProjectId, ServerId};
use crate::model::ecs::{
    BatchActionRequest, BatchActionResponse, BatchResetPasswordRequest, BatchResetPasswordResponse,
    LIST_SERVERS_MAX_LIMIT, ListServersDetailsQuery, ListServersDetailsResponse, RebootType,
    ServerDetail, ShowJobResponse, ShowServerResponse, UpdateServerOption, UpdateServerRequest,
    UpdateServerResponse, UpdateServerResult,
};
use crate::region::Region;
use crate::signing::encode_path_param;
use crate::validate::{self, FieldError, FieldErrors};

/// Most servers one batch call (and one password reset) may name.
pub const ECS_BATCH_MAX: usize = 1000;

const JSON_UTF8: &str = "application/json;charset=utf-8";

/// Ten million servers: far beyond any account, a bound against a misbehaving server.
const MAX_PAGES: u32 = 10_000;

type FieldCheck = fn(&str) -> Result<(), FieldError>;

fn ecs_op(operation: &'static str, region: Region, method: Method, path: String) -> Op {
    Op {
        service: Service::Ecs,
        operation,
        region: Some(region),
        method,
        path,
        query: Vec::new(),
        content_type: "application/json",
        headers: Vec::new(),
        body: Vec::new(),
        repeat: Repeat::Safe,
    }
}

fn project_path(project: &ProjectId, rest: &str) -> String {
    format!("/v1/{}/{rest}", encode_path_param(project.as_str()))
}

impl Account {
    /// `GET /v1/{project_id}/cloudservers/{server_id}`.
    pub async fn show_server(
        &self,
        region: Region,
        server: &ServerId,
    ) -> Result<Reply<ServerDetail>, Error> {
        let (project, auth) = self.project_auth(region).await?;
        let path =
            project_path(&project, &format!("cloudservers/{}", encode_path_param(server.as_str())));
        let op = ecs_op("show_server", region, Method::GET, path);
        let reply: Reply<ShowServerResponse> = self.call(&op, &auth).await?;
        Ok(reply.map(|r| r.server))
    }

    /// `PUT /v1/{project_id}/cloudservers/{server_id}`: name, hostname and/or description,
    /// each checked against Huawei's rules first.
    pub async fn update_server(
        &self,
        region: Region,
        server: &ServerId,
        change: &UpdateServerOption,
    ) -> Result<Reply<UpdateServerResult>, Error> {
        let mut errors = FieldErrors::default();
        let checks: [(&Option<String>, FieldCheck); 3] = [
            (&change.name, validate::server_name),
            (&change.hostname, validate::hostname),
            (&change.description, validate::server_description),
        ];
        for (value, check) in checks {
            if let Some(Err(e)) = value.as_deref().map(check) {
                errors.0.push(e);
            }
        }
        if change.name.is_none() && change.hostname.is_none() && change.description.is_none() {
            errors.push("server", "give at least one of name, hostname and description to change");
        }
        errors.into_result()?;
        let (project, auth) = self.project_auth(region).await?;
        let path =
            project_path(&project, &format!("cloudservers/{}", encode_path_param(server.as_str())));
        let mut op = ecs_op("update_server", region, Method::PUT, path);
        op.content_type = JSON_UTF8;
        op.body = json_body("update_server", &UpdateServerRequest { server: change.clone() })?;
        // Setting the same name twice leaves the same result: safe to repeat.
        let reply: Reply<UpdateServerResponse> = self.call(&op, &auth).await?;
        Ok(reply.map(|r| r.server))
    }

    /// Starts servers: one `os-start` call per 1000, one result per call.
    pub async fn start_servers(
        &self,
        region: Region,
        servers: &[ServerId],
    ) -> Result<Vec<ChunkResult<ServerId, BatchActionResponse>>, Error> {
        self.batch_action(region, servers, "batch_start_servers", BatchActionRequest::start).await
    }

    /// Stops servers (`SOFT` normal shutdown, `HARD` forced).
    pub async fn stop_servers(
        &self,
        region: Region,
        servers: &[ServerId],
        kind: RebootType,
    ) -> Result<Vec<ChunkResult<ServerId, BatchActionResponse>>, Error> {
        self.batch_action(region, servers, "batch_stop_servers", |ids| {
            BatchActionRequest::stop(ids, Some(kind))
        })
        .await
    }

    /// Reboots servers (`SOFT` normal, `HARD` forced).
    pub async fn reboot_servers(
        &self,
        region: Region,
        servers: &[ServerId],
        kind: RebootType,
    ) -> Result<Vec<ChunkResult<ServerId, BatchActionResponse>>, Error> {
        self.batch_action(region, servers, "batch_reboot_servers", |ids| {
            BatchActionRequest::reboot(ids, kind)
        })
        .await
    }

    async fn batch_action(
        &self,
        region: Region,
        servers: &[ServerId],
        operation: &'static str,
        body: impl Fn(Vec<String>) -> BatchActionRequest,
    ) -> Result<Vec<ChunkResult<ServerId, BatchActionResponse>>, Error> {
        if servers.is_empty() {
            return Ok(Vec::new());
        }
        let (project, auth) = self.project_auth(region).await?;
        let path = project_path(&project, "cloudservers/action");
        let results = self
            .call_chunks(servers, ECS_BATCH_MAX, &auth, |chunk| {
                let mut op = ecs_op(operation, region, Method::POST, path.clone());
                op.content_type = JSON_UTF8;
                op.body =
                    json_body(operation, &body(chunk.iter().map(|s| s.to_string()).collect()))?;
                // `repeat` stays Safe: a power action sent twice ends in the same state.
                Ok(op)
            })
            .await;
        Ok(results)
    }

    /// Resets the OS password of servers (`PUT …/os-reset-passwords`), 1000 per call. The
    /// password is checked first. Never repeated after an ambiguous failure: such a chunk
    /// ends as outcome-unknown.
    pub async fn reset_passwords(
        &self,
        region: Region,
        servers: &[ServerId],
        new_password: &SecretString,
    ) -> Result<Vec<ChunkResult<ServerId, BatchResetPasswordResponse>>, Error> {
        validate::new_password(expose(new_password))?;
        if servers.is_empty() {
            return Ok(Vec::new());
        }
        let (project, auth) = self.project_auth(region).await?;
        let path = project_path(&project, "cloudservers/os-reset-passwords");
        let results = self
            .call_chunks(servers, ECS_BATCH_MAX, &auth, |chunk| {
                let request = BatchResetPasswordRequest::new(
                    new_password.clone(),
                    chunk.iter().map(|s| s.to_string()),
                );
                let mut op = ecs_op("batch_reset_passwords", region, Method::PUT, path.clone());
                op.content_type = JSON_UTF8;
                op.body = json_body("batch_reset_passwords", &request)?;
                op.repeat = Repeat::OnlyIfNotProcessed;
                Ok(op)
            })
            .await;
        Ok(results)
    }

    /// `GET /v1/{project_id}/jobs/{job_id}`.
    pub async fn show_job(
        &self,
        region: Region,
        job: &JobId,
    ) -> Result<Reply<ShowJobResponse>, Error> {
        let (project, auth) = self.project_auth(region).await?;
        let path = project_path(&project, &format!("jobs/{}", encode_path_param(job.as_str())));
        self.call(&ecs_op("show_job", region, Method::GET, path), &auth).await
    }

    /// One page of `GET /v1/{project_id}/cloudservers/detail`: `page` is ECS's 1-based
    /// `offset` (a page number), `limit` 1–1000.
    pub async fn list_servers_page(
        &self,
        region: Region,
        page: u32,
        limit: u32,
    ) -> Result<Reply<ListServersDetailsResponse>, Error> {
        let query = ListServersDetailsQuery {
            offset: Some(page),
            limit: Some(limit),
            ..Default::default()
        };
        query.check()?;
        if page == 0 {
            return Err(FieldError::new("offset", "is a page number and starts at 1").into());
        }
        let (project, auth) = self.project_auth(region).await?;
        let mut op = ecs_op(
            "list_servers_details",
            region,
            Method::GET,
            project_path(&project, "cloudservers/detail"),
        );
        op.query = query.query_pairs().into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        self.call(&op, &auth).await
    }

    /// Every server of the region, page by page until a short page or `count` is reached.
    pub async fn list_servers(&self, region: Region) -> Result<Pages<ServerDetail>, Error> {
        let mut pages = Pages { items: Vec::new(), request_ids: Vec::new() };
        let limit = LIST_SERVERS_MAX_LIMIT;
        let mut previous_first: Option<String> = None;
        for page in 1..=MAX_PAGES {
            let reply = self.list_servers_page(region, page, limit).await?;
            let first = reply.body.servers.first().map(|s| s.id.clone());
            if first.is_some() && first == previous_first {
                return Err(Error::InvalidResponse {
                    service: Service::Ecs,
                    operation: "list_servers_details",
                    status: reply.status,
                    request_id: reply.request_id,
                    detail: format!(
                        "page {page} repeats the previous page; stopped to avoid looping forever"
                    ),
                });
            }
            previous_first = first;
            pages.request_ids.push(reply.request_id);
            let got = reply.body.servers.len();
            pages.items.extend(reply.body.servers);
            let total = usize::try_from(reply.body.count).unwrap_or(usize::MAX);
            if got < limit as usize || pages.items.len() >= total {
                break;
            }
        }
        Ok(pages)
    }
}
