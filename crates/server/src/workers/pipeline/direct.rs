//! Calls that answer with their outcome (no job, no order): UpdateServer and the password
//! reset. The action ends with the answer.

use lightdeck_domain::actions::{self, Action, CloudError, CloudReply};
use lightdeck_huaweicloud::model::ecs::UpdateServerOption;
use lightdeck_huaweicloud::{Account, Error as CloudErr};
use secrecy::SecretString;

use super::super::Ctx;
use super::super::cloud::{self, WorkerError, codes};
use super::operation;

/// UpdateServer answers with the outcome itself (no job), so the action ends here.
pub(super) async fn update_one(
    ctx: &Ctx,
    handle: &Account,
    action: &Action,
    change: &UpdateServerOption,
) -> Result<Option<Action>, WorkerError> {
    let pool = &ctx.db;
    // An update names one server: the form is on one instance's page.
    let Some(server) = action.server_ids.first() else {
        actions::mark_unknown(pool, action.id, "the action names no server").await?;
        return Ok(None);
    };
    let result = handle.update_server(action.region, server, change).await;
    cloud::count(operation(&action.params), &result);
    match result {
        Ok(reply) => {
            let answer = CloudReply {
                request_id: reply.request_id.clone(),
                http_status: Some(reply.status),
            };
            // The table keeps the instance's own name (RMS): UpdateServer renames the
            // instance's cloud server (云主机, seed §4.4.2), which is a different name.
            let done = actions::mark_succeeded(pool, action.id, &answer).await?;
            Ok(Some(done))
        }
        Err(e) => refused(ctx, action, &e).await,
    }
}

/// `os-reset-passwords` answers with the servers whose reset it accepted; one it left out
/// was not reset. The password lives only in `password` for this call.
pub(super) async fn reset_one(
    ctx: &Ctx,
    handle: &Account,
    action: &Action,
    password: Option<&SecretString>,
) -> Result<Option<Action>, WorkerError> {
    let pool = &ctx.db;
    let Some(password) = password else {
        // The request that recorded the intent holds the password; a batch resumed from
        // the database has none, and guessing is not an option.
        let error = CloudError {
            code: Some(codes::INVALID.to_owned()),
            message: "the new password was not available to send; nothing was changed".to_owned(),
            ..CloudError::default()
        };
        actions::mark_failed(pool, action.id, &error).await?;
        return Ok(None);
    };
    let result = handle.reset_passwords(action.region, &action.server_ids, password).await;
    let result = match result {
        Ok(chunks) => super::first_chunk(chunks),
        Err(e) => Err(e),
    };
    cloud::count(operation(&action.params), &result);
    match result {
        Ok(reply) => {
            let answer = CloudReply {
                request_id: reply.request_id.clone(),
                http_status: Some(reply.status),
            };
            let accepted: Vec<&str> = reply.body.response.iter().map(|s| s.id.as_str()).collect();
            let missed =
                action.server_ids.iter().filter(|s| !accepted.contains(&s.as_str())).count();
            if missed == 0 {
                return Ok(Some(actions::mark_succeeded(pool, action.id, &answer).await?));
            }
            let error = CloudError {
                http_status: Some(reply.status),
                code: None,
                message: format!(
                    "Huawei Cloud reset the password of {} of {} servers; the other {missed} keep their old password",
                    accepted.len(),
                    action.server_ids.len()
                ),
                request_id: reply.request_id,
            };
            actions::mark_failed(pool, action.id, &error).await?;
            Ok(None)
        }
        Err(e) => refused(ctx, action, &e).await,
    }
}

/// A refused call fails the action; one that may have reached the cloud leaves it unknown.
async fn refused(ctx: &Ctx, action: &Action, e: &CloudErr) -> Result<Option<Action>, WorkerError> {
    if e.may_have_taken_effect() {
        actions::mark_unknown(&ctx.db, action.id, &e.to_string()).await?;
    } else {
        actions::mark_failed(&ctx.db, action.id, &cloud::cloud_error(e)).await?;
    }
    Ok(None)
}
