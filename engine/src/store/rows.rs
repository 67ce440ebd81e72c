//! Database rows and their conversion into domain values. Closed sets (severity, status, channel,
//! contact method, timeline kind), maintenance matchers and JSON are stored as text and read back
//! strictly: a value firebell cannot read fails that read with an error naming the column (and,
//! for a closed set, the value), never a guess that would page, or not page, on a misreading.

use std::str::FromStr;

use sqlx::error::BoxDynError;

use crate::domain::clock::Timestamp;
use crate::domain::error::UserError;
use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
use crate::domain::incident::{Incident, TimelineEntry, TimelineKind};
use crate::domain::kinds::{Channel, ContactMethod, IncidentStatus, Severity};
use crate::domain::maintenance::Matcher;

pub(crate) const INCIDENT_COLUMNS: &str = "id, service, dedup_key, title, source, severity, status, alert_count, \
     created_at, last_alert_at, acknowledged_at, acknowledged_by, acknowledged_via, \
     resolved_at, resolved_by, resolved_via, details";

#[derive(sqlx::FromRow)]
pub(crate) struct IncidentRow {
    id: i64,
    service: String,
    dedup_key: String,
    title: String,
    source: Option<String>,
    severity: Severity,
    status: IncidentStatus,
    alert_count: i64,
    created_at: Timestamp,
    last_alert_at: Timestamp,
    acknowledged_at: Option<Timestamp>,
    acknowledged_by: Option<String>,
    acknowledged_via: Option<Channel>,
    resolved_at: Option<Timestamp>,
    resolved_by: Option<String>,
    resolved_via: Option<Channel>,
    details: StoredJson,
}

impl From<IncidentRow> for Incident {
    fn from(r: IncidentRow) -> Self {
        Incident {
            number: IncidentNumber::from_db(r.id),
            service: ServiceName::new(r.service),
            dedup_key: DedupKey::from_db(r.dedup_key),
            title: r.title,
            source: r.source,
            severity: r.severity,
            status: r.status,
            alert_count: r.alert_count,
            created_at: r.created_at.datetime(),
            last_alert_at: r.last_alert_at.datetime(),
            acknowledged_at: r.acknowledged_at.map(Timestamp::datetime),
            acknowledged_by: r.acknowledged_by,
            acknowledged_via: r.acknowledged_via,
            resolved_at: r.resolved_at.map(Timestamp::datetime),
            resolved_by: r.resolved_by,
            resolved_via: r.resolved_via,
            details: r.details.0,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct TimelineRow {
    at: Timestamp,
    kind: TimelineKind,
    actor: String,
    channel: Channel,
    message: String,
}

impl From<TimelineRow> for TimelineEntry {
    fn from(r: TimelineRow) -> Self {
        TimelineEntry {
            at: r.at.datetime(),
            kind: r.kind,
            actor: r.actor,
            channel: r.channel,
            message: r.message,
        }
    }
}

/// Reads a value kept as text, on either backend, with its `read`: text that `read` refuses is a
/// decode error (sqlx adds the column).
macro_rules! stored_as_text {
    ($($t:ty => $read:path),+ $(,)?) => {$(
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
                $read(<&str as sqlx::Decode<'r, DB>>::decode(value)?)
            }
        }
    )+};
}

stored_as_text!(
    Severity => closed_set,
    IncidentStatus => closed_set,
    Channel => closed_set,
    ContactMethod => closed_set,
    TimelineKind => closed_set,
    Matcher => matcher,
    StoredJson => json,
);

/// A closed set (severity, status, …) from its wire string.
fn closed_set<T: FromStr<Err = UserError>>(text: &str) -> Result<T, BoxDynError> {
    text.parse().map_err(|e: UserError| e.message().into())
}

/// A maintenance window's matcher, in its stored form (`host:…`, `service:…`, `label:K=V`).
fn matcher(text: &str) -> Result<Matcher, BoxDynError> {
    Ok(Matcher::from_db(text)?)
}

/// JSON kept as text (the same on both backends), parsed on the way out: text that is not JSON
/// fails the read rather than reading as `null`.
#[derive(Debug, Clone)]
pub(crate) struct StoredJson(pub serde_json::Value);

fn json(text: &str) -> Result<StoredJson, BoxDynError> {
    Ok(StoredJson(serde_json::from_str(text)?))
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    use super::*;

    #[derive(sqlx::FromRow)]
    struct Stored {
        severity: Severity,
        details: StoredJson,
    }

    async fn read(severity: &str, details: &str) -> Result<Stored, sqlx::Error> {
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .expect("in-memory database");
        sqlx::query_as("SELECT $1 AS severity, $2 AS details")
            .bind(severity)
            .bind(details)
            .fetch_one(&mut c)
            .await
    }

    #[tokio::test]
    async fn stored_values_read_back_as_written() {
        let row = read("warning", r#"{"a":1}"#).await.expect("readable");
        assert_eq!(row.severity, Severity::Warning);
        assert_eq!(row.details.0, serde_json::json!({"a": 1}));
    }

    #[tokio::test]
    async fn a_value_that_cannot_be_read_is_an_error_naming_its_column() {
        let err = read("loud", "{}").await.err().expect("an unknown severity");
        assert_eq!(
            err.to_string(),
            "error occurred while decoding column \"severity\": unknown severity `loud` — \
             expected one of: critical, error, warning, info"
        );
        let err = read("info", "not json")
            .await
            .err()
            .expect("text that is not JSON");
        assert!(
            err.to_string()
                .starts_with("error occurred while decoding column \"details\": "),
            "{err}"
        );
    }
}
