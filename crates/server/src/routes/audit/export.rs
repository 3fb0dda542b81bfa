//! `export.csv` / `export.jsonl`: every event matching the page's filters, streamed.
//!
//! The domain's exporter writes into one end of an in-memory pipe while the response body
//! reads the other, so memory stays at the pipe's size however long the log is, and a
//! client that goes away stops the database cursor (the exporter's next write fails).
//! A failure halfway ends the body with an error, so the download is visibly incomplete
//! instead of silently short.

use std::io;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use lightdeck_domain::audit::{self, AuditEventDraft, AuditFilter, Outcome};
use serde_json::json;
use tokio::io::{AsyncReadExt, DuplexStream};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::AuditQuery;
use super::filter::{check, field_errors};
use crate::error::AppError;
use crate::extract::Actor;
use crate::i18n::Tr;
use crate::state::AppState;

const PIPE_BYTES: usize = 64 * 1024;
const CHUNK_BYTES: usize = 16 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    JsonLines,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::JsonLines => "application/x-ndjson; charset=utf-8",
        }
    }
}

pub(super) async fn csv(
    state: State<AppState>,
    actor: Actor,
    tr: Tr,
    q: Query<AuditQuery>,
) -> Result<Response, AppError> {
    export(state, actor, tr, q, Format::Csv).await
}

pub(super) async fn jsonl(
    state: State<AppState>,
    actor: Actor,
    tr: Tr,
    q: Query<AuditQuery>,
) -> Result<Response, AppError> {
    export(state, actor, tr, q, Format::JsonLines).await
}

/// `lightdeck-audit-<team>-<UTC time>.<ext>`: ASCII only, so every browser keeps it.
fn filename(team_name: &str, now: time::OffsetDateTime, format: Format) -> String {
    let mut slug = String::new();
    for c in team_name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "team" } else { slug };
    let slug: String = slug.chars().take(40).collect();
    let stamp = now
        .to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!("[year][month][day]-[hour][minute][second]"))
        .unwrap_or_default();
    format!("lightdeck-audit-{slug}-{stamp}Z.{}", format.name())
}

async fn export(
    State(state): State<AppState>,
    Actor { team: ctx, context: actor }: Actor,
    tr: Tr,
    Query(q): Query<AuditQuery>,
    format: Format,
) -> Result<Response, AppError> {
    let (form, filter) = check(&state, ctx.team.id, &q, &tr).await?;
    let Some(filter) = filter else {
        return Err(AppError::Invalid(field_errors(&form)));
    };

    // Recorded before the first byte leaves: nobody takes the log away unrecorded.
    let draft = AuditEventDraft {
        target_kind: Some("audit_log".to_owned()),
        params: json!({
            "format": format.name(),
            "filter": {
                "who": form.who,
                "action": form.action,
                "instance": form.instance,
                "outcome": form.outcome,
                "from": form.from,
                "to": form.to,
            },
        }),
        ..AuditEventDraft::by(&actor, ctx.team.id, "audit.exported", Outcome::Succeeded)
    };
    audit::append(&state.db, draft).await?;

    let request_id = actor.panel_request_id.clone().unwrap_or_default();
    let body = stream_export(state.clone(), ctx.team.id, filter, format, request_id);
    let disposition =
        format!("attachment; filename=\"{}\"", filename(&ctx.team.name, state.now(), format));
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

type Done = oneshot::Receiver<Result<u64, lightdeck_domain::Error>>;

/// The reading end of the pipe and the exporter's verdict, read once the pipe is drained.
struct Pipe {
    reader: DuplexStream,
    done: Option<Done>,
    /// Set after an error was yielded: the body ends there.
    failed: bool,
}

fn stream_export(
    state: AppState,
    team: Uuid,
    filter: AuditFilter,
    format: Format,
    request_id: String,
) -> Body {
    let (writer, reader) = tokio::io::duplex(PIPE_BYTES);
    let (done_tx, done_rx) = oneshot::channel();
    tokio::spawn(async move {
        let result = match format {
            Format::Csv => audit::export_csv(&state.db, team, &filter, writer).await,
            Format::JsonLines => audit::export_jsonl(&state.db, team, &filter, writer).await,
        };
        if let Err(e) = &result {
            // Also what happens when the client hangs up (the pipe closes): not an alarm.
            tracing::info!(request_id, error = %e, "audit export ended early");
        }
        let _ = done_tx.send(result);
    });
    let pipe = Pipe { reader, done: Some(done_rx), failed: false };
    // Fused: the compression layer polls its inner body once more after the end, and an
    // unfold stream panics when polled past its end.
    Body::from_stream(
        stream::unfold(pipe, |mut pipe| async move {
            if pipe.failed {
                return None;
            }
            let mut chunk = vec![0u8; CHUNK_BYTES];
            match pipe.reader.read(&mut chunk).await {
                Ok(0) => match pipe.done.take()?.await {
                    Ok(Ok(_)) => None,
                    _ => {
                        pipe.failed = true;
                        Some((Err(io::Error::other("the audit export stopped early")), pipe))
                    }
                },
                Ok(n) => {
                    chunk.truncate(n);
                    Some((Ok(Bytes::from(chunk)), pipe))
                }
                Err(e) => {
                    pipe.failed = true;
                    Some((Err(e), pipe))
                }
            }
        })
        .fuse(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_are_ascii_and_say_what_they_hold() {
        let t = time::macros::datetime!(2026-03-31 08:15:02 UTC);
        assert_eq!(
            filename("Ops Team (prod)", t, Format::Csv),
            "lightdeck-audit-ops-team-prod-20260331-081502Z.csv"
        );
        assert_eq!(
            filename("运维", t, Format::JsonLines),
            "lightdeck-audit-team-20260331-081502Z.jsonl"
        );
    }
}
