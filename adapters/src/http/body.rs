//! Reading request bodies and checking JSON field by field. Checking collects every problem
//! (PagerDuty lists them all in `errors`), names each field by its path (`payload.summary`), and
//! says what would be valid.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use chrono::{DateTime, Utc};
use firebell_engine::error::causes;
use serde_json::{Map, Value};

use super::MAX_EVENT_BYTES;
use super::error::EventError;

/// The body as JSON, or a 413/400 that says why not.
pub(crate) fn json_body(body: Result<Bytes, BytesRejection>) -> Result<Value, EventError> {
    let bytes = body.map_err(|e| match e {
        BytesRejection::FailedToBufferBody(ref inner) if is_length_limit(inner) => {
            EventError::TooLarge
        }
        other => EventError::Invalid(vec![format!("could not read the request body: {other}")]),
    })?;
    if bytes.len() > MAX_EVENT_BYTES {
        return Err(EventError::TooLarge);
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| EventError::Invalid(vec![format!("the body is not valid JSON: {e}")]))
}

fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    causes(e).any(|err| err.to_string().contains("length limit"))
}

/// Collects problems while reading fields out of a JSON object.
#[derive(Default)]
pub(crate) struct Check {
    pub errors: Vec<String>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Check {
    pub fn fail(&mut self, msg: impl Into<String>) {
        self.errors.push(msg.into());
    }

    /// The problems found so far as a rejection (for when checking cannot go on).
    pub fn into_error(self) -> EventError {
        EventError::Invalid(self.errors)
    }

    pub fn finish(self) -> Result<(), EventError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(EventError::Invalid(self.errors))
        }
    }

    /// `v` as an object, or an error naming `what`.
    pub fn object<'v>(&mut self, v: &'v Value, what: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.fail(format!(
                    "{what} must be a JSON object, not {}",
                    type_name(other)
                ));
                None
            }
        }
    }

    /// Rejects keys not in `allowed`, listing what is allowed.
    pub fn only_keys(&mut self, m: &Map<String, Value>, path: &str, allowed: &[&str]) {
        for k in m.keys() {
            if !allowed.contains(&k.as_str()) {
                self.fail(format!(
                    "'{}' is not a known field (allowed: {})",
                    join(path, k),
                    allowed.join(", ")
                ));
            }
        }
    }

    /// A string field of at most `max` characters; `None` (and an error if `required`) when absent.
    /// Null counts as absent; blank counts as missing for required fields.
    pub fn string(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        required: bool,
        max: usize,
    ) -> Option<String> {
        let name = join(path, key);
        match m.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(format!("'{name}' is missing"));
                }
                None
            }
            Some(Value::String(s)) if required && s.trim().is_empty() => {
                self.fail(format!("'{name}' is blank"));
                None
            }
            Some(Value::String(s)) => {
                let n = s.chars().count();
                if n > max {
                    self.fail(format!(
                        "'{name}' is {n} characters long; the limit is {max}"
                    ));
                    None
                } else {
                    Some(s.clone())
                }
            }
            Some(other) => {
                self.fail(format!(
                    "'{name}' must be a string, not {}",
                    type_name(other)
                ));
                None
            }
        }
    }

    /// A string that must parse with `parse` (whose error text is used as is).
    pub fn parsed<T>(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let s = self.string(m, path, key, required, usize::MAX)?;
        match parse(&s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(format!("'{}': {e}", join(path, key)));
                None
            }
        }
    }

    pub fn timestamp(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<DateTime<Utc>> {
        self.parsed(m, path, key, false, |s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.to_utc())
                .map_err(|_| {
                    format!("`{s}` is not an ISO 8601 timestamp such as 2026-01-31T23:59:00Z")
                })
        })
    }

    /// An optional array of objects, each with the string field `required_key` (links, images).
    pub fn object_list(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        required_key: &str,
    ) -> Option<Value> {
        let name = join(path, key);
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(o) if o.get(required_key).is_some_and(Value::is_string) => {}
                        Value::Object(_) => self.fail(format!(
                            "'{name}[{i}].{required_key}' is missing or not a string"
                        )),
                        other => self.fail(format!(
                            "'{name}[{i}]' must be an object, not {}",
                            type_name(other)
                        )),
                    }
                }
                Some(Value::Array(items.clone()))
            }
            Some(other) => {
                self.fail(format!(
                    "'{name}' must be an array, not {}",
                    type_name(other)
                ));
                None
            }
        }
    }
}

/// The event for the alert log with the integration key masked: the log is readable by API users
/// who must not learn keys from it. Masks in place (the caller is done with the event).
pub(crate) fn redacted(mut v: Value, key_field: &str) -> Value {
    if let Some(Value::String(k)) = v.get_mut(key_field) {
        let head: String = k.chars().take(4).collect();
        *k = format!("{head}…");
    }
    v
}
