//! The huaweicloud crate's integration tests, one binary (one link on a two-core machine):
//! signing against the official SDK's vectors, the client against a verifying stub server,
//! models, validation, the plan catalog and the no-secrets-in-logs check.

mod catalog;
mod client_bss;
mod client_ecs;
mod client_ecs_batch;
mod client_errors;
mod client_purchase;
mod client_rms_hcss;
mod client_tokens;
mod model_decode;
mod no_secrets_in_logs;
mod signing_props;
mod signing_vectors;
mod support;
mod validate;
