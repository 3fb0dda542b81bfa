//! Error bodies in the shape each Huawei service (or its API gateway) uses (reference §4.1).
//! Nothing here ever falls back to axum's own rejection bodies.

use http::StatusCode;
use serde_json::{Value, json};

/// Which service's error body to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"error_msg", "error_code": "APIG.xxxx", "request_id"}`
    Gateway,
    /// `{"error": {"code": "Ecs.0005", "message"}}`
    Ecs,
    /// `{"error_code": "CBC.0100", "error_msg"}`
    Bss,
    /// `{"error_code", "error_msg"}`
    Rms,
    /// `{"error": {"code": 401, "message", "title"}}` (numeric code)
    Iam,
    /// `{"error_code": "HCSS.14000001", "error_msg"}`
    Hcss,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub shape: Shape,
    pub code: String,
    pub message: String,
    /// ECS's optional `details` (`[{code, message}]`): one entry per server a batch refused.
    pub details: Vec<(String, String)>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, shape: Shape, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            shape,
            code: code.to_owned(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<(String, String)>) -> Self {
        self.details = details;
        self
    }

    /// 401 `APIG.0301` with `Incorrect IAM authentication information: <detail>`.
    pub fn auth(detail: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            Shape::Gateway,
            "APIG.0301",
            format!("Incorrect IAM authentication information: {detail}"),
        )
    }

    /// The gateway's 404 for a path (or method) no API is registered for.
    pub fn no_api() -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Shape::Gateway,
            "APIG.0101",
            "The API does not exist or has not been published in the environment",
        )
    }

    pub fn too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Shape::Gateway,
            "APIG.0201",
            format!("Request entity too large: the body exceeds {limit} bytes"),
        )
    }

    pub fn throttled() -> Self {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            Shape::Gateway,
            "APIG.0308",
            "The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 minute",
        )
    }

    /// The service's own 429 where it documents one: HCSS `HCSS.14290001` (SEED). The other
    /// services document none, so they answer as their gateway does.
    pub fn service_throttled(shape: Shape) -> Self {
        match shape {
            Shape::Hcss => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                Shape::Hcss,
                "HCSS.14290001",
                "请求过多，请稍后再试。",
            ),
            _ => ApiError::throttled(),
        }
    }

    pub fn ecs(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError::new(status, Shape::Ecs, code, message)
    }

    /// ECS `Ecs.0005` (invalid parameter), 400.
    pub fn ecs_param(message: impl Into<String>) -> Self {
        ApiError::ecs(StatusCode::BAD_REQUEST, "Ecs.0005", message)
    }

    pub fn bss(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError::new(status, Shape::Bss, code, message)
    }

    /// BSS `CBC.0100` (parameter error), 400.
    pub fn bss_param(message: impl Into<String>) -> Self {
        ApiError::bss(StatusCode::BAD_REQUEST, "CBC.0100", message)
    }

    pub fn rms(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError::new(status, Shape::Rms, code, message)
    }

    pub fn iam(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::new(status, Shape::Iam, "", message)
    }

    /// HCSS `HCSS.14000001` (invalid parameter), 400.
    pub fn hcss_param(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, Shape::Hcss, "HCSS.14000001", message)
    }

    /// The same failure in another service's shape (for 500 faults and shared checks).
    pub fn server_error(shape: Shape) -> Self {
        let (code, msg) = match shape {
            Shape::Ecs => ("Ecs.0004", "System error. Try again later."),
            Shape::Bss => ("CBC.0999", "Other errors."),
            Shape::Rms => ("RMS.00010001", "Internal server error."),
            Shape::Hcss => ("HCSS.15000001", "Server error."),
            Shape::Iam => {
                ("", "An unexpected error prevented the server from fulfilling your request.")
            }
            Shape::Gateway => ("APIG.0202", "Backend unavailable"),
        };
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, shape, code, msg)
    }

    pub fn body(&self, request_id: &str) -> Value {
        match self.shape {
            Shape::Gateway => json!({
                "error_msg": self.message,
                "error_code": self.code,
                "request_id": request_id,
            }),
            Shape::Ecs if self.details.is_empty() => {
                json!({"error": {"code": self.code, "message": self.message}})
            }
            Shape::Ecs => {
                let details: Vec<Value> = self
                    .details
                    .iter()
                    .map(|(code, message)| json!({"code": code, "message": message}))
                    .collect();
                json!({"error": {"code": self.code, "message": self.message, "details": details}})
            }
            Shape::Bss | Shape::Rms | Shape::Hcss => {
                json!({"error_code": self.code, "error_msg": self.message})
            }
            Shape::Iam => json!({"error": {
                "code": self.status.as_u16(),
                "message": self.message,
                "title": self.status.canonical_reason().unwrap_or("Error"),
            }}),
        }
    }
}
