//! `lightdeck audit verify`: walks each team's hash chain, those of deleted teams, and the
//! site's own chain (users and teams managed by site administrators).

use std::process::ExitCode;

use anyhow::bail;
use lightdeck_domain::{audit, site, teams};

use super::connect;
use crate::cli::AuditVerifyArgs;

pub async fn verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let pool = connect(&args.db).await?;
    let teams = match &args.team {
        Some(name) => match teams::find_by_name(&pool, name).await? {
            Some(team) => vec![team],
            None => bail!("--team: there is no team named {:?}", name.trim()),
        },
        None => teams::list(&pool).await?,
    };
    let mut broken = false;
    for team in &teams {
        let report = audit::verify(&pool, team.id).await?;
        broken |= print_report(&team.name, &report);
    }
    if teams.is_empty() {
        println!("no teams");
    }
    // Deleted teams' events stay (append-only): their chains are walked too.
    if args.team.is_none() {
        for id in site::deleted_team_chains(&pool).await? {
            let report = audit::verify(&pool, id).await?;
            broken |= print_report(&format!("deleted team {id}"), &report);
        }
        // The site's own chain: users and teams managed by site administrators and the CLI.
        let report = site::verify(&pool).await?;
        broken |= print_report("site (users and teams)", &report);
    }
    Ok(if broken { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// One chain's line; true when it is broken.
fn print_report(name: &str, report: &audit::VerifyReport) -> bool {
    match report.first_break {
        None => {
            println!(
                "{name}: intact, {} events, head seq {} hash {}",
                report.checked, report.head_seq, report.head_hash
            );
            false
        }
        Some(b) => {
            println!(
                "{name}: BROKEN at seq {} ({}); events before it verified",
                b.seq,
                describe(b.kind)
            );
            true
        }
    }
}

fn describe(kind: audit::BreakKind) -> &'static str {
    use audit::BreakKind::*;
    match kind {
        EditedContent => "the event was changed after it was written",
        MissingEvent => "an event is missing",
        InsertedEvent => "an event was inserted",
        BrokenLink => "the link to the previous event is broken",
    }
}
