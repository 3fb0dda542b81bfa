//! Exporting the log as CSV or JSON Lines, streamed: rows go from the database cursor to the
//! writer one at a time, so a million events take as much memory as one.

use futures_util::TryStreamExt;
use sqlx::PgPool;
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};
use uuid::Uuid;

use super::chain::canonical_time;
use super::query::filtered_select;
use super::{AuditEvent, AuditFilter, AuditRecord};
use crate::{Error, Result};

/// The UTF-8 byte order mark: without it Excel, which many of our users open exports in,
/// reads the file as the local code page and garbles every Chinese name.
const CSV_BOM: &str = "\u{feff}";
const CSV_HEADER: &str = "seq,time,actor_user_id,actor_name,source_ip,user_agent,session_hash,\
action,target_kind,target_ids,account_id,region,params,request_id,job_id,order_id,http_status,\
error_code,error_message,outcome,panel_request_id,prev_hash,hash\r\n";

/// One CSV field per RFC 4180: quoted when it holds a quote, comma or line break, quotes
/// doubled. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
/// gets a leading `'`, because people open these exports in Excel.
pub fn csv_field(value: &str, out: &mut String) {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || value.contains(['"', ',', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in value.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

fn csv_row(e: &AuditEvent, params: String, line: &mut String) {
    let fields: [String; 23] = [
        e.seq.to_string(),
        canonical_time(e.occurred_at),
        e.actor_user_id.map(|u| u.to_string()).unwrap_or_default(),
        e.actor_name.clone().unwrap_or_default(),
        e.source_ip.map(|ip| ip.to_string()).unwrap_or_default(),
        e.user_agent.clone().unwrap_or_default(),
        e.session_hash.clone().unwrap_or_default(),
        e.action.clone(),
        e.target_kind.clone().unwrap_or_default(),
        e.target_ids.join(" "),
        e.account_id.map(|u| u.to_string()).unwrap_or_default(),
        e.region.clone().unwrap_or_default(),
        params,
        e.request_id.clone().unwrap_or_default(),
        e.job_id.clone().unwrap_or_default(),
        e.order_id.clone().unwrap_or_default(),
        e.http_status.map(|s| s.to_string()).unwrap_or_default(),
        e.error_code.clone().unwrap_or_default(),
        e.error_message.clone().unwrap_or_default(),
        e.outcome.as_str().to_owned(),
        e.panel_request_id.clone().unwrap_or_default(),
        e.prev_hash.clone(),
        e.hash.clone(),
    ];
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        csv_field(f, line);
    }
    line.push_str("\r\n");
}

enum Format {
    Csv,
    JsonLines,
}

async fn export<W: AsyncWrite + Unpin>(
    pool: &PgPool,
    team_id: Uuid,
    filter: &AuditFilter,
    out: W,
    format: Format,
) -> Result<u64> {
    let mut qb = filtered_select(team_id, filter)?;
    qb.push(" ORDER BY seq");
    let mut rows = qb.build_query_as::<AuditRecord>().fetch(pool);
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    if matches!(format, Format::Csv) {
        out.write_all(CSV_BOM.as_bytes()).await.map_err(Error::Export)?;
        out.write_all(CSV_HEADER.as_bytes()).await.map_err(Error::Export)?;
    }
    let mut count = 0u64;
    let mut line = String::with_capacity(1024);
    while let Some(record) = rows.try_next().await? {
        let (event, params) = record.split(false)?;
        line.clear();
        match format {
            Format::Csv => csv_row(&event, params, &mut line),
            Format::JsonLines => {
                // An event is plain data; serializing it cannot fail.
                line.push_str(&serde_json::to_string(&event).unwrap_or_default());
                line.push('\n');
            }
        }
        out.write_all(line.as_bytes()).await.map_err(Error::Export)?;
        count += 1;
    }
    out.flush().await.map_err(Error::Export)?;
    Ok(count)
}

/// Writes the team's matching events, oldest first, as CSV (RFC 4180, CRLF line ends, a
/// byte order mark, a header row). Returns the number of events written.
pub async fn export_csv<W: AsyncWrite + Unpin>(
    pool: &PgPool,
    team_id: Uuid,
    filter: &AuditFilter,
    out: W,
) -> Result<u64> {
    export(pool, team_id, filter, out, Format::Csv).await
}

/// Writes the team's matching events, oldest first, one JSON object per line.
pub async fn export_jsonl<W: AsyncWrite + Unpin>(
    pool: &PgPool,
    team_id: Uuid,
    filter: &AuditFilter,
    out: W,
) -> Result<u64> {
    export(pool, team_id, filter, out, Format::JsonLines).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(v: &str) -> String {
        let mut s = String::new();
        csv_field(v, &mut s);
        s
    }

    #[test]
    fn csv_fields_are_escaped() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field(""), "");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\rlf"), "\"cr\rlf\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1"), "\"'-1\"");
        assert_eq!(field("中文"), "中文");
    }
}
