//! `lightdeck`: the Lightdeck command. Parses the command line, sets up logging and hands
//! over to `lightdeck::commands`.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use lightdeck::cli::Cli;
use lightdeck::commands::{self, EXIT_ERROR};
use tracing_subscriber::EnvFilter;

/// Used when RUST_LOG is unset: the panel's own info lines (requests, syncs, sign-ins) stay,
/// while dependencies that log every call or database notice at info are held to warnings,
/// so that what a command prints (e.g. the demo's users) is not buried.
/// glibc's allocator spent a fifth of a page view's CPU in malloc/free (chunk consolidation
/// around the rendered page's buffer); mimalloc's per-thread pages do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_LOG_FILTER: &str = "info,lightdeck_huaweicloud=warn,sqlx=warn,tower_sessions=warn";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Logs go to standard error, filtered by RUST_LOG when it is set and valid.
fn init_logging() {
    let filter = match std::env::var("RUST_LOG") {
        Ok(text) if !text.trim().is_empty() => EnvFilter::try_new(&text).unwrap_or_else(|e| {
            eprintln!("RUST_LOG is not a valid log filter ({e}); using {DEFAULT_LOG_FILTER:?}");
            EnvFilter::new(DEFAULT_LOG_FILTER)
        }),
        _ => EnvFilter::new(DEFAULT_LOG_FILTER),
    };
    // Colour codes only for a terminal, not for journald, `docker logs` or a file.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .init();
}
