//! IAM look-ups signed with AK/SK: the projects of a region and the caller's account.
//! Tokens are in `token.rs`; the cached ids built on these calls are in `discovery.rs`.

use http::Method;

use super::retry::Repeat;
use super::token::TokenScope;
use super::transport::{Auth, Op};
use super::{Account, Reply};
use crate::endpoints::Service;
use crate::error::{AuthError, Error};
use crate::ids::DomainId;
use crate::model::iam::{ListAuthDomainsResponse, ListProjectsQuery, ListProjectsResponse};
use crate::region::Region;

fn iam_get(
    operation: &'static str,
    region: Option<Region>,
    path: &str,
    query: Vec<(String, String)>,
) -> Op {
    Op {
        service: Service::Iam,
        operation,
        region,
        method: Method::GET,
        path: path.to_owned(),
        query,
        content_type: "application/json",
        headers: Vec::new(),
        body: Vec::new(),
        repeat: Repeat::Safe,
    }
}

impl Account {
    /// `GET /v3/projects?name=<region>` on the region's IAM endpoint (AK/SK only).
    pub async fn list_projects(
        &self,
        region: Region,
    ) -> Result<Reply<ListProjectsResponse>, Error> {
        let query = ListProjectsQuery::by_name(region.id())
            .query_pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let op = iam_get("list_projects", Some(region), "/v3/projects", query);
        self.call(&op, &Auth::AkSk(None)).await
    }

    /// `GET /v3/auth/domains` on the global IAM endpoint (AK/SK only).
    pub async fn list_auth_domains(&self) -> Result<Reply<ListAuthDomainsResponse>, Error> {
        let op = iam_get("list_auth_domains", None, "/v3/auth/domains", Vec::new());
        self.call(&op, &Auth::AkSk(None)).await
    }

    /// Proves every credential the account has works, bypassing the caches: the AK/SK by
    /// listing the caller's account, the password by getting a domain-scoped token (which
    /// is then cached). Returns the account (domain) id.
    pub async fn verify_credentials(&self) -> Result<DomainId, Error> {
        let mut found = None;
        if self.credentials.aksk().is_some() {
            let reply = self.list_auth_domains().await?;
            found = Some(super::discovery::first_domain(reply)?);
        }
        if self.credentials.password().is_some() {
            self.token(TokenScope::Domain).await?;
            if found.is_none() {
                found = Some(self.domain_id().await?);
            }
        }
        let id = found.ok_or(AuthError::MissingCredentials {
            operation: "verify credentials",
            reason: "the account has no credentials",
        })?;
        self.remember_domain_id(id.clone());
        Ok(id)
    }
}
