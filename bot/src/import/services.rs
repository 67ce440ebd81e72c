//! PagerDuty services → `[services.*]`: description, policy, urgency and timeouts, and a new
//! integration key with a note on how to repoint each PagerDuty integration (PagerDuty does not
//! hand its keys out).

use super::map::{Ids, Losses, Slugs, labels};
use super::model;

pub struct ServiceOut {
    pub id: String,
    pub description: String,
    pub policy: Option<String>,
    pub key: String,
    pub urgency: Option<&'static str>,
    pub ack_timeout: Option<String>,
    pub auto_resolve: Option<String>,
    pub comments: Vec<String>,
}

pub fn service(
    s: &model::Service,
    ids: &Ids,
    slugs: &mut Slugs,
    losses: &mut Losses,
) -> ServiceOut {
    let subject = format!("service {} ({})", s.name, s.id);
    let mut comments = vec![format!("PagerDuty service {} \"{}\"", s.id, s.name)];
    let policy = s.escalation_policy.as_ref().and_then(|p| {
        let found = ids.policies.get(&p.id).cloned();
        if found.is_none() {
            losses.note(
                &mut comments,
                &subject,
                format!("escalation policy {} was not imported", p.label()),
            );
        }
        found
    });
    let urgency = urgency(s, &subject, &mut comments, losses);
    let mut timeout = |secs: Option<i64>, max_secs: i64, what: &str, off: bool| match secs {
        None | Some(0) => off.then(|| "off".to_owned()),
        Some(n) if n > max_secs => {
            losses.note(
                &mut comments,
                &subject,
                format!("{what} of {n} s (firebell's maximum is {max_secs} s)"),
            );
            None
        }
        Some(n) => Some(human(n)),
    };
    let ack_timeout = timeout(
        s.acknowledgement_timeout,
        86_400,
        "acknowledgement timeout",
        true,
    );
    let auto_resolve = timeout(
        s.auto_resolve_timeout,
        30 * 86_400,
        "auto-resolve timeout",
        false,
    );
    if s.status.as_deref() == Some("disabled") {
        comments.push("disabled in PagerDuty: it receives events here".to_owned());
    }
    if !s.teams.is_empty() {
        losses.note(
            &mut comments,
            &subject,
            format!("teams {} (firebell has no teams)", labels(&s.teams)),
        );
    }
    let id = slugs.take(&s.name, &format!("service {}", s.id));
    let key = uuid::Uuid::new_v4().simple().to_string();
    if s.integrations.is_empty() {
        comments.push("no PagerDuty integrations to repoint".to_owned());
    }
    for i in &s.integrations {
        comments.push(repoint(i, &key, &id));
    }
    ServiceOut {
        id,
        description: s.description.clone().unwrap_or_default(),
        policy,
        key,
        urgency,
        ack_timeout,
        auto_resolve,
        comments,
    }
}

/// How to move one PagerDuty integration over to firebell (its key cannot be read back).
fn repoint(i: &model::Reference, key: &str, service: &str) -> String {
    let kind = i.kind.trim_end_matches("_reference");
    let how = match kind {
        "events_api_v2_inbound_integration" => format!(
            "Events API v2: send to https://<firebell>/v2/enqueue with routing_key \"{key}\" (Alertmanager: \
             pagerduty_configs url https://<firebell>/v2/enqueue, routing_key; or its webhook to \
             https://<firebell>/integrations/alertmanager/{key})"
        ),
        "generic_events_api_inbound_integration" => format!(
            "Events API v1: send to https://<firebell>/generic/2010-04-15/create_event.json with \
             service_key \"{key}\""
        ),
        "generic_email_inbound_integration" => format!(
            "email: add an [email] table (README, \"Email integration\") and mail {service}@<your domain>"
        ),
        _ => format!(
            "a {kind}: if it lets you set the PagerDuty URL, use https://<firebell>/v2/enqueue \
             with routing key \"{key}\"; otherwise send its alerts through Alertmanager or email"
        ),
    };
    format!("repoint PagerDuty integration {}: {how}", i.label())
}

/// Seconds as a firebell duration: whole hours as `4h`, else minutes, rounded up.
fn human(secs: i64) -> String {
    if secs % 3600 == 0 {
        format!("{}h", secs / 3600)
    } else {
        format!("{}m", (secs + 59) / 60)
    }
}

/// PagerDuty's urgency rule as firebell's `urgency`, when there is one that fits.
fn urgency(
    s: &model::Service,
    subject: &str,
    comments: &mut Vec<String>,
    losses: &mut Losses,
) -> Option<&'static str> {
    match s.incident_urgency_rule.as_ref() {
        Some(r) if r.kind == "constant" => match r.urgency.as_deref() {
            Some("low") => Some("low"),
            Some("severity_based") => Some("by-severity"),
            _ => Some("high"),
        },
        Some(r) if r.kind == "severity_based" => Some("by-severity"),
        Some(r) => {
            losses.note(
                comments,
                subject,
                format!(
                    "urgency rule `{}`: set urgency and support_hours by hand",
                    r.kind
                ),
            );
            None
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn timeouts_read_as_hours_or_minutes() {
        assert_eq!(human(14_400), "4h");
        assert_eq!(human(1_800), "30m");
        assert_eq!(human(90), "2m");
    }
}
