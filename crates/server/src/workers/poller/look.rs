//! One look at the job or order an action follows: what ECS or BSS says of it, as a
//! verdict the poller records (and, for an order, what BSS says it costs).

use lightdeck_domain::actions::{Action, Finish, ServerResult, Terminal, Tracking};
use lightdeck_domain::orders;
use lightdeck_huaweicloud::model::bss::OrderStatus;
use lightdeck_huaweicloud::model::ecs::{JobStatus, ShowJobResponse};
use lightdeck_huaweicloud::{Account, OrderId};
use uuid::Uuid;

use super::super::cloud;

/// What one look at a job said.
pub(super) enum Seen {
    Running {
        status: String,
        results: Vec<ServerResult>,
    },
    Done(Finish),
    /// The cloud says the job or order does not exist (`code`: Huawei's).
    Missing {
        code: Option<String>,
        http_status: Option<u16>,
    },
}

/// Whether the cloud's answer says the job (ECS: `Ecs.0114`, or any 404) or the order
/// (BSS: 404, or `CBC.0101` "invalid parameter", its answer for an order id it does not
/// have — the id is the request's only parameter, and it came from BSS itself) is unknown.
fn says_missing(e: &lightdeck_huaweicloud::Error, order: bool) -> Option<Seen> {
    let api = e.api()?;
    let missing = api.status == 404
        || (!order && api.code == "Ecs.0114")
        || (order && api.code == "CBC.0101");
    missing.then(|| Seen::Missing { code: Some(api.code.clone()), http_status: Some(api.status) })
}

/// Asks the cloud once. `None` when the cloud could not be asked or did not answer.
pub(super) async fn look(db: &sqlx::PgPool, handle: &Account, action: &Action) -> Option<Seen> {
    match action.tracking() {
        Some(Tracking::Job(job)) => {
            let result = handle.show_job(action.region, &job).await;
            cloud::count("ShowJob", &result);
            match result {
                Ok(reply) => Some(job_seen(&reply.body)),
                Err(e) => {
                    tracing::warn!(action = %action.id, error = %e, "ShowJob failed; will retry");
                    says_missing(&e, false)
                }
            }
        }
        Some(Tracking::Order(order)) => {
            let (seen, cost) = order_look(handle, action.id, &order).await;
            if let Some((amount, currency)) = cost
                && let Err(e) =
                    orders::record_amount(db, action.id, amount, currency.as_deref()).await
            {
                tracing::warn!(action = %action.id, error = %e, "could not record an order's amount");
            }
            seen
        }
        // Accepted without anything to follow: nothing will ever tell us more.
        None => Some(Seen::Done(Finish {
            outcome: Terminal::Unknown,
            job_status: None,
            error_code: None,
            error_message: Some("accepted without a job or order to follow".to_owned()),
            results: Vec::new(),
        })),
    }
}

pub(super) fn job_seen(job: &ShowJobResponse) -> Seen {
    let results: Vec<ServerResult> = job
        .sub_jobs()
        .iter()
        .filter_map(|sub| {
            let server_id = sub.server_id()?.parse().ok()?;
            let message = sub
                .entities
                .as_ref()
                .and_then(|e| e.errorcode_message.clone())
                .or_else(|| sub.fail_reason.clone());
            Some(ServerResult {
                server_id,
                status: sub
                    .status
                    .as_ref()
                    .map_or_else(|| "UNKNOWN".to_owned(), |s| s.as_str().to_owned()),
                error_code: sub.error_code.clone(),
                error_message: message,
            })
        })
        .collect();
    let status = job.status.as_ref().map_or("UNKNOWN", |s| s.as_str()).to_owned();
    let outcome = match job.status {
        Some(JobStatus::Success) => Terminal::Succeeded,
        Some(JobStatus::Fail) => Terminal::Failed,
        _ => return Seen::Running { status, results },
    };
    Seen::Done(Finish {
        outcome,
        job_status: Some(status),
        error_code: job.error_code.clone(),
        error_message: job.fail_reason.clone(),
        results,
    })
}

#[cfg(test)]
pub(super) async fn order_seen(handle: &Account, action_id: Uuid, order: &OrderId) -> Option<Seen> {
    order_look(handle, action_id, order).await.0
}

/// What BSS says an order costs: amount after discount and currency.
type Cost = (Option<f64>, Option<String>);

/// One look at an order: what it says, and its cost when BSS gives one.
async fn order_look(
    handle: &Account,
    action_id: Uuid,
    order: &OrderId,
) -> (Option<Seen>, Option<Cost>) {
    let result = handle.order_details(order).await;
    cloud::count("ShowCustomerOrderDetails", &result);
    let reply = match result {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(action = %action_id, error = %e, "order look-up failed; will retry");
            return (says_missing(&e, true), None);
        }
    };
    let info = &reply.body.order_info;
    // Amounts in another unit (measure_id other than 1, yuan) are not shown rather than
    // shown wrong.
    let cost = (info.measure_id.unwrap_or(1) == 1)
        .then(|| (info.amount_after_discount, info.currency.clone()));
    (order_verdict(&reply.body), cost)
}

fn order_verdict(body: &lightdeck_huaweicloud::model::bss::OrderDetailsResponse) -> Option<Seen> {
    let reply = body;
    let status = reply.order_info.order_status();
    let text = status.code().to_string();
    let outcome = match status {
        OrderStatus::Completed => Terminal::Succeeded,
        OrderStatus::Cancelled => Terminal::Failed,
        _ => return Some(Seen::Running { status: text, results: Vec::new() }),
    };
    Some(Seen::Done(Finish {
        outcome,
        job_status: Some(text),
        error_code: None,
        error_message: None,
        results: Vec::new(),
    }))
}
