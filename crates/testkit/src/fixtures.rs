//! Users, teams and cloud accounts made through the domain's own functions (never raw SQL),
//! so a fixture passes the same validation and lands in the same tables as the real thing.

use lightdeck_cloudsim::Account as SimAccount;
use lightdeck_domain::accounts::{self, Account, NewAccount, NewAkSk, NewIamUser};
use lightdeck_domain::crypto::Keyring;
use lightdeck_domain::policy::Role;
use lightdeck_domain::teams::{self, Team};
use lightdeck_domain::users::{self, NewUser, User};
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DisplayName, DomainName, IamPassword, IamUserName, Language,
    LoginName, Password, SecretAccessKey, TeamName, parse_project_id,
};
use lightdeck_huaweicloud::{ProjectId, Region};
use secrecy::ExposeSecret;
use sqlx::PgPool;
use uuid::Uuid;

/// Every fixture user's password unless a test picks another.
pub const PASSWORD: &str = "correct horse battery staple";

/// A user to be made: `user(pool, "alice").display("Alice").member_of(team, Role::Owner)`.
#[must_use = "nothing is made until `create`"]
pub struct UserFixture<'a> {
    pool: &'a PgPool,
    login: String,
    display: Option<String>,
    password: String,
    language: Language,
    site_admin: bool,
    teams: Vec<(Uuid, Role)>,
}

pub fn user<'a>(pool: &'a PgPool, login: &str) -> UserFixture<'a> {
    UserFixture {
        pool,
        login: login.to_owned(),
        display: None,
        password: PASSWORD.to_owned(),
        language: Language::En,
        site_admin: false,
        teams: Vec::new(),
    }
}

impl UserFixture<'_> {
    /// The display name (the login unless set).
    pub fn display(mut self, name: &str) -> Self {
        self.display = Some(name.to_owned());
        self
    }

    pub fn password(mut self, password: &str) -> Self {
        self.password = password.to_owned();
        self
    }

    /// The language in the user's settings (English unless set).
    pub fn language(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    pub fn site_admin(mut self, yes: bool) -> Self {
        self.site_admin = yes;
        self
    }

    pub fn member_of(mut self, team: Uuid, role: Role) -> Self {
        self.teams.push((team, role));
        self
    }

    pub async fn create(self) -> User {
        let user = users::create(
            self.pool,
            NewUser {
                login: LoginName::parse(&self.login).expect("a valid login"),
                display_name: DisplayName::parse(self.display.as_deref().unwrap_or(&self.login))
                    .expect("a valid display name"),
                password: Password::parse(&self.password).expect("a valid password"),
                site_admin: self.site_admin,
                language: self.language,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("user {}: {e}", self.login));
        for (team, role) in self.teams {
            teams::add_member(self.pool, team, user.id, role)
                .await
                .unwrap_or_else(|e| panic!("{} joins team {team}: {e}", self.login));
        }
        user
    }
}

/// A team without members (add them with [`UserFixture::member_of`]).
pub async fn team(pool: &PgPool, name: &str) -> Team {
    teams::create(pool, &TeamName::parse(name).expect("a valid team name"), None)
        .await
        .unwrap_or_else(|e| panic!("team {name}: {e}"))
}

/// A cloud account to be made: made-up credentials in cn-north-4 (for pages that never call
/// the cloud) unless [`CloudAccountFixture::from_sim`] connects a cloudsim account.
#[must_use = "nothing is made until `create`"]
pub struct CloudAccountFixture<'a> {
    pool: &'a PgPool,
    keyring: &'a Keyring,
    team: Uuid,
    new: NewAccount,
}

pub fn cloud_account<'a>(
    pool: &'a PgPool,
    keyring: &'a Keyring,
    team: Uuid,
    name: &str,
) -> CloudAccountFixture<'a> {
    let new = NewAccount {
        name: AccountName::parse(name).expect("a valid account name"),
        domain_name: DomainName::parse("acme").expect("a valid domain name"),
        domain_id: None,
        aksk: Some(NewAkSk {
            access_key_id: AccessKeyId::parse("HPUABCDEFGHIJKLMNOPQ").expect("an access key"),
            secret_access_key: SecretAccessKey::parse("Qm9vZ2llV29vZ2llQm9vZ2llV29vZ2llQm9vZ2ll")
                .expect("a secret key"),
        }),
        iam_user: None,
        regions: vec![(
            Region::CnNorth4,
            parse_project_id("0123456789abcdef0123456789abcdef").expect("a project id"),
        )],
    };
    CloudAccountFixture { pool, keyring, team, new }
}

impl CloudAccountFixture<'_> {
    /// Connects cloudsim's `account` (its domain, access key and project ids) in `regions`.
    pub fn from_sim(mut self, account: &SimAccount, regions: &[Region]) -> Self {
        self.new.domain_name = DomainName::parse(&account.name).expect("cloudsim's domain name");
        self.new.domain_id = Some(account.domain_id.parse().expect("a 32-hex domain id"));
        self.new.aksk = Some(NewAkSk {
            access_key_id: AccessKeyId::parse(&account.ak).expect("cloudsim's access key"),
            secret_access_key: SecretAccessKey::parse(account.sk.expose_secret())
                .expect("cloudsim's secret key"),
        });
        self.new.regions = regions.iter().map(|r| (*r, project_of(account, *r))).collect();
        self
    }

    /// Also the IAM user of the cloudsim account (what purchases need: HCSS takes only a
    /// password-based token).
    pub fn with_iam_of(mut self, account: &SimAccount) -> Self {
        self.new.iam_user = Some(NewIamUser {
            user_name: IamUserName::parse(&account.iam_user).expect("cloudsim's IAM user"),
            password: IamPassword::parse(account.iam_password.expose_secret())
                .expect("cloudsim's IAM password"),
        });
        self
    }

    pub async fn create(self) -> Account {
        let name = self.new.name.as_str().to_owned();
        accounts::create(self.pool, self.keyring, self.team, self.new)
            .await
            .unwrap_or_else(|e| panic!("cloud account {name}: {e}"))
    }
}

fn project_of(account: &SimAccount, region: Region) -> ProjectId {
    let id = account.project_id(region).expect("cloudsim has a project in every region it runs");
    id.parse().expect("a 32-hex project id")
}
