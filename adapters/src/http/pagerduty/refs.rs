//! PagerDuty's references, `{id, type, summary, self, html_url}`, and the id mapping: firebell's
//! configured things (services, users, schedules, escalation policies) keep their firebell names
//! as ids (`web`, `alice`), and stored things their numbers as strings (incident `42` is `"42"`).
//! firebell has no web UI, so `html_url` is the API URL too.

use serde_json::{Value, json};

/// Where this API is mounted; every `self` link starts with the base URL and this.
pub(crate) const PREFIX: &str = "/pagerduty/v2";

/// Builds the links of one reply.
pub(crate) struct Links<'a> {
    pub base: &'a str,
}

impl Links<'_> {
    /// The API URL of `id` in the collection `plural` (`incidents`, `services`, …).
    pub(crate) fn url(&self, plural: &str, id: &str) -> String {
        format!("{}{PREFIX}/{plural}/{}", self.base, encode(id))
    }

    /// A reference: `kind` is PagerDuty's type without `_reference` (`incident`, `user`, …).
    pub(crate) fn reference(&self, kind: &str, id: &str, summary: &str) -> Value {
        let url = self.url(plural(kind), id);
        json!({
            "id": id,
            "type": format!("{kind}_reference"),
            "summary": summary,
            "self": url,
            "html_url": url,
        })
    }

    /// The fields an entity shares with its reference, with its full type.
    pub(crate) fn entity(
        &self,
        kind: &str,
        id: &str,
        summary: &str,
    ) -> serde_json::Map<String, Value> {
        let url = self.url(plural(kind), id);
        let mut m = serde_json::Map::new();
        m.insert("id".into(), id.into());
        m.insert("type".into(), kind.into());
        m.insert("summary".into(), summary.into());
        m.insert("self".into(), url.clone().into());
        m.insert("html_url".into(), url.into());
        m
    }
}

/// PagerDuty's collection name of a type.
fn plural(kind: &str) -> &'static str {
    match kind {
        "incident" => "incidents",
        "service" => "services",
        "user" => "users",
        "schedule" => "schedules",
        "escalation_policy" => "escalation_policies",
        "maintenance_window" => "maintenance_windows",
        "override" => "overrides",
        "alert" => "alerts",
        "note" => "notes",
        "integration" => "integrations",
        _ => "log_entries",
    }
}

/// Percent-encodes what a path segment cannot hold (names are plain, but be safe).
fn encode(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Drops every `null` member, at any depth: PagerDuty leaves out what an entity does not have
/// (a layer with no end, a service without auto-resolve), and its schema types those fields as
/// non-null.
pub(crate) fn omit_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(omit_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(omit_nulls),
        _ => {}
    }
}
