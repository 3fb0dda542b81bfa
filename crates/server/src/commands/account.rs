//! `lightdeck account add`: checks the credentials against the cloud, finds the account id
//! and each region's project id, then stores the account with its secrets sealed.
//! `lightdeck account reencrypt`: re-seals the stored secrets after a master key rotation.

use std::process::ExitCode;

use anyhow::{Context, bail};
use lightdeck_domain::accounts::{self, NewAccount, NewAkSk, NewIamUser};
use lightdeck_domain::crypto::{Keyring, MASTER_KEY_VAR, OLD_KEYS_VAR};
use lightdeck_domain::teams;
use lightdeck_domain::values::{
    self, AccessKeyId, AccountName, DomainName, IamUserName, SecretAccessKey, parse_region,
};
use lightdeck_huaweicloud::{AkSk, ClientConfig, Credentials, Endpoints, HuaweiCloud, IamPassword};
use secrecy::ExposeSecret;

use super::{connect, read_stdin_line};
use crate::cli::{AccountAddArgs, DbArgs};

pub async fn add(args: AccountAddArgs) -> anyhow::Result<ExitCode> {
    let name = AccountName::parse(&args.name)?;
    let regions = args
        .regions
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| parse_region(r).with_context(|| format!("--regions: {r:?}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if regions.is_empty() {
        bail!("--regions: give at least one region, e.g. cn-north-4");
    }
    let aksk = match &args.ak {
        Some(ak) => {
            let access_key_id = AccessKeyId::parse(ak)?;
            let sk = read_stdin_line("secret access key (SK)")?;
            Some(NewAkSk {
                access_key_id,
                secret_access_key: SecretAccessKey::parse(sk.expose_secret())?,
            })
        }
        None => None,
    };
    let iam_account = args.iam_account.as_deref().map(DomainName::parse).transpose()?;
    let iam_user = match &args.iam_user {
        Some(user) => {
            let password = read_stdin_line("IAM user password")?;
            Some(NewIamUser {
                user_name: IamUserName::parse(user)?,
                password: values::IamPassword::parse(password.expose_secret())?,
            })
        }
        None => None,
    };
    if aksk.is_none() && iam_user.is_none() {
        bail!(
            "no credentials: give --ak with --sk-stdin, or --iam-account, --iam-user and \
             --iam-password-stdin (or both)"
        );
    }
    let keyring = Keyring::from_env()?.with_context(|| {
        format!("{MASTER_KEY_VAR} is not set; it is needed to store the secrets encrypted")
    })?;

    let mut config = ClientConfig::default();
    if let Some(url) = args.endpoint.as_deref().filter(|u| !u.trim().is_empty()) {
        config.endpoints =
            Endpoints::single(url.trim()).map_err(|e| anyhow::anyhow!("--endpoint: {e}"))?;
    }
    let cloud = HuaweiCloud::new(config)?;
    let credentials = Credentials::new(
        aksk.as_ref()
            .map(|k| AkSk::new(k.access_key_id.as_str(), k.secret_access_key.expose().to_owned())),
        match (&iam_user, &iam_account) {
            (Some(u), Some(domain)) => Some(IamPassword::new(
                domain.as_str(),
                u.user_name.as_str(),
                u.password.expose().to_owned(),
            )),
            _ => None,
        },
    )
    .map_err(|_| anyhow::anyhow!("no credentials given"))?;
    let account = cloud.account(credentials);

    let domain_id =
        account.verify_credentials().await.context("the cloud refused the credentials")?;
    let domain_name = match iam_account {
        Some(name) => name,
        None => {
            let reply =
                account.list_auth_domains().await.context("looking up the Huawei account name")?;
            let first = reply
                .body
                .domains
                .into_iter()
                .next()
                .context("the cloud named no account for these credentials")?;
            DomainName::parse(&first.name)?
        }
    };
    let mut with_projects = Vec::new();
    for region in regions {
        let project = account
            .project_id(region)
            .await
            .with_context(|| format!("finding the project id of {region}"))?;
        with_projects.push((region, project));
    }

    let pool = connect(&args.db).await?;
    let Some(team) = teams::find_by_name(&pool, &args.team).await? else {
        bail!("--team: there is no team named {:?}", args.team.trim());
    };
    let created = accounts::create(
        &pool,
        &keyring,
        team.id,
        NewAccount {
            name,
            domain_name,
            domain_id: Some(domain_id.clone()),
            aksk,
            iam_user,
            regions: with_projects.clone(),
        },
    )
    .await?;
    println!(
        "connected account {} ({}) to team {}: Huawei account {}",
        created.name, created.id, team.name, domain_id
    );
    for (region, project) in with_projects {
        println!("  {region:<15} project {project}");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn reencrypt(db: DbArgs) -> anyhow::Result<ExitCode> {
    let keyring = Keyring::from_env()?.with_context(|| {
        format!(
            "{MASTER_KEY_VAR} is not set; set it to the new key and {OLD_KEYS_VAR} to the old \
             one(s)"
        )
    })?;
    let pool = connect(&db).await?;
    let count =
        accounts::reencrypt_all(&pool, &keyring).await.context("re-sealing the stored secrets")?;
    println!(
        "re-sealed {count} secret{} with key {}; every stored secret now opens with \
         {MASTER_KEY_VAR} alone, so {OLD_KEYS_VAR} can be removed",
        if count == 1 { "" } else { "s" },
        keyring.current_id()
    );
    Ok(ExitCode::SUCCESS)
}
