//! Steps 4 and 5 of "How one action flows" for a request: the intent (with its
//! `…requested` audit event) committed before anything is sent, then the cloud calls run to
//! their end even if the person closes the tab, so no action is left `requested` with its
//! calls half made. Every handler that starts an action goes through here.

use lightdeck_domain::actions::{self, Batch, NewBatch, NewPurchase};

use crate::error::AppError;
use crate::state::AppState;
use crate::workers::pipeline::{self, Carried};

/// Records `new` and, unless its idempotency key replayed an earlier batch, sends it. A
/// failure to record the cloud's answers is logged; the poller and the stale-intent sweep
/// take over from what is in the database.
pub async fn record_and_send(state: &AppState, new: &NewBatch) -> Result<Batch, AppError> {
    record_and_send_carrying(state, new, Carried::default()).await
}

/// Records a purchase's intent and, unless its idempotency key replayed an earlier one,
/// sends it (once: see `workers::pipeline`). A double submit gets the first batch back.
pub async fn record_and_send_purchase(
    state: &AppState,
    new: &NewPurchase,
) -> Result<Batch, AppError> {
    let recorded = actions::record_purchase(&state.db, new).await?;
    send(state, recorded, Carried::default()).await
}

/// [`record_and_send`] for an action that carries a secret (a new password): `carried`
/// goes to the cloud call only and is dropped when it returns.
pub async fn record_and_send_carrying(
    state: &AppState,
    new: &NewBatch,
    carried: Carried,
) -> Result<Batch, AppError> {
    let recorded = actions::record_intent(&state.db, new).await?;
    send(state, recorded, carried).await
}

async fn send(state: &AppState, recorded: Batch, carried: Carried) -> Result<Batch, AppError> {
    if recorded.replayed {
        return Ok(recorded);
    }
    let workers = state.workers();
    let batch = recorded.clone();
    let sent = state
        .shutdown
        .run_to_end(async move { pipeline::send_batch(&workers, &batch, &carried).await })
        .await;
    match sent {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::error!(batch = %recorded.id, error = %e, "recording the cloud's answers failed")
        }
        Err(e) => tracing::error!(batch = %recorded.id, error = %e, "the action task failed"),
    }
    Ok(recorded)
}
