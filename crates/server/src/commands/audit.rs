//! `lightdeck audit verify`: walks each team's hash chain.

use std::process::ExitCode;

use anyhow::bail;
use lightdeck_domain::{audit, teams};

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
        match report.first_break {
            None => println!(
                "{}: intact, {} events, head seq {} hash {}",
                team.name, report.checked, report.head_seq, report.head_hash
            ),
            Some(b) => {
                broken = true;
                println!(
                    "{}: BROKEN at seq {} ({}); events before it verified",
                    team.name,
                    b.seq,
                    describe(b.kind)
                );
            }
        }
    }
    if teams.is_empty() {
        println!("no teams, nothing to verify");
    }
    Ok(if broken { ExitCode::FAILURE } else { ExitCode::SUCCESS })
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
