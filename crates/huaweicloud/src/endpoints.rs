//! Where each Huawei Cloud service lives, and how to point all of them (or one of them) at
//! another base URL such as cloudsim.
//!
//! The host that goes into the signature is the URL's netloc, port included when it is not
//! the scheme's default: the gateway recomputes the signature from the `Host` it receives.

use std::collections::HashMap;
use std::fmt;

use reqwest::Url;

use crate::region::Region;

/// A Huawei Cloud service this client calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Iam,
    Ecs,
    Rms,
    Bss,
    Hcss,
}

impl Service {
    pub const ALL: [Service; 5] =
        [Service::Iam, Service::Ecs, Service::Rms, Service::Bss, Service::Hcss];

    /// Lowercase name, as used in logs and error messages.
    pub fn name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::Ecs => "ecs",
            Service::Rms => "rms",
            Service::Bss => "bss",
            Service::Hcss => "hcss",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An endpoint URL that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("endpoint “{url}” is not usable: {reason}")]
pub struct InvalidEndpoint {
    pub url: String,
    pub reason: &'static str,
}

/// A parsed base URL: scheme, netloc (the signed host) and an optional path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    scheme: String,
    netloc: String,
    /// Empty, or starts with `/` and has no trailing `/`.
    prefix: String,
}

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<Self, InvalidEndpoint> {
        let bad = |reason| InvalidEndpoint { url: raw.chars().take(200).collect(), reason };
        let url = Url::parse(raw.trim()).map_err(|_| bad("not an absolute URL"))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(bad("the scheme must be http or https"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("it must not contain a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("it must not contain a query or fragment"));
        }
        let host = url.host_str().ok_or_else(|| bad("it has no host"))?;
        // `Url::port` is None for the scheme's default port, which is exactly when the
        // netloc (and so the signed Host) carries no port.
        let netloc = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let prefix = url.path().trim_end_matches('/').to_owned();
        Ok(BaseUrl { scheme: url.scheme().to_owned(), netloc, prefix })
    }

    /// The host to sign and send: `host` or `host:port`.
    pub fn netloc(&self) -> &str {
        &self.netloc
    }

    /// The path to sign for an operation path (which starts with `/`).
    pub fn path(&self, operation_path: &str) -> String {
        format!("{}{}", self.prefix, operation_path)
    }

    /// The full URL for an already-encoded path and query string (`path?query`).
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}://{}{}", self.scheme, self.netloc, path_and_query)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.netloc, self.prefix)
    }
}

/// Base URLs for every service: Huawei's real hosts unless overridden.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    all: Option<BaseUrl>,
    per_service: HashMap<Service, BaseUrl>,
}

impl Endpoints {
    /// Huawei Cloud's public China-site hosts.
    pub fn huawei() -> Self {
        Endpoints::default()
    }

    /// Every service at one base URL, e.g. cloudsim's `http://127.0.0.1:9400`.
    pub fn single(base: &str) -> Result<Self, InvalidEndpoint> {
        Ok(Endpoints { all: Some(BaseUrl::parse(base)?), per_service: HashMap::new() })
    }

    /// One service at another base URL; wins over [`Endpoints::single`].
    pub fn with_service(mut self, service: Service, base: &str) -> Result<Self, InvalidEndpoint> {
        self.per_service.insert(service, BaseUrl::parse(base)?);
        Ok(self)
    }

    /// The base URL of a service. `region` picks the regional host of ECS and IAM; IAM
    /// without a region is the global endpoint; the other services ignore it.
    pub fn base(&self, service: Service, region: Option<Region>) -> BaseUrl {
        if let Some(b) = self.per_service.get(&service).or(self.all.as_ref()) {
            return b.clone();
        }
        let netloc = match (service, region) {
            (Service::Ecs, Some(r)) => format!("ecs.{}.myhuaweicloud.com", r.id()),
            // ECS is regional; without a region fall back to Beijing4, the default region.
            (Service::Ecs, None) => "ecs.cn-north-4.myhuaweicloud.com".to_owned(),
            (Service::Iam, Some(r)) => format!("iam.{}.myhuaweicloud.com", r.id()),
            (Service::Iam, None) => "iam.myhuaweicloud.com".to_owned(),
            (Service::Rms, _) => "rms.myhuaweicloud.com".to_owned(),
            (Service::Bss, _) => "bss.myhuaweicloud.com".to_owned(),
            (Service::Hcss, _) => "hcss.cn-north-4.myhuaweicloud.com".to_owned(),
        };
        BaseUrl { scheme: "https".to_owned(), netloc, prefix: String::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_hosts_by_default() {
        let e = Endpoints::huawei();
        let r = Some(Region::ApSoutheast3);
        assert_eq!(
            e.base(Service::Ecs, r).to_string(),
            "https://ecs.ap-southeast-3.myhuaweicloud.com"
        );
        assert_eq!(
            e.base(Service::Iam, r).to_string(),
            "https://iam.ap-southeast-3.myhuaweicloud.com"
        );
        assert_eq!(e.base(Service::Iam, None).to_string(), "https://iam.myhuaweicloud.com");
        assert_eq!(e.base(Service::Rms, r).to_string(), "https://rms.myhuaweicloud.com");
        assert_eq!(e.base(Service::Bss, r).to_string(), "https://bss.myhuaweicloud.com");
        assert_eq!(
            e.base(Service::Hcss, r).to_string(),
            "https://hcss.cn-north-4.myhuaweicloud.com"
        );
    }

    #[test]
    fn overrides_keep_non_default_ports_in_the_netloc() {
        let e = Endpoints::single("http://127.0.0.1:9400/")
            .unwrap()
            .with_service(Service::Bss, "https://bss.example.test:443/prefix/")
            .unwrap();
        let ecs = e.base(Service::Ecs, Some(Region::CnNorth4));
        assert_eq!(ecs.netloc(), "127.0.0.1:9400");
        assert_eq!(ecs.url("/v1/x?a=b"), "http://127.0.0.1:9400/v1/x?a=b");
        let bss = e.base(Service::Bss, None);
        assert_eq!(bss.netloc(), "bss.example.test");
        assert_eq!(bss.path("/v2/orders"), "/prefix/v2/orders");
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        assert!(Endpoints::single("127.0.0.1:9400").is_err());
        assert!(Endpoints::single("ftp://x").unwrap_err().to_string().contains("http or https"));
        assert!(Endpoints::single("http://u:p@x").is_err());
        assert!(Endpoints::single("http://x/?q=1").is_err());
    }
}
