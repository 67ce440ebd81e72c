//! What every PagerDuty REST request carries: the token (`Authorization: Token token=…`), the API
//! version (`Accept`), the acting user on writes (`From:`), repeated query parameters
//! (`statuses[]=…&statuses[]=…`), classic pagination, and JSON bodies. Each is an extractor that
//! answers in PagerDuty's error shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, Utc};
use firebell_engine::config::User;
use firebell_engine::{Actor, Channel};
use serde_json::Value;

use super::error::PdError;
use crate::http::AppState;

/// PagerDuty's largest page.
pub(crate) const MAX_LIMIT: u32 = 100;
/// PagerDuty's default page.
pub(crate) const DEFAULT_LIMIT: u32 = 25;
/// PagerDuty refuses to page past this many records (offset + limit).
pub(crate) const MAX_RECORDS: u32 = 10_000;

/// An authenticated caller, with the base URL links are built on (`[providers] public_url`, else
/// the `Host` the client called).
pub(crate) struct Pd {
    pub base: String,
}

impl FromRequestParts<AppState> for Pd {
    type Rejection = PdError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PdError> {
        version(&parts.headers)?;
        let token = token(&parts.headers)?;
        state.engine.config().authenticate(token).ok_or_else(|| {
            PdError::unauthorized(
                "unknown API token (firebell's tokens are listed under [api] in firebell.toml)",
            )
        })?;
        let base = match &state.engine.config().public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => {
                let host = parts
                    .headers
                    .get(axum::http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("localhost");
                format!("http://{host}")
            }
        };
        Ok(Pd { base })
    }
}

/// The token of `Authorization: Token token=<key>` (PagerDuty's API keys) or `Bearer <key>`
/// (PagerDuty's OAuth tokens; some clients send it for both).
fn token(headers: &HeaderMap) -> Result<&str, PdError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| PdError::unauthorized("missing `Authorization: Token token=<API token>`"))?
        .to_str()
        .map_err(|_| PdError::unauthorized("the Authorization header is not valid text"))?;
    let key = value
        .strip_prefix("Token token=")
        .or_else(|| value.strip_prefix("Token  token="))
        .or_else(|| value.strip_prefix("Bearer "))
        .map(|k| k.trim().trim_matches('"'))
        .filter(|k| !k.is_empty());
    key.ok_or_else(|| PdError::unauthorized("use `Authorization: Token token=<API token>`"))
}

/// `Accept: application/vnd.pagerduty+json;version=2` is what clients send; any other version of
/// PagerDuty's API is refused rather than answered in the wrong shape.
fn version(headers: &HeaderMap) -> Result<(), PdError> {
    let Some(accept) = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|a| a.to_str().ok())
    else {
        return Ok(());
    };
    for part in accept.split(',') {
        let mut params = part.split(';').map(str::trim);
        if params.next() != Some("application/vnd.pagerduty+json") {
            continue;
        }
        for p in params {
            if let Some(v) = p.strip_prefix("version=")
                && v.trim_matches('"') != "2"
            {
                return Err(PdError::invalid(format!(
                    "API version {v} is not served here: send `Accept: application/vnd.pagerduty+json;version=2`"
                )));
            }
        }
    }
    Ok(())
}

/// A write's acting person: the firebell user whose email is in the `From:` header, as
/// PagerDuty requires for account-level API keys (firebell's tokens are not anyone's).
pub(crate) struct Writer {
    pub pd: Pd,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Writer {
    type Rejection = PdError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PdError> {
        let pd = Pd::from_request_parts(parts, state).await?;
        let from = parts
            .headers
            .get("from")
            .and_then(|f| f.to_str().ok())
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .ok_or_else(|| {
                PdError::invalid(
                    "a write needs a `From:` header with the email address of a firebell user \
                     (the `email` of a [users.*] entry in firebell.toml)",
                )
            })?;
        let user = user_by_email(state, from).ok_or_else(|| {
            PdError::invalid(format!(
                "`From: {from}` is not the email of any firebell user (set `email` on the user in firebell.toml)"
            ))
        })?;
        Ok(Writer {
            pd,
            actor: Actor::new(user.id.to_string(), Channel::Api),
        })
    }
}

/// The configured user with this email, compared without regard to case.
pub(crate) fn user_by_email<'a>(state: &'a AppState, email: &str) -> Option<&'a User> {
    state.engine.config().users.values().find(|u| {
        u.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(email))
    })
}

/// The query string as PagerDuty clients send it: keys may repeat, arrays as `key[]=a&key[]=b`.
pub(crate) struct PdQuery(Vec<(String, String)>);

impl FromRequestParts<AppState> for PdQuery {
    type Rejection = PdError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, PdError> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(PdQuery)
            .map_err(|e| PdError::invalid(format!("the query string cannot be read: {e}")))
    }
}

impl PdQuery {
    /// The last value of `name` (PagerDuty takes the last of a repeated scalar).
    pub(crate) fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of the array `name`, sent as `name[]=…` (or `name=…`, or comma-separated).
    pub(crate) fn many(&self, name: &str) -> Vec<&str> {
        let bracketed = format!("{name}[]");
        self.0
            .iter()
            .filter(|(k, _)| *k == bracketed || k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A boolean flag (`total=true`; Python clients send `True`).
    pub(crate) fn flag(&self, name: &str) -> Result<bool, PdError> {
        match self.one(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(other) => Err(PdError::invalid(format!(
                "`{name}` must be true or false, not `{other}`"
            ))),
        }
    }

    /// A time (`since`, `until`): RFC 3339, or a date meaning its midnight UTC.
    pub(crate) fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, PdError> {
        self.one(name).map(|v| parse_time(name, v)).transpose()
    }

    /// Classic pagination: `limit` (1–100, default 25; larger asks are cut to 100 as PagerDuty
    /// does, and the page says so), `offset`, and `total=true` to count every match.
    pub(crate) fn paging(&self) -> Result<Paging, PdError> {
        let number = |name: &str, default: u32| -> Result<u32, PdError> {
            match self.one(name) {
                None | Some("") => Ok(default),
                Some(v) => v.parse::<u32>().map_err(|_| {
                    PdError::invalid(format!("`{name}` must be a whole number ≥ 0, not `{v}`"))
                }),
            }
        };
        let limit = number("limit", DEFAULT_LIMIT)?.clamp(1, MAX_LIMIT);
        let offset = number("offset", 0)?;
        if offset.saturating_add(limit) > MAX_RECORDS {
            return Err(PdError::arguments(format!(
                "offset + limit exceeds the maximum of {MAX_RECORDS}: narrow the search \
                 (since/until, statuses[]) instead of paging further"
            )));
        }
        Ok(Paging {
            limit,
            offset,
            total: self.flag("total")?,
        })
    }
}

pub(crate) fn parse_time(name: &str, v: &str) -> Result<DateTime<Utc>, PdError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(PdError::since_until(format!(
        "`{name}` must be an ISO 8601 time such as 2026-03-08T09:00:00Z or a date such as 2026-03-08, not `{v}`"
    )))
}

/// One page of a classic-paginated list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub limit: u32,
    pub offset: u32,
    /// Whether the client asked for `total` (PagerDuty counts only then; otherwise `null`).
    pub total: bool,
}

impl Paging {
    /// The page's window of an already complete list, and the list's wrapper.
    pub(crate) fn slice<T>(&self, all: Vec<T>) -> (Vec<T>, Wrapper) {
        let count = all.len() as u64;
        let page: Vec<T> = all
            .into_iter()
            .skip(self.offset as usize)
            .take(self.limit as usize)
            .collect();
        let wrapper = self.wrapper(count);
        (page, wrapper)
    }

    /// `limit`, `offset`, `more` and `total` for a list of `count` matches.
    pub(crate) fn wrapper(&self, count: u64) -> Wrapper {
        Wrapper {
            limit: self.limit,
            offset: self.offset,
            more: u64::from(self.offset) + u64::from(self.limit) < count,
            total: self.total.then_some(count),
        }
    }
}

/// The fields every classic-paginated reply carries beside its list.
pub(crate) struct Wrapper {
    pub limit: u32,
    pub offset: u32,
    pub more: bool,
    pub total: Option<u64>,
}

impl Wrapper {
    /// `{"<key>": items, "limit", "offset", "more", "total"}`; the items without their
    /// null members, as PagerDuty (see [`omit_nulls`](super::refs::omit_nulls)).
    pub(crate) fn reply(self, key: &str, mut items: Vec<Value>) -> Value {
        items.iter_mut().for_each(super::refs::omit_nulls);
        let mut m = serde_json::Map::new();
        m.insert(key.to_owned(), Value::Array(items));
        m.insert("limit".into(), self.limit.into());
        m.insert("offset".into(), self.offset.into());
        m.insert("more".into(), self.more.into());
        m.insert("total".into(), self.total.map_or(Value::Null, Value::from));
        Value::Object(m)
    }
}

/// The `{id}` of a path, decoded, or PagerDuty's 400 for one that is not valid UTF-8.
pub(crate) struct PdPath(pub String);

impl FromRequestParts<AppState> for PdPath {
    type Rejection = PdError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PdError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| PdPath(id))
            .map_err(|e| PdError::invalid(format!("the id in the path cannot be read: {e}")))
    }
}

/// A JSON object body, or PagerDuty's 400 saying why it is not one.
pub(crate) struct PdJson(pub serde_json::Map<String, Value>);

impl FromRequest<AppState> for PdJson {
    type Rejection = PdError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PdError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| PdError::invalid(format!("the body cannot be read: {e}")))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => Ok(PdJson(m)),
            Ok(_) => Err(PdError::invalid("the body must be a JSON object")),
            Err(e) => Err(PdError::invalid(format!("the body is not valid JSON: {e}"))),
        }
    }
}

impl PdJson {
    /// The entity under its wrapper key (`{"incident": {…}}`), as PagerDuty requires.
    pub(crate) fn wrapped(&self, key: &str) -> Result<&serde_json::Map<String, Value>, PdError> {
        match self.0.get(key) {
            Some(Value::Object(m)) => Ok(m),
            Some(_) => Err(PdError::invalid(format!("`{key}` must be an object"))),
            None => Err(PdError::invalid(format!(
                "the body must wrap the entity as {{\"{key}\": {{…}}}}"
            ))),
        }
    }
}
