//! HCSS: buying Flexus L instances (`POST /v1/light-instances`).

use std::fmt;

use http::Method;

use super::retry::Repeat;
use super::token::TokenScope;
use super::transport::{Auth, Op};
use super::{Account, Reply, json_body};
use crate::endpoints::Service;
use crate::error::{AuthError, Error};
use crate::model::hcss::{PurchaseRequest, PurchaseResponse};
use crate::region::Region;
use crate::validate::{self, FieldError, FieldErrors};

/// The `Client-Request-Id` of one logical purchase. The seed says only that it "locates a
/// request"; neither it nor the reference says Huawei deduplicates purchases by it. So it is
/// made once and stored with the purchase, and an explicit retry of the very same purchase
/// sends it again (it cannot hurt), but nothing relies on it: a purchase that may have
/// reached the cloud is reconciled through its tag and the account's orders, not re-sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientRequestId(String);

impl ClientRequestId {
    /// A fresh random id (UUID v4).
    pub fn generate() -> Self {
        ClientRequestId(uuid::Uuid::new_v4().to_string())
    }

    /// An id stored earlier, checked against Huawei's rules (36–128 letters, digits, `-`).
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        validate::client_request_id(s)?;
        Ok(ClientRequestId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Account {
    /// Buys Flexus L instances. Validates the request first (nothing is sent when it is
    /// invalid); authenticates with a project-scoped token of the target region, so the
    /// account needs an IAM password. HTTP 202: only the order exists yet.
    ///
    /// Sent once. It is repeated only when it certainly was not processed: the connection
    /// could not be made, or the answer was 429 (throttled). After a timeout, a dropped
    /// connection or a 5xx the error is [`Error::OutcomeUnknown`]
    /// ([`Error::may_have_taken_effect`] is true): the order may exist, so the caller must
    /// reconcile (find the instances by their purchase tag, see
    /// [`Account::list_l_instances_tagged`], and the account's recent orders, see
    /// [`Account::list_customer_orders`]) instead of sending it again. Any other error is a
    /// refusal; [`crate::error::PurchaseRefusal::of`] names the usual ones.
    pub async fn purchase(
        &self,
        request: &PurchaseRequest,
        client_request_id: &ClientRequestId,
    ) -> Result<Reply<PurchaseResponse>, Error> {
        validate::purchase(request)?;
        let region: Region =
            request.region.parse().map_err(|e: crate::region::UnknownRegion| {
                let mut errors = FieldErrors::default();
                errors.push("region", e.to_string());
                Error::Validation(errors)
            })?;
        if self.credentials.password().is_none() {
            return Err(AuthError::MissingCredentials {
                operation: "purchase",
                reason: "buying instances needs an IAM user name and password (the purchase API \
                         accepts only IAM tokens); add them to this account",
            }
            .into());
        }
        let op = Op {
            service: Service::Hcss,
            operation: "purchase",
            region: Some(region),
            method: Method::POST,
            path: "/v1/light-instances".to_owned(),
            query: Vec::new(),
            content_type: "application/json",
            headers: vec![("Client-Request-Id".to_owned(), client_request_id.0.clone())],
            body: json_body("purchase", request)?,
            // Money: never repeated blindly (Client-Request-Id is not known to deduplicate).
            repeat: Repeat::OnlyIfNotProcessed,
        };
        self.call(&op, &Auth::Token(TokenScope::Project(region))).await
    }
}
