//! `lightdeck`: the Lightdeck command. Parses the command line, sets up logging and hands
//! over to `lightdeck::commands`.

use std::process::ExitCode;

use clap::Parser;
use lightdeck::cli::{Cli, Command};
use lightdeck::commands::{self, EXIT_ERROR};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The panel logs one line per request; one-shot commands only warnings.
    let default_filter = match cli.command {
        Command::Serve(_) | Command::Demo(_) => "info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .init();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
