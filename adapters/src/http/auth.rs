//! Bearer-token authentication for `/api/v1`. Tokens are compared in constant time against every
//! configured token; the caller's token name becomes the actor on the timeline.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::AppState;
use super::error::ApiError;

/// The authenticated caller: the name of the API token used.
pub(crate) struct Caller(pub String);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::unauthorized("missing `Authorization: Bearer <token>` header")
            })?;
        let value = header
            .to_str()
            .map_err(|_| ApiError::unauthorized("the Authorization header is not valid text"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| ApiError::unauthorized("use `Authorization: Bearer <token>`"))?;
        match state.engine.config().authenticate(token.trim()) {
            Some(t) => Ok(Caller(t.name.clone())),
            None => Err(ApiError::unauthorized(
                "unknown API token (tokens are listed under [api] in firebell.toml)",
            )),
        }
    }
}
