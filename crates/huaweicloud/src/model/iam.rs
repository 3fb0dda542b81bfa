//! IAM (keystone v3): password tokens (`POST /v3/auth/tokens`), project list
//! (`GET /v3/projects`) and the caller's domains (`GET /v3/auth/domains`). Reference §3.
//!
//! The token itself travels in the `X-Subject-Token` response header, not in these bodies.

use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::wire::{null_as_default, push_query, serialize_exposed};
use crate::credentials::IamPassword;

// ---------------------------------------------------------------------------------------------
// Password token request

/// `{"auth": {"identity": …, "scope": …}}`. `Debug` never shows the password.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordTokenRequest {
    pub auth: PasswordAuth,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordAuth {
    pub identity: PasswordIdentity,
    pub scope: AuthScope,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordIdentity {
    /// Always `["password"]` for this request.
    pub methods: Vec<String>,
    pub password: PasswordMethod,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordMethod {
    pub user: PasswordUser,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordUser {
    /// IAM user name.
    pub name: String,
    /// Clear text only on the wire; `Debug` prints `[REDACTED]`.
    #[serde(serialize_with = "serialize_exposed")]
    pub password: SecretString,
    /// The account (IAM domain) the user belongs to.
    pub domain: DomainName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainName {
    pub name: String,
}

/// Exactly one of `project` / `domain` should be set; each names its target by `id` or `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuthScope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<ScopeTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<ScopeTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScopeTarget {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl AuthScope {
    /// Project scope by project name; a region's default project is named after the region.
    pub fn project_name(name: impl Into<String>) -> Self {
        AuthScope { project: Some(ScopeTarget { id: None, name: Some(name.into()) }), domain: None }
    }

    pub fn project_id(id: impl Into<String>) -> Self {
        AuthScope { project: Some(ScopeTarget { id: Some(id.into()), name: None }), domain: None }
    }

    pub fn domain_name(name: impl Into<String>) -> Self {
        AuthScope { project: None, domain: Some(ScopeTarget { id: None, name: Some(name.into()) }) }
    }

    pub fn domain_id(id: impl Into<String>) -> Self {
        AuthScope { project: None, domain: Some(ScopeTarget { id: Some(id.into()), name: None }) }
    }
}

impl PasswordTokenRequest {
    pub fn new(
        user_name: impl Into<String>,
        password: SecretString,
        account_name: impl Into<String>,
        scope: AuthScope,
    ) -> Self {
        PasswordTokenRequest {
            auth: PasswordAuth {
                identity: PasswordIdentity {
                    methods: vec!["password".to_owned()],
                    password: PasswordMethod {
                        user: PasswordUser {
                            name: user_name.into(),
                            password,
                            domain: DomainName { name: account_name.into() },
                        },
                    },
                },
                scope,
            },
        }
    }

    pub fn from_credentials(creds: &IamPassword, scope: AuthScope) -> Self {
        Self::new(&creds.user_name, creds.password.clone(), &creds.account_name, scope)
    }

    pub fn user(&self) -> &PasswordUser {
        &self.auth.identity.password.user
    }
}

// ---------------------------------------------------------------------------------------------
// Token response body

/// Body of a 201 from `POST /v3/auth/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub token: Token,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// E.g. `2020-01-04T09:05:22.701000Z`.
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub methods: Vec<String>,
    /// Absent when the request asked for `nocatalog`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Vec<CatalogEntry>>,
    /// Set for project-scoped tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<TokenProject>,
    /// Set for domain-scoped tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<IdName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<TokenUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<IdName>>,
}

impl Token {
    /// `expires_at` as a time, `None` if Huawei sent something that is not RFC 3339.
    pub fn expires_at_time(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.expires_at, &Rfc3339).ok()
    }

    /// The account (domain) id, from whichever part of the token carries it.
    pub fn domain_id(&self) -> Option<&str> {
        self.project
            .as_ref()
            .and_then(|p| p.domain.as_ref())
            .and_then(|d| d.id.as_deref())
            .or_else(|| self.domain.as_ref().and_then(|d| d.id.as_deref()))
            .or_else(|| {
                self.user.as_ref().and_then(|u| u.domain.as_ref()).and_then(|d| d.id.as_deref())
            })
    }

    pub fn project_id(&self) -> Option<&str> {
        self.project.as_ref().and_then(|p| p.id.as_deref())
    }
}

/// `{id, name}`; either may be missing in some responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct IdName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TokenProject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<IdName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TokenUser {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<IdName>,
    /// `""` means the password never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_expires_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CatalogEntry {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub endpoints: Vec<CatalogEndpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CatalogEndpoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region_id: Option<String>,
    /// `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Projects and domains

/// Query of `GET /v3/projects`; `page` and `per_page` (1–5000) go together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListProjectsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_domain: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
}

impl ListProjectsQuery {
    /// The project named after a region, e.g. `cn-north-4`: how a region's project id is found.
    pub fn by_name(name: impl Into<String>) -> Self {
        ListProjectsQuery { name: Some(name.into()), ..Default::default() }
    }

    /// (key, value) pairs in declaration order, for signing and the URL.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        push_query(&mut q, "domain_id", &self.domain_id);
        push_query(&mut q, "name", &self.name);
        push_query(&mut q, "parent_id", &self.parent_id);
        push_query(&mut q, "enabled", &self.enabled);
        push_query(&mut q, "is_domain", &self.is_domain);
        push_query(&mut q, "page", &self.page);
        push_query(&mut q, "per_page", &self.per_page);
        q
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Links {
    #[serde(rename = "self", default, skip_serializing_if = "Option::is_none")]
    pub self_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListProjectsResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub projects: Vec<Project>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Project {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
    /// The account id for a region's built-in project, the region project's id for a sub-project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_domain: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
}

/// `GET /v3/auth/domains` (KeystoneListAuthDomains).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListAuthDomainsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub domains: Vec<AuthDomain>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AuthDomain {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<Links>,
}

// ---------------------------------------------------------------------------------------------
// Error body

/// Keystone's `{"error": {"code": 401, "message": …, "title": "Unauthorized"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamErrorBody {
    pub error: IamError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamError {
    /// A number (the HTTP status); a numeric string is accepted too.
    #[serde(deserialize_with = "u16_from_number_or_string")]
    pub code: u16,
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl IamErrorBody {
    pub fn new(code: u16, title: impl Into<String>, message: impl Into<String>) -> Self {
        IamErrorBody {
            error: IamError { code, message: message.into(), title: Some(title.into()) },
        }
    }
}

/// Keystone writes `code` as a number; a numeric string is taken too, since a proxy in
/// front of IAM may rewrite the body.
fn u16_from_number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .and_then(|v| u16::try_from(v).ok())
            .ok_or_else(|| D::Error::custom(format!("code {n} is not an HTTP status"))),
        serde_json::Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| D::Error::custom(format!("code \"{s}\" is not an HTTP status"))),
        other => Err(D::Error::custom(format!("code must be a number, got {other}"))),
    }
}
