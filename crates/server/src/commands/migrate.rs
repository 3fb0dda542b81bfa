//! `lightdeck migrate`.

use std::process::ExitCode;

use super::connect;
use crate::cli::DbArgs;

pub async fn run(args: DbArgs) -> anyhow::Result<ExitCode> {
    let pool = connect(&args).await?;
    lightdeck_domain::db::migrate(&pool).await?;
    println!("the database is up to date");
    Ok(ExitCode::SUCCESS)
}
