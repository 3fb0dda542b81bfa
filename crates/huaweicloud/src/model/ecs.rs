//! ECS v1 operations on a Flexus L instance's cloud server (reference §5.3–§5.7): show, list,
//! update, batch start/stop/reboot, batch password reset, job status, and the ECS error body.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::wire::{null_as_default, serialize_exposed};

/// A string enum that keeps values it does not know in `Other`, so a status Huawei adds later
/// decodes instead of failing the whole response.
macro_rules! open_string_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($wire => $name::$variant,)+
                    _ => $name::Other(s),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::from(s.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Other(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod job;
mod list;
mod server;
mod update;

pub use job::{JobEntities, JobStatus, ShowJobResponse, SubJob, SubJobEntities};
pub use list::{LIST_SERVERS_MAX_LIMIT, ListServersDetailsQuery, ListServersDetailsResponse};
pub use server::{
    CapacityReservationSpecification, KeyValue, SecurityOptions, ServerAddress, ServerDetail,
    ServerFlavor, ServerImage, ServerSecurityGroup, ServerStatus, ShowServerResponse,
    VolumeAttachment,
};
pub use update::{
    Link, SimpleFlavor, UpdateServerAddress, UpdateServerOption, UpdateServerRequest,
    UpdateServerResponse, UpdateServerResult,
};

// ---------------------------------------------------------------------------------------------
// Batch start / stop / reboot: `POST /v1/{project_id}/cloudservers/action`

/// `{"id": "<server uuid>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerRef {
    pub id: String,
}

impl ServerRef {
    pub fn list<I, S>(ids: I) -> Vec<ServerRef>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ids.into_iter().map(|id| ServerRef { id: id.into() }).collect()
    }
}

/// `SOFT` is a normal reboot/shutdown, `HARD` a forced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RebootType {
    #[serde(rename = "SOFT")]
    Soft,
    #[serde(rename = "HARD")]
    Hard,
}

impl RebootType {
    pub fn as_str(self) -> &'static str {
        match self {
            RebootType::Soft => "SOFT",
            RebootType::Hard => "HARD",
        }
    }
}

/// The body of the batch action endpoint: exactly one of `os-start`, `os-stop`, `reboot`.
/// Decoding rejects any other key or a second key, which is what cloudsim needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchActionRequest {
    #[serde(rename = "os-start")]
    Start(BatchStartOption),
    #[serde(rename = "os-stop")]
    Stop(BatchStopOption),
    #[serde(rename = "reboot")]
    Reboot(BatchRebootOption),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStartOption {
    pub servers: Vec<ServerRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStopOption {
    /// Absent means `SOFT`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RebootType>,
    pub servers: Vec<ServerRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRebootOption {
    #[serde(rename = "type")]
    pub kind: RebootType,
    pub servers: Vec<ServerRef>,
}

impl BatchActionRequest {
    pub fn start<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        BatchActionRequest::Start(BatchStartOption { servers: ServerRef::list(ids) })
    }

    pub fn stop<I: IntoIterator<Item = S>, S: Into<String>>(
        ids: I,
        kind: Option<RebootType>,
    ) -> Self {
        BatchActionRequest::Stop(BatchStopOption { kind, servers: ServerRef::list(ids) })
    }

    pub fn reboot<I: IntoIterator<Item = S>, S: Into<String>>(ids: I, kind: RebootType) -> Self {
        BatchActionRequest::Reboot(BatchRebootOption { kind, servers: ServerRef::list(ids) })
    }

    pub fn servers(&self) -> &[ServerRef] {
        match self {
            BatchActionRequest::Start(o) => &o.servers,
            BatchActionRequest::Stop(o) => &o.servers,
            BatchActionRequest::Reboot(o) => &o.servers,
        }
    }

    /// The body's key: `os-start`, `os-stop` or `reboot`.
    pub fn action_name(&self) -> &'static str {
        match self {
            BatchActionRequest::Start(_) => "os-start",
            BatchActionRequest::Stop(_) => "os-stop",
            BatchActionRequest::Reboot(_) => "reboot",
        }
    }
}

/// `{"job_id": "…"}`: the action runs asynchronously; poll ShowJob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchActionResponse {
    pub job_id: String,
}

// ---------------------------------------------------------------------------------------------
// Batch password reset: `PUT /v1/{project_id}/cloudservers/os-reset-passwords`

/// `Debug` never shows the password; it is written in clear only when serialized.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchResetPasswordRequest {
    #[serde(serialize_with = "serialize_exposed")]
    pub new_password: SecretString,
    /// `true` only validates; nothing is reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    pub servers: Vec<ServerRef>,
}

impl BatchResetPasswordRequest {
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        new_password: SecretString,
        ids: I,
    ) -> Self {
        BatchResetPasswordRequest { new_password, dry_run: None, servers: ServerRef::list(ids) }
    }
}

/// `{"response": [{"id"}]}`: the servers whose reset was accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BatchResetPasswordResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub response: Vec<ServerRef>,
}

// ---------------------------------------------------------------------------------------------
// Error body

/// `{"error": {"code": "Ecs.0005", "message": …, "details": [...]}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsErrorBody {
    pub error: EcsError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsError {
    pub code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<EcsErrorDetail>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsErrorDetail {
    #[serde(default, deserialize_with = "null_as_default")]
    pub code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
}

impl EcsErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        EcsErrorBody {
            error: EcsError { code: code.into(), message: message.into(), details: None },
        }
    }
}
