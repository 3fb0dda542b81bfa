//! The project id of a region and the account (domain) id, looked up once and cached.
//!
//! With AK/SK they come from IAM (`GET /v3/projects?name=<region>`, `GET /v3/auth/domains`),
//! as Huawei's SDK does it; with a password they come from the body of a scoped token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use super::flight::Flight;
use super::token::TokenScope;
use super::{Account, Reply};
use crate::endpoints::Service;
use crate::error::{AuthError, Error};
use crate::ids::{DomainId, ProjectId};
use crate::model::iam::{ListAuthDomainsResponse, ListProjectsResponse, TokenResponse};
use crate::region::Region;

#[derive(Default)]
pub(crate) struct DiscoveryCache {
    projects: Mutex<HashMap<(Arc<str>, Region), ProjectId>>,
    domains: Mutex<HashMap<Arc<str>, DomainId>>,
    /// One look-up at a time per account, so concurrent first calls share it.
    lookups: Mutex<HashMap<Arc<str>, Arc<Flight<()>>>>,
}

impl DiscoveryCache {
    fn lookup_lock(&self, key: &Arc<str>) -> Arc<Flight<()>> {
        let mut map = self.lookups.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(key.clone()).or_default().clone()
    }

    fn project(&self, key: &Arc<str>, region: Region) -> Option<ProjectId> {
        let map = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&(key.clone(), region)).cloned()
    }

    fn set_project(&self, key: &Arc<str>, region: Region, id: ProjectId) {
        let mut map = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert((key.clone(), region), id);
    }

    fn domain(&self, key: &Arc<str>) -> Option<DomainId> {
        self.domains.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned()
    }

    fn set_domain(&self, key: &Arc<str>, id: DomainId) {
        self.domains.lock().unwrap_or_else(PoisonError::into_inner).insert(key.clone(), id);
    }
}

impl Account {
    /// Records ids already known (e.g. stored with the account) so no look-up is needed.
    pub fn remember_project_id(&self, region: Region, id: ProjectId) {
        self.cloud.inner.discovery.set_project(&self.key, region, id);
    }

    pub fn remember_domain_id(&self, id: DomainId) {
        self.cloud.inner.discovery.set_domain(&self.key, id);
    }

    /// The account's project id in `region`.
    pub async fn project_id(&self, region: Region) -> Result<ProjectId, Error> {
        let cache = &self.cloud.inner.discovery;
        if let Some(id) = cache.project(&self.key, region) {
            return Ok(id);
        }
        let flight = cache.lookup_lock(&self.key);
        let mut turn = flight.turn().await;
        if let Some(id) = cache.project(&self.key, region) {
            return Ok(id);
        }
        if let Some(refused) = turn.shared_refusal() {
            return Err(refused);
        }
        let found = self.look_up_project(region).await;
        turn.record(&found);
        let id = found?;
        cache.set_project(&self.key, region, id.clone());
        Ok(id)
    }

    async fn look_up_project(&self, region: Region) -> Result<ProjectId, Error> {
        if self.credentials.aksk().is_some() {
            return pick_project(region, self.list_projects(region).await?);
        }
        self.token(TokenScope::Project(region)).await?;
        let cache = &self.cloud.inner.discovery;
        cache.project(&self.key, region).ok_or_else(|| Error::InvalidResponse {
            service: Service::Iam,
            operation: "create_token",
            status: 201,
            request_id: None,
            detail: format!("the {region} token names no valid project id"),
        })
    }

    /// The account (IAM domain) id.
    pub async fn domain_id(&self) -> Result<DomainId, Error> {
        let cache = &self.cloud.inner.discovery;
        if let Some(id) = cache.domain(&self.key) {
            return Ok(id);
        }
        let flight = cache.lookup_lock(&self.key);
        let mut turn = flight.turn().await;
        if let Some(id) = cache.domain(&self.key) {
            return Ok(id);
        }
        if let Some(refused) = turn.shared_refusal() {
            return Err(refused);
        }
        let found = self.look_up_domain().await;
        turn.record(&found);
        let id = found?;
        cache.set_domain(&self.key, id.clone());
        Ok(id)
    }

    async fn look_up_domain(&self) -> Result<DomainId, Error> {
        if self.credentials.aksk().is_some() {
            return first_domain(self.list_auth_domains().await?);
        }
        if self.credentials.password().is_none() {
            return Err(AuthError::MissingCredentials {
                operation: "finding the account id",
                reason: "the account has no credentials",
            }
            .into());
        }
        self.token(TokenScope::Domain).await?;
        let cache = &self.cloud.inner.discovery;
        cache.domain(&self.key).ok_or_else(|| Error::InvalidResponse {
            service: Service::Iam,
            operation: "create_token",
            status: 201,
            request_id: None,
            detail: "the token names no valid account (domain) id".to_owned(),
        })
    }

    /// Keeps the ids a token body reveals, sparing later look-ups.
    pub(crate) fn learn_from_token(&self, scope: TokenScope, body: &TokenResponse) {
        let cache = &self.cloud.inner.discovery;
        if let TokenScope::Project(region) = scope
            && let Some(id) = body.token.project_id().and_then(|s| s.parse::<ProjectId>().ok())
        {
            cache.set_project(&self.key, region, id);
        }
        if let Some(id) = body.token.domain_id().and_then(|s| s.parse::<DomainId>().ok()) {
            cache.set_domain(&self.key, id);
        }
    }
}

pub(super) fn first_domain(reply: Reply<ListAuthDomainsResponse>) -> Result<DomainId, Error> {
    let invalid = |detail: String| Error::InvalidResponse {
        service: Service::Iam,
        operation: "list_auth_domains",
        status: reply.status,
        request_id: reply.request_id.clone(),
        detail,
    };
    let first =
        reply.body.domains.first().ok_or_else(|| {
            invalid("IAM lists no account (domain) for these access keys".to_owned())
        })?;
    first.id.parse::<DomainId>().map_err(|e| invalid(e.to_string()))
}

fn pick_project(region: Region, reply: Reply<ListProjectsResponse>) -> Result<ProjectId, Error> {
    let invalid = |detail: String| Error::InvalidResponse {
        service: Service::Iam,
        operation: "list_projects",
        status: reply.status,
        request_id: reply.request_id.clone(),
        detail,
    };
    match reply.body.projects.as_slice() {
        [] => Err(invalid(format!(
            "the account has no project named {region}; is the region enabled for this account?"
        ))),
        [one] => one.id.parse::<ProjectId>().map_err(|e| invalid(e.to_string())),
        many => {
            let ids: Vec<&str> = many.iter().map(|p| p.id.as_str()).collect();
            Err(invalid(format!(
                "the account has {} projects named {region} ({}); cannot tell which to use",
                many.len(),
                ids.join(", ")
            )))
        }
    }
}
