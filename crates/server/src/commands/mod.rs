//! One module per subcommand. Each returns the process exit status; errors (anyhow, only
//! here and in `main.rs`) are printed by `main` and exit with status 2.

pub mod account;
pub mod audit;
pub mod demo;
pub mod migrate;
pub mod serve;
pub mod sim;
pub mod team;
pub mod user;

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use secrecy::SecretString;
use sqlx::PgPool;

use crate::cli::{
    AccountCommand, AuditCommand, Cli, Command, DbArgs, MemberCommand, TeamCommand, UserCommand,
};
use crate::config::DATABASE_URL_VAR;

/// Exit status of a command that could not do its work (bad input, database down, ...).
pub const EXIT_ERROR: u8 = 2;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // One TLS backend (ring) for sqlx and reqwest; Err means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    crate::shutdown::listen_for_signals();
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Migrate(args) => migrate::run(args).await,
        Command::User(UserCommand::Add(args)) => user::add(args).await,
        Command::User(UserCommand::Passwd(args)) => user::passwd(args).await,
        Command::User(UserCommand::Disable(args)) => user::set_disabled(args, true).await,
        Command::User(UserCommand::Enable(args)) => user::set_disabled(args, false).await,
        Command::User(UserCommand::ResetSecondFactor(args)) => {
            user::reset_second_factor(args).await
        }
        Command::Team(TeamCommand::Add(args)) => team::add(args).await,
        Command::Team(TeamCommand::Member(MemberCommand::Add(args))) => {
            team::member_add(args).await
        }
        Command::Account(AccountCommand::Add(args)) => account::add(args).await,
        Command::Account(AccountCommand::Reencrypt(args)) => account::reencrypt(args).await,
        Command::Audit(AuditCommand::Verify(args)) => audit::verify(args).await,
        Command::Sim(args) => sim::run(args).await.map(|()| ExitCode::SUCCESS),
        Command::Demo(args) => demo::run(args).await,
    }
}

/// Who the audit log names for a command run from a shell: "command line on HOST". There is
/// no signed-in user, so the machine is the best a reader can be told.
pub fn cli_actor() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().chars().filter(|c| !c.is_control()).take(100).collect::<String>())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unknown host".to_owned());
    format!("command line on {host}")
}

/// Connects to `DATABASE_URL` (the flag or the variable).
pub(crate) async fn connect(db: &DbArgs) -> anyhow::Result<PgPool> {
    let Some(url) = db.database_url.as_deref().filter(|u| !u.trim().is_empty()) else {
        bail!(
            "{DATABASE_URL_VAR} is not set: set it (or pass --database-url) to the PostgreSQL \
             connection URL, e.g. postgres://lightdeck:PASSWORD@localhost/lightdeck"
        );
    };
    // The domain's errors never repeat the URL (it may hold a password).
    lightdeck_domain::db::connect(url.trim())
        .await
        .with_context(|| format!("connecting to the database named by {DATABASE_URL_VAR}"))
}

/// One line of standard input without its line ending (for `--…-stdin` flags). Several
/// secrets can be piped in one after the other.
pub(crate) fn read_stdin_line(what: &str) -> anyhow::Result<SecretString> {
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("reading the {what} from standard input"))?;
    if n == 0 {
        bail!("standard input ended before the {what} was given");
    }
    let trimmed = line.trim_end_matches(['\n', '\r']).to_owned();
    if trimmed.is_empty() {
        bail!("the {what} read from standard input is empty");
    }
    Ok(SecretString::from(trimmed))
}
