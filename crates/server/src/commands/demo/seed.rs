//! The demo's panel data: team "Demo", its three users and the simulator's accounts. Every
//! step looks first and creates only what is missing, so a second run (or a run after an
//! interrupted first one) reuses what is there and shows passwords only for users it created.

use anyhow::Context;
use lightdeck_cloudsim::Account as SimAccount;
use lightdeck_domain::accounts::{self, NewAccount, NewAkSk, NewIamUser};
use lightdeck_domain::crypto::Keyring;
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams;
use lightdeck_domain::users::{self, NewUser};
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DisplayName, DomainName, IamPassword, IamUserName, Language,
    LoginName, Password, SecretAccessKey, TeamName, parse_domain_id, parse_project_id,
    parse_region,
};
use lightdeck_huaweicloud::{ProjectId, Region};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use uuid::Uuid;

use crate::commands::user::generate_password;

pub const TEAM: &str = "Demo";

/// (login, display name, role in the team).
pub const USERS: [(&str, &str, Role); 3] = [
    ("alice", "Alice", Role::Owner),
    ("bob", "Bob", Role::Operator),
    ("carol", "Carol", Role::Viewer),
];

/// One demo user as printed: the password only when this run created the user.
pub struct DemoUser {
    pub login: &'static str,
    pub role: Role,
    pub password: Option<SecretString>,
}

/// What [`prepare`] found or made.
pub struct Prepared {
    pub users: Vec<DemoUser>,
    /// The team's accounts that match the simulator's, in the simulator's order.
    pub accounts: Vec<Uuid>,
    /// Accounts whose stored credentials or project ids differed from the simulator's and
    /// were replaced.
    pub updated_accounts: Vec<String>,
}

impl Prepared {
    /// True when nothing had to be created: the data is an earlier run's.
    pub fn reused(&self) -> bool {
        self.users.iter().all(|u| u.password.is_none())
    }
}

pub async fn prepare(
    pool: &PgPool,
    keyring: &Keyring,
    sim_accounts: &[SimAccount],
    regions: &[Region],
) -> anyhow::Result<Prepared> {
    let mut users = Vec::new();
    let mut ids = Vec::new();
    for (login, display, role) in USERS {
        let (id, password) = ensure_user(pool, login, display).await?;
        ids.push((id, role));
        users.push(DemoUser { login, role, password });
    }
    let team = match teams::find_by_name(pool, TEAM).await? {
        Some(team) => team,
        None => teams::create(pool, &TeamName::parse(TEAM)?, None).await?,
    };
    for (user, role) in ids {
        // A role someone changed since is theirs to keep; only missing members are added.
        if teams::role_of(pool, team.id, user).await?.is_none() {
            teams::add_member(pool, team.id, user, role).await?;
        }
    }
    let mut accounts = Vec::new();
    let mut updated_accounts = Vec::new();
    let existing = accounts::list(pool, team.id).await?;
    for sim in sim_accounts {
        let wanted = Wanted::from_sim(sim, regions)?;
        let id = match existing.iter().find(|a| a.name == sim.name) {
            Some(account) => {
                if refresh_account(pool, keyring, team.id, account.id, &wanted).await? {
                    updated_accounts.push(sim.name.clone());
                }
                account.id
            }
            None => {
                let new = NewAccount {
                    name: AccountName::parse(&sim.name)?,
                    domain_name: DomainName::parse(&sim.name)?,
                    domain_id: Some(parse_domain_id(&sim.domain_id)?),
                    aksk: Some(wanted.aksk.clone()),
                    iam_user: Some(wanted.iam.clone()),
                    regions: wanted.regions.clone(),
                };
                accounts::create(pool, keyring, team.id, new)
                    .await
                    .with_context(|| format!("connecting the demo account {}", sim.name))?
                    .id
            }
        };
        accounts.push(id);
    }
    Ok(Prepared { users, accounts, updated_accounts })
}

async fn ensure_user(
    pool: &PgPool,
    login: &str,
    display: &str,
) -> anyhow::Result<(Uuid, Option<SecretString>)> {
    if let Some(user) = users::find_by_login(pool, login).await? {
        return Ok((user.id, None));
    }
    let password = generate_password();
    let user = users::create(
        pool,
        NewUser {
            login: LoginName::parse(login)?,
            display_name: DisplayName::parse(display)?,
            password: Password::parse(password.expose_secret())?,
            site_admin: false,
            language: Language::En,
        },
    )
    .await
    .with_context(|| format!("creating the demo user {login}"))?;
    Ok((user.id, Some(password)))
}

/// The credentials and projects an account should have, from the simulator.
struct Wanted {
    aksk: NewAkSk,
    iam: NewIamUser,
    regions: Vec<(Region, ProjectId)>,
}

impl Wanted {
    fn from_sim(sim: &SimAccount, regions: &[Region]) -> anyhow::Result<Wanted> {
        let mut with_projects = Vec::new();
        for region in regions {
            let project = sim
                .project_id(*region)
                .with_context(|| format!("cloudsim has no project in {region}"))?;
            with_projects.push((parse_region(region.id())?, parse_project_id(project)?));
        }
        Ok(Wanted {
            aksk: NewAkSk {
                access_key_id: AccessKeyId::parse(&sim.ak)?,
                secret_access_key: SecretAccessKey::parse(sim.sk.expose_secret())?,
            },
            iam: NewIamUser {
                user_name: IamUserName::parse(&sim.iam_user)?,
                password: IamPassword::parse(sim.iam_password.expose_secret())?,
            },
            regions: with_projects,
        })
    }
}

/// Makes a stored account match the simulator; true when something had to change. The
/// simulator is seeded with a fixed seed, so normally nothing does.
async fn refresh_account(
    pool: &PgPool,
    keyring: &Keyring,
    team: Uuid,
    id: Uuid,
    wanted: &Wanted,
) -> anyhow::Result<bool> {
    // Secrets that no longer open (e.g. the key file was replaced) are simply replaced.
    let same_credentials = match accounts::credentials(pool, keyring, id).await {
        Ok(stored) => {
            let aksk = stored.aksk().is_some_and(|k| {
                k.ak == wanted.aksk.access_key_id.as_str()
                    && k.sk.expose_secret() == wanted.aksk.secret_access_key.expose()
            });
            let iam = stored.password().is_some_and(|p| {
                p.user_name == wanted.iam.user_name.as_str()
                    && p.password.expose_secret() == wanted.iam.password.expose()
            });
            aksk && iam
        }
        Err(lightdeck_domain::Error::Crypto(_)) => false,
        Err(e) => return Err(e.into()),
    };
    if !same_credentials {
        accounts::replace_credentials(
            pool,
            keyring,
            team,
            id,
            Some(&wanted.aksk),
            Some(&wanted.iam),
        )
        .await?;
    }
    let stored: Vec<(Region, String)> = accounts::regions(pool, id)
        .await?
        .into_iter()
        .map(|r| (r.region, r.project_id.as_str().to_owned()))
        .collect();
    let mut want: Vec<(Region, String)> =
        wanted.regions.iter().map(|(r, p)| (*r, p.as_str().to_owned())).collect();
    want.sort_by_key(|(r, _)| *r);
    let same_regions = stored == want;
    if !same_regions {
        accounts::set_regions(pool, team, id, &wanted.regions).await?;
    }
    Ok(!(same_credentials && same_regions))
}
