//! `lightdeck team add` (in the site audit log, like a site administrator's) and
//! `lightdeck team member add`.

use std::process::ExitCode;

use anyhow::bail;
use lightdeck_domain::site::{self, SiteActor};
use lightdeck_domain::teams;
use lightdeck_domain::users;
use lightdeck_domain::values::{TeamName, parse_role};

use super::connect;
use crate::cli::{MemberAddArgs, TeamAddArgs};

pub async fn add(args: TeamAddArgs) -> anyhow::Result<ExitCode> {
    let name = TeamName::parse(&args.name)?;
    let pool = connect(&args.db).await?;
    let owner = match &args.owner {
        Some(login) => match users::find_by_login(&pool, login).await? {
            Some(user) => Some(user),
            None => bail!("--owner: there is no user with the login {:?}", login.trim()),
        },
        None => None,
    };
    let actor = SiteActor::command_line(super::cli_actor());
    let owned_by = owner.as_ref().map(|u| (u.id, u.login.as_str()));
    let team = site::create_team(&pool, &name, owned_by, &actor).await?;
    match owner {
        Some(user) => println!("created team {} ({}) owned by {}", team.name, team.id, user.login),
        None => println!("created team {} ({})", team.name, team.id),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn member_add(args: MemberAddArgs) -> anyhow::Result<ExitCode> {
    let role = parse_role(&args.role)?;
    let pool = connect(&args.db).await?;
    let Some(team) = teams::find_by_name(&pool, &args.team).await? else {
        bail!("there is no team named {:?}", args.team.trim());
    };
    let Some(user) = users::find_by_login(&pool, &args.login).await? else {
        bail!("there is no user with the login {:?}", args.login.trim());
    };
    teams::add_member(&pool, team.id, user.id, role).await?;
    println!("added {} to {} as {role}", user.login, team.name);
    Ok(ExitCode::SUCCESS)
}
