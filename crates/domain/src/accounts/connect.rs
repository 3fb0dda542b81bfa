//! Checking credentials against the cloud before anything is stored: the AK/SK and the IAM
//! password must both work, the Huawei account is named, and each region's project id is
//! found. The accounts page and `lightdeck account add` both go through [`verify`].

use lightdeck_huaweicloud::{
    AkSk, Credentials, DomainId, Error as CloudError, HuaweiCloud, IamPassword, ProjectId, Region,
};

use super::{NewAkSk, NewIamUser};
use crate::values::DomainName;

/// What the cloud confirmed about a set of credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub domain_id: DomainId,
    pub domain_name: DomainName,
    /// Each asked-for region with the account's project id there, in the order asked.
    pub projects: Vec<(Region, ProjectId)>,
}

/// Why credentials could not be verified. Display texts never hold secrets (the client's
/// errors promise the same); [`ConnectError::cloud`] gives Huawei's code for explanations.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no credentials: give an access key pair (AK/SK), an IAM user and password, or both")]
    NoCredentials,
    #[error("the cloud refused the credentials: {0}")]
    Credentials(#[source] CloudError),
    #[error("the cloud named no Huawei account for these credentials")]
    NoAccountName,
    #[error("finding the project id of {region} failed: {source}")]
    Project { region: Region, source: CloudError },
}

impl ConnectError {
    /// The cloud's answer behind the failure, if there was a call.
    pub fn cloud(&self) -> Option<&CloudError> {
        match self {
            ConnectError::Credentials(e) | ConnectError::Project { source: e, .. } => Some(e),
            ConnectError::NoCredentials | ConnectError::NoAccountName => None,
        }
    }
}

/// The credentials as the client signs with them. The IAM password needs the account name
/// it belongs to (`iam_account`).
pub fn client_credentials(
    aksk: Option<&NewAkSk>,
    iam: Option<&NewIamUser>,
    iam_account: Option<&DomainName>,
) -> Result<Credentials, ConnectError> {
    let aksk =
        aksk.map(|k| AkSk::new(k.access_key_id.as_str(), k.secret_access_key.expose().to_owned()));
    let password = match (iam, iam_account) {
        (Some(u), Some(domain)) => Some(IamPassword::new(
            domain.as_str(),
            u.user_name.as_str(),
            u.password.expose().to_owned(),
        )),
        _ => None,
    };
    Credentials::new(aksk, password).map_err(|_| ConnectError::NoCredentials)
}

/// Proves the credentials work (bypassing the client's caches), names the Huawei account
/// (`iam_account` when given, else the one the AK belongs to) and finds the project id of
/// every region in `regions`. Nothing is stored.
pub async fn verify(
    cloud: &HuaweiCloud,
    aksk: Option<&NewAkSk>,
    iam: Option<&NewIamUser>,
    iam_account: Option<&DomainName>,
    regions: &[Region],
) -> Result<Verified, ConnectError> {
    let credentials = client_credentials(aksk, iam, iam_account)?;
    let password = credentials.password().is_some();
    let account = cloud.account(credentials);
    let (domain_id, domain_name) = match iam_account {
        // The password's token names the account: `verify_credentials` checks both kinds.
        Some(name) if password => {
            let id = account.verify_credentials().await.map_err(ConnectError::Credentials)?;
            (id, name.clone())
        }
        // AK/SK alone: the one call that proves the key also names its account.
        _ => {
            let reply = account.list_auth_domains().await.map_err(ConnectError::Credentials)?;
            let first = reply.body.domains.into_iter().next().ok_or(ConnectError::NoAccountName)?;
            let id: DomainId = first.id.parse().map_err(|_| ConnectError::NoAccountName)?;
            let name = DomainName::parse(&first.name).map_err(|_| ConnectError::NoAccountName)?;
            account.remember_domain_id(id.clone());
            (id, name)
        }
    };
    let mut projects = Vec::with_capacity(regions.len());
    for &region in regions {
        let project = account
            .project_id(region)
            .await
            .map_err(|source| ConnectError::Project { region, source })?;
        projects.push((region, project));
    }
    Ok(Verified { domain_id, domain_name, projects })
}

/// The project ids of `regions` for an account already connected (its stored
/// credentials, from [`super::credentials`]): what adding regions needs first.
pub async fn discover_projects(
    cloud: &HuaweiCloud,
    credentials: Credentials,
    regions: &[Region],
) -> Result<Vec<(Region, ProjectId)>, ConnectError> {
    let account = cloud.account(credentials);
    let mut projects = Vec::with_capacity(regions.len());
    for &region in regions {
        let project = account
            .project_id(region)
            .await
            .map_err(|source| ConnectError::Project { region, source })?;
        projects.push((region, project));
    }
    Ok(projects)
}
