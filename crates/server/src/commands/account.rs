//! `lightdeck account add`: checks the credentials against the cloud, finds the account id
//! and each region's project id (`accounts::verify`, as the accounts page does), then
//! stores the account with its secrets sealed and its audit event ("command line on HOST").
//! `lightdeck account reencrypt`: re-seals the stored secrets (cloud credentials and
//! second-factor secrets) after a master key rotation.

use std::process::ExitCode;

use anyhow::{Context, bail};
use lightdeck_domain::accounts::{self, ChangedBy, NewAccount, NewAkSk, NewIamUser};
use lightdeck_domain::crypto::{Keyring, MASTER_KEY_VAR, OLD_KEYS_VAR};
use lightdeck_domain::teams;
use lightdeck_domain::values::{
    self, AccessKeyId, AccountName, DomainName, IamUserName, SecretAccessKey, parse_region,
};
use lightdeck_huaweicloud::{ClientConfig, Endpoints, HuaweiCloud};
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
    if iam_user.is_some() && iam_account.is_none() {
        bail!("--iam-user needs --iam-account: the Huawei account name the IAM user belongs to");
    }
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
    // The same checks as the accounts page: nothing is stored unless the cloud agrees.
    let verified =
        accounts::verify(&cloud, aksk.as_ref(), iam_user.as_ref(), iam_account.as_ref(), &regions)
            .await?;

    let pool = connect(&args.db).await?;
    let Some(team) = teams::find_by_name(&pool, &args.team).await? else {
        bail!("--team: there is no team named {:?}", args.team.trim());
    };
    let domain_id = verified.domain_id.clone();
    let with_projects = verified.projects.clone();
    let by = ChangedBy::Tool(super::cli_actor());
    let created = accounts::connect(
        &pool,
        &keyring,
        team.id,
        NewAccount {
            name,
            domain_name: verified.domain_name,
            domain_id: Some(verified.domain_id),
            aksk,
            iam_user,
            regions: verified.projects,
        },
        &by,
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
        accounts::reencrypt_all(&pool, &keyring).await.context("re-sealing the stored secrets")?
            + lightdeck_domain::second_factor::reencrypt_all(&pool, &keyring)
                .await
                .context("re-sealing the second factors' secrets")?;
    println!(
        "re-sealed {count} secret{} with key {}; every stored secret now opens with \
         {MASTER_KEY_VAR} alone, so {OLD_KEYS_VAR} can be removed",
        if count == 1 { "" } else { "s" },
        keyring.current_id()
    );
    Ok(ExitCode::SUCCESS)
}
