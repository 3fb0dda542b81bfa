//! `lightdeck audit verify`: walks each team's hash chain, those of deleted teams, and the
//! site's own chain (users and teams managed by site administrators); with `--head FILE`,
//! also compares the database with the last signed head `lightdeck serve` wrote there.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use lightdeck_domain::audit::head;
use lightdeck_domain::crypto::{Keyring, MASTER_KEY_VAR};
use lightdeck_domain::{audit, site, teams};
use sqlx::PgPool;
use uuid::Uuid;

use super::connect;
use crate::cli::AuditVerifyArgs;

pub async fn verify(args: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    // Checked before the walk, so a missing key or file stops at once (exit 2).
    let head = match &args.head {
        Some(path) => Some(read_head_file(path)?),
        None => None,
    };
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
    if let Some(head) = head {
        let only = args.team.as_ref().and(teams.first()).map(|t| t.id);
        broken |= check_head(&pool, &head, &teams, only).await?;
    }
    Ok(if broken { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The head file's trustworthy lines, and what is wrong with the others.
struct HeadFile {
    path: PathBuf,
    good: head::Recorded,
    bad: Vec<(usize, head::LineProblem)>,
}

fn read_head_file(path: &Path) -> anyhow::Result<HeadFile> {
    let Some(keyring) = Keyring::from_env()? else {
        bail!(
            "--head needs {MASTER_KEY_VAR}: the head lines are signed with a key derived from \
             it (the same key `lightdeck serve` uses)"
        );
    };
    let file = std::fs::File::open(path)
        .with_context(|| format!("--head: cannot open {}", path.display()))?;
    let mut found =
        HeadFile { path: path.to_owned(), good: head::Recorded::default(), bad: Vec::new() };
    for (i, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line.with_context(|| format!("--head: cannot read {}", path.display()))?;
        let Ok(text) = std::str::from_utf8(&line) else {
            found.bad.push((i + 1, head::LineProblem::Unreadable("not UTF-8".into())));
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        match head::parse(text).and_then(|l| head::check_mac(&l, &keyring).map(|()| l)) {
            Ok(l) => found.good.add(i + 1, l),
            Err(problem) => found.bad.push((i + 1, problem)),
        }
    }
    if found.good.last.is_none() && found.bad.is_empty() {
        bail!(
            "--head: {} holds no head lines yet (`lightdeck serve` with \
             LIGHTDECK_AUDIT_HEAD_FILE writes them)",
            path.display()
        );
    }
    Ok(found)
}

/// Reports the head file's bad lines, then compares every head its good lines recorded with
/// the database (only chain `only`, with --team): a head written after a truncation still
/// leaves the earlier lines to catch it. True when anything is wrong.
async fn check_head(
    pool: &PgPool,
    file: &HeadFile,
    teams: &[teams::Team],
    only: Option<Uuid>,
) -> anyhow::Result<bool> {
    let path = file.path.display();
    let mut broken = false;
    for (n, problem) in &file.bad {
        println!("head file {path} line {n}: BROKEN: the line {problem}");
        broken = true;
    }
    let Some((n, last)) = &file.good.last else {
        println!("head file {path}: BROKEN: no line has a valid signature");
        return Ok(true);
    };
    println!(
        "head file {path}: checking its good lines, the last one (line {n}) written at {}",
        last.at
    );
    let wanted = |id: Uuid| only.is_none_or(|o| o == id);
    for c in file.good.conflicts.iter().filter(|c| wanted(c.team_id)) {
        println!(
            "{}: BROKEN against the head: lines {} and {} record different hashes for seq {}: \
             the chain was rewritten between them",
            chain_name(teams, c.team_id),
            c.first_line,
            c.line,
            c.seq
        );
        broken = true;
    }
    let heads: Vec<_> = file.good.heads().into_iter().filter(|h| wanted(h.team_id)).collect();
    let stored = head::stored(pool, &heads).await?;
    // The first (lowest seq) mismatch of each chain, in the order of `heads`.
    let mut reported = std::collections::HashSet::new();
    for (head, (team_id, mismatch)) in heads.iter().zip(head::compare(&heads, &stored)) {
        if let Some(m) = mismatch
            && reported.insert(team_id)
        {
            let line = file.good.line_of(team_id, head.seq).unwrap_or(*n);
            println!("{}: BROKEN against the head (line {line}): {m}", chain_name(teams, team_id));
            broken = true;
        }
    }
    for c in last.chains.iter().filter(|c| wanted(c.team_id) && !reported.contains(&c.team_id)) {
        println!("{}: matches the head (seq {})", chain_name(teams, c.team_id), c.seq);
    }
    if only.is_some_and(|id| !last.chains.iter().any(|c| c.team_id == id)) {
        println!("the last head holds no chain for this team (it had no events then)");
    }
    Ok(broken)
}

fn chain_name(teams: &[teams::Team], id: Uuid) -> String {
    if id == site::SITE_CHAIN {
        return "site (users and teams)".to_owned();
    }
    match teams.iter().find(|t| t.id == id) {
        Some(team) => team.name.clone(),
        None => format!("deleted team {id}"),
    }
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
