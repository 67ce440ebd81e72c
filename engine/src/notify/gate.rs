//! Whether a row may still go out, decided the moment before it is sent: a page is only sent while
//! its incident still wants it. Pure: the worker loads the incident, this decides.

use crate::domain::incident::Incident;
use crate::domain::kinds::IncidentStatus;
use crate::domain::notification::Notification;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Gate {
    Send,
    /// Not sent, and never will be; the reason ends "… cancelled: {reason}" on the timeline.
    Cancel(String),
}

/// Pages (chat mention, SMS, call, email, and a failover's resend) go out only while the
/// incident is triggered and still in the escalation generation they were queued in; everything
/// else (room posts, status notices, webhooks) always goes out.
pub(crate) fn gate(n: &Notification, incident: Option<&Incident>, esc_gen: Option<i64>) -> Gate {
    let Notification::Paged {
        esc_gen: queued_in, ..
    } = n
    else {
        return Gate::Send;
    };
    let Some(incident) = incident else {
        return Gate::Cancel("the incident no longer exists".to_owned());
    };
    let by = |who: &Option<String>| who.clone().unwrap_or_else(|| "someone".to_owned());
    match incident.status {
        IncidentStatus::Acknowledged => {
            Gate::Cancel(format!("acknowledged by {}", by(&incident.acknowledged_by)))
        }
        IncidentStatus::Resolved => {
            Gate::Cancel(format!("resolved by {}", by(&incident.resolved_by)))
        }
        IncidentStatus::Triggered => match (queued_in, esc_gen) {
            (Some(queued), Some(now)) if *queued != now => Gate::Cancel(
                "the incident was escalated or re-triggered since; the new level pages instead"
                    .to_owned(),
            ),
            _ => Gate::Send,
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::domain::ids::{DedupKey, IncidentNumber, ServiceName};
    use crate::domain::kinds::{Actor, Channel, Severity, Urgency};

    fn incident(status: IncidentStatus) -> Incident {
        let t = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        Incident {
            number: IncidentNumber::from_db(42),
            service: ServiceName::new("web".to_owned()),
            dedup_key: DedupKey::from_db("k".to_owned()),
            title: "disk full".to_owned(),
            source: None,
            severity: Severity::Critical,
            status,
            alert_count: 1,
            created_at: t,
            last_alert_at: t,
            acknowledged_at: None,
            acknowledged_by: Some("alice".to_owned()),
            acknowledged_via: Some(Channel::Slack),
            resolved_at: None,
            resolved_by: Some("bob".to_owned()),
            resolved_via: Some(Channel::Api),
            details: serde_json::json!({}),
        }
    }

    fn page(esc_gen: Option<i64>) -> Notification {
        Notification::Paged {
            user: "alice".to_owned(),
            level: 1,
            urgency: Urgency::High,
            failover_from: None,
            esc_gen,
        }
    }

    #[test]
    fn a_page_goes_out_only_while_its_incident_is_triggered_in_the_same_generation() {
        let triggered = incident(IncidentStatus::Triggered);
        let acked = incident(IncidentStatus::Acknowledged);
        let resolved = incident(IncidentStatus::Resolved);
        let cases: [(Notification, Option<&Incident>, Option<i64>, Gate); 7] = [
            (page(Some(3)), Some(&triggered), Some(3), Gate::Send),
            // Rows queued before generations were recorded still go out while triggered.
            (page(None), Some(&triggered), Some(3), Gate::Send),
            (
                page(Some(3)),
                Some(&acked),
                Some(3),
                Gate::Cancel("acknowledged by alice".to_owned()),
            ),
            (
                page(Some(3)),
                Some(&resolved),
                Some(3),
                Gate::Cancel("resolved by bob".to_owned()),
            ),
            (
                page(Some(2)),
                Some(&triggered),
                Some(3),
                Gate::Cancel(
                    "the incident was escalated or re-triggered since; the new level pages instead"
                        .to_owned(),
                ),
            ),
            (
                page(Some(3)),
                None,
                None,
                Gate::Cancel("the incident no longer exists".to_owned()),
            ),
            // Status notices and room posts are not pages: they always go out.
            (
                Notification::StatusNotice {
                    status: IncidentStatus::Acknowledged,
                    actor: Actor::new("alice", Channel::Slack),
                },
                Some(&acked),
                Some(3),
                Gate::Send,
            ),
        ];
        for (n, incident, esc_gen, want) in cases {
            assert_eq!(gate(&n, incident, esc_gen), want, "{n:?}");
        }
    }
}
