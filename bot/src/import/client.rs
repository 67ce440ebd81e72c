//! PagerDuty REST API v2 over HTTP: the token header, classic `limit`/`offset` pagination, and
//! retries that respect the API's rate limit. Errors name the URL, never the token (it travels
//! in a header, so no URL ever contains it).

use std::time::Duration;

use anyhow::{Context as _, bail};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How hard to try one request: the tries in all, and the exponential back-off between them.
#[derive(Debug, Clone)]
pub struct Retry {
    pub tries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for Retry {
    /// Five tries, 1 s doubling to at most 30 s: PagerDuty's rate limit is per minute.
    fn default() -> Self {
        Retry {
            tries: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl Retry {
    /// The pause before try `attempt + 1` (attempt counts from 1).
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// The longest `Retry-After` honoured; a larger one is a sign to stop, not to hang.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// Page size asked for (PagerDuty's maximum).
const PAGE: usize = 100;
/// A bound on pages, so a server that always says `more` cannot loop us forever.
const MAX_PAGES: usize = 10_000;

pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    retry: Retry,
}

impl Client {
    pub fn new(base: &str, token: &str, retry: Retry) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("firebell-import/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            retry,
        })
    }

    /// Every object of a paginated list (`GET /users` → `{"users": [...], "more": ...}`).
    pub async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
        query: &[(&str, &str)],
    ) -> anyhow::Result<Vec<T>> {
        let mut out = Vec::new();
        let mut offset = 0usize;
        for _ in 0..MAX_PAGES {
            let (limit, off) = (PAGE.to_string(), offset.to_string());
            let mut q: Vec<(&str, &str)> = query.to_vec();
            q.extend([("limit", limit.as_str()), ("offset", off.as_str())]);
            let page = self.get_json(path, &q).await?;
            let items = page
                .get(key)
                .and_then(Value::as_array)
                .with_context(|| format!("{}{path} answered without a `{key}` list", self.base))?;
            for item in items {
                out.push(T::deserialize(item).with_context(|| {
                    format!("an object in {}{path} is not as expected", self.base)
                })?);
            }
            offset += items.len();
            let more = page.get("more").and_then(Value::as_bool).unwrap_or(false);
            if !more || items.is_empty() {
                return Ok(out);
            }
        }
        bail!(
            "{}{path} kept saying `more` after {MAX_PAGES} pages",
            self.base
        )
    }

    /// One object (`GET /schedules/{id}` → `{"schedule": {...}}`).
    pub async fn get<T: DeserializeOwned>(&self, path: &str, key: &str) -> anyhow::Result<T> {
        let body = self.get_json(path, &[]).await?;
        let item = body
            .get(key)
            .with_context(|| format!("{}{path} answered without `{key}`", self.base))?;
        T::deserialize(item)
            .with_context(|| format!("{}{path}: `{key}` is not as expected", self.base))
    }

    /// GET with the token, retrying throttles (429), server errors (5xx) and network failures.
    async fn get_json(&self, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let tries = self.retry.tries.max(1);
        let mut last = String::new();
        for attempt in 1..=tries {
            let sent = self
                .http
                .get(&url)
                .query(query)
                .header(AUTHORIZATION, format!("Token token={}", self.token))
                .header(ACCEPT, "application/vnd.pagerduty+json;version=2")
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    last = format!("cannot reach PagerDuty at {url}: {}", e.without_url());
                    self.pause(attempt, tries, None).await;
                    continue;
                }
            };
            let status = resp.status();
            if status.is_success() {
                return resp
                    .json()
                    .await
                    .with_context(|| format!("{url} did not answer with JSON"));
            }
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                bail!(
                    "PagerDuty answered {url} with {status}: the token was refused — use a REST API \
                     key (Integrations → API Access Keys) that can read users, schedules, \
                     escalation policies and services"
                );
            }
            let retry_after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER));
            let message = error_message(resp).await;
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                last = format!("PagerDuty answered {url} with {status}{message}");
                self.pause(attempt, tries, retry_after).await;
                continue;
            }
            bail!("PagerDuty answered {url} with {status}{message}");
        }
        bail!("{last} (gave up after {tries} tries)")
    }

    /// Waits before the next try (none after the last): `Retry-After` when given, else back-off.
    async fn pause(&self, attempt: u32, tries: u32, retry_after: Option<Duration>) {
        if attempt < tries {
            let wait = retry_after.unwrap_or_else(|| self.retry.backoff(attempt));
            tokio::time::sleep(wait).await;
        }
    }
}

/// `: <PagerDuty's error message>` when the body carries one.
async fn error_message(resp: reqwest::Response) -> String {
    let body: Option<Value> = resp.json().await.ok();
    body.as_ref()
        .and_then(|b| b.pointer("/error/message"))
        .and_then(Value::as_str)
        .map(|m| format!(": {m}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_the_cap() {
        let r = Retry {
            tries: 9,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        };
        let waits: Vec<u64> = (1..=7).map(|a| r.backoff(a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
    }
}
