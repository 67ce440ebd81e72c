//! JSON object bodies and path ids for the API's on-call and maintenance writes: malformed input
//! is a 400 naming the field and what it should be.

use axum::body::Bytes;
use serde_json::{Map, Value};

use super::error::ApiError;

/// The body as a JSON object with only `allowed` keys; `example` shows a valid body in errors.
pub(super) fn object(
    body: &Bytes,
    allowed: &[&str],
    example: &str,
) -> Result<Map<String, Value>, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request(format!(
            "send a JSON body such as {example}"
        )));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let Value::Object(m) = v else {
        return Err(ApiError::bad_request(format!(
            "the body must be a JSON object such as {example}"
        )));
    };
    if let Some(k) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown field `{k}` (allowed: {})",
            allowed.join(", ")
        )));
    }
    Ok(m)
}

/// A non-empty string field; `None` when absent or null and not `required`.
pub(super) fn string(
    m: &Map<String, Value>,
    field: &str,
    required: bool,
    max_chars: usize,
) -> Result<Option<String>, ApiError> {
    match m.get(field) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max_chars => {
            Ok(Some(s.trim().to_owned()))
        }
        None | Some(Value::Null) => Err(ApiError::bad_request(format!("`{field}` is required"))),
        _ => Err(ApiError::bad_request(format!(
            "`{field}` must be a non-empty string of at most {max_chars} characters"
        ))),
    }
}

/// A positive id from the path (`/api/v1/maintenance/4`).
pub(super) fn id(s: &str, what: &str) -> Result<i64, ApiError> {
    s.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        ApiError::bad_request(format!(
            "`{s}` is not a valid {what} id (a positive number)"
        ))
    })
}
