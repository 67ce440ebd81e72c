//! `GET|POST /v2/heartbeats/{name}/ping`: Opsgenie's heartbeat ping, as a firebell heartbeat's
//! check-in.

use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::HeaderMap;

use super::reply::{self, Accepted, OgError};
use super::{Ident, genie_key};
use crate::http::AppState;

/// `GET|POST /v2/heartbeats/{name}/ping`: the heartbeat's check-in, authenticated by its key.
/// A key that is no heartbeat's is a 401; a key of another heartbeat than `name`, a 404.
pub(super) async fn ping(
    State(state): State<AppState>,
    headers: HeaderMap,
    name: Ident,
) -> Result<Accepted, OgError> {
    let t = Instant::now();
    let Path(name) = name.map_err(|e| OgError::bad_request(e.body_text(), t))?;
    let key = genie_key(&headers).map_err(|m| OgError::unauthorized(m, t))?;
    let Some(hb) = state.engine.config().heartbeat_for_key(key) else {
        return Err(OgError::unauthorized(
            "the GenieKey is not the key of any heartbeat (each heartbeat's key is set under \
             [heartbeats.NAME] in firebell.toml)",
            t,
        ));
    };
    if hb.name != name {
        return Err(OgError::not_found(
            format!("no heartbeat named `{}` has this key", reply::shown(&name)),
            t,
        ));
    }
    state
        .engine
        .heartbeat_check_in(hb)
        .await
        .map_err(|e| OgError::engine(e, t))?;
    Ok(Accepted::pong(t))
}
