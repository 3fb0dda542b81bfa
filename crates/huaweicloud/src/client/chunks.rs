//! Operations Huawei caps per call (ECS: 1000 servers, BSS: 10 orders) are sent as one call
//! per chunk, and every chunk is sent whatever happened to the one before.

use serde::de::DeserializeOwned;

use super::transport::{Auth, Op};
use super::{Account, ChunkResult};
use crate::error::Error;

impl Account {
    /// One call per chunk of at most `max` ids, in order. A failed chunk does not stop the
    /// rest: every chunk that succeeded issued a job or an order the caller must record, and
    /// an operation that may not be repeated must not be re-sent for the chunks that worked.
    pub(crate) async fn call_chunks<Id: Clone, T: DeserializeOwned>(
        &self,
        ids: &[Id],
        max: usize,
        auth: &Auth,
        op_for: impl Fn(&[Id]) -> Result<Op, Error>,
    ) -> Vec<ChunkResult<Id, T>> {
        let mut results = Vec::with_capacity(ids.len().div_ceil(max.max(1)));
        for chunk in ids.chunks(max.max(1)) {
            let result = match op_for(chunk) {
                Ok(op) => self.call(&op, auth).await,
                Err(e) => Err(e),
            };
            results.push(ChunkResult { ids: chunk.to_vec(), result });
        }
        results
    }
}
