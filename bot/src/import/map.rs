//! PagerDuty objects → the firebell config's tables, as plain values the writer turns into
//! TOML. Whatever does not fit firebell is recorded twice: as a comment beside the table it
//! belongs to, and as one summary line for the terminal.
//!
//! Schedules have their own file (`schedules.rs`): layers, rotations and restrictions.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use firebell_engine::PhoneNumber;

use super::model;
use super::schedules::{self, ScheduleOut};

/// The whole imported config, in file order.
pub struct Doc {
    pub users: Vec<UserOut>,
    pub schedules: Vec<ScheduleOut>,
    pub policies: Vec<PolicyOut>,
    pub services: Vec<ServiceOut>,
    /// One line per thing not carried over, for stderr.
    pub notes: Vec<String>,
}

pub struct UserOut {
    pub id: String,
    pub pd_id: String,
    pub name: String,
    pub timezone: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub comments: Vec<String>,
}

pub struct PolicyOut {
    pub id: String,
    pub pd_id: String,
    /// Targets (`user:ID` / `schedule:ID`) and the delay before the next level.
    pub levels: Vec<(Vec<String>, u32)>,
    pub repeat: u32,
    pub comments: Vec<String>,
}

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

/// Records what is not carried over: a comment on the item, a line for the summary.
pub struct Losses(pub Vec<String>);

impl Losses {
    pub fn note(&mut self, comments: &mut Vec<String>, subject: &str, what: impl Into<String>) {
        let what = what.into();
        comments.push(format!("NOT CARRIED OVER: {what}"));
        self.0.push(format!("{subject}: {what}"));
    }
}

/// Turns names into unique firebell ids: lowercase letters, digits and `-`.
#[derive(Default)]
pub struct Slugs(BTreeSet<String>);

impl Slugs {
    /// `Web App` → `web-app`, `web-app-2` for the next one; `fallback` when nothing is left.
    pub fn take(&mut self, name: &str, fallback: &str) -> String {
        let base = match slug(name) {
            s if s.is_empty() => slug(fallback),
            s => s,
        };
        let mut id = base.clone();
        let mut n = 2;
        while self.0.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.0.insert(id.clone());
        id
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    out.truncate(48);
    out.trim_end_matches('-').to_owned()
}

/// The PagerDuty id → firebell id maps the later tables refer through.
pub struct Ids {
    pub users: HashMap<String, String>,
    pub schedules: HashMap<String, String>,
    pub policies: HashMap<String, String>,
}

pub fn doc(
    users: &[model::User],
    schedules: &[model::Schedule],
    policies: &[model::EscalationPolicy],
    services: &[model::Service],
    now: DateTime<Utc>,
) -> Doc {
    let mut losses = Losses(Vec::new());
    let mut slugs = Slugs::default();
    let users: Vec<UserOut> = users
        .iter()
        .map(|u| user(u, &mut slugs, &mut losses))
        .collect();
    let mut ids = Ids {
        users: users
            .iter()
            .map(|u| (u.pd_id.clone(), u.id.clone()))
            .collect(),
        schedules: HashMap::new(),
        policies: HashMap::new(),
    };
    let schedules = schedules::map_all(schedules, &ids, now, &mut losses);
    ids.schedules = schedules
        .iter()
        .map(|s| (s.pd_id.clone(), s.id.clone()))
        .collect();
    let mut slugs = Slugs::default();
    let policies: Vec<PolicyOut> = policies
        .iter()
        .filter_map(|p| policy(p, &ids, &mut slugs, &mut losses))
        .collect();
    ids.policies = policies
        .iter()
        .map(|p| (p.pd_id.clone(), p.id.clone()))
        .collect();
    let mut slugs = Slugs::default();
    let services = services
        .iter()
        .map(|s| service(s, &ids, &mut slugs, &mut losses))
        .collect();
    Doc {
        users,
        schedules,
        policies,
        services,
        notes: losses.0,
    }
}

fn user(u: &model::User, slugs: &mut Slugs, losses: &mut Losses) -> UserOut {
    let subject = format!("user {} ({})", u.name, u.id);
    let local = u
        .email
        .as_deref()
        .and_then(|e| e.split('@').next())
        .unwrap_or("");
    let id = slugs.take(&u.name, &format!("{local} user {}", u.id));
    let mut comments = vec![format!("PagerDuty user {}", u.id)];
    let timezone = match u.time_zone.as_deref() {
        Some(tz) if tz.parse::<Tz>().is_ok() => tz.to_owned(),
        Some(tz) => {
            losses.note(
                &mut comments,
                &subject,
                format!("time zone `{tz}` is not an IANA name; UTC here"),
            );
            "UTC".to_owned()
        }
        None => "UTC".to_owned(),
    };
    let mut emails = Vec::new();
    let mut phones = Vec::new();
    for cm in &u.contact_methods {
        let kind = cm.kind.trim_end_matches("_reference");
        let address = cm.address.clone().unwrap_or_default();
        match kind {
            "email_contact_method" => emails.push(address),
            "phone_contact_method" | "sms_contact_method" => {
                let digits: String = address.chars().filter(char::is_ascii_digit).collect();
                let e164 = format!("+{}{digits}", cm.country_code.unwrap_or(1));
                match PhoneNumber::parse(&e164) {
                    Ok(_) => phones.push(e164),
                    Err(e) => losses.note(&mut comments, &subject, format!("phone {} ({}): {}", cm.id, address, e.message())),
                }
            }
            "push_notification_contact_method" => losses.note(
                &mut comments,
                &subject,
                format!(
                    "push notifications to \"{}\" ({}): firebell pages in chat, by SMS, call or email, not through a mobile app",
                    cm.label.as_deref().unwrap_or("device"),
                    cm.id
                ),
            ),
            other => losses.note(&mut comments, &subject, format!("contact method {} of type {other}", cm.id)),
        }
    }
    let email = emails.first().cloned().or_else(|| u.email.clone());
    phones.dedup();
    for extra in emails.iter().skip(1).filter(|e| Some(*e) != email.as_ref()) {
        losses.note(
            &mut comments,
            &subject,
            format!("second email address {extra} (firebell keeps one)"),
        );
    }
    for extra in phones.iter().skip(1) {
        losses.note(
            &mut comments,
            &subject,
            format!("second phone number {extra} (firebell keeps one)"),
        );
    }
    if !u.teams.is_empty() {
        comments.push(format!(
            "PagerDuty teams: {} (firebell has no teams)",
            labels(&u.teams)
        ));
    }
    comments.push(
        "PagerDuty notification rules are not read: firebell pages in chat at once, then by the \
         ladder in notify.high / notify.low"
            .to_owned(),
    );
    UserOut {
        id,
        pd_id: u.id.clone(),
        name: u.name.clone(),
        timezone,
        email: email.filter(|e| firebell_engine::config::is_email(e)),
        phone: phones.first().cloned(),
        comments,
    }
}

pub fn labels(refs: &[model::Reference]) -> String {
    refs.iter()
        .map(model::Reference::label)
        .collect::<Vec<_>>()
        .join(", ")
}

fn policy(
    p: &model::EscalationPolicy,
    ids: &Ids,
    slugs: &mut Slugs,
    losses: &mut Losses,
) -> Option<PolicyOut> {
    let subject = format!("escalation policy {} ({})", p.name, p.id);
    let mut comments = vec![format!(
        "PagerDuty escalation policy {} \"{}\"",
        p.id, p.name
    )];
    let mut levels = Vec::new();
    for (i, rule) in p.escalation_rules.iter().enumerate() {
        let mut targets = Vec::new();
        for t in &rule.targets {
            let kind = t.kind.trim_end_matches("_reference");
            let found = match kind {
                "user" => ids.users.get(&t.id).map(|id| format!("user:{id}")),
                "schedule" => ids.schedules.get(&t.id).map(|id| format!("schedule:{id}")),
                _ => None,
            };
            match found {
                Some(target) => targets.push(target),
                None => losses.note(
                    &mut comments,
                    &subject,
                    format!(
                        "level {} target {} of type {}: not imported",
                        i + 1,
                        t.label(),
                        t.kind
                    ),
                ),
            }
        }
        if targets.is_empty() {
            losses.note(
                &mut comments,
                &subject,
                format!(
                    "level {}: none of its targets could be imported, level left out",
                    i + 1
                ),
            );
            continue;
        }
        let delay = u32::try_from(rule.escalation_delay_in_minutes.max(1)).unwrap_or(u32::MAX);
        levels.push((targets, delay));
    }
    if levels.is_empty() {
        losses.note(
            &mut Vec::new(),
            &subject,
            "no level could be imported, so the policy is left out",
        );
        return None;
    }
    let repeat = p.num_loops.min(9);
    if p.num_loops > 9 {
        losses.note(
            &mut comments,
            &subject,
            format!(
                "num_loops {} (firebell repeats at most 9 times)",
                p.num_loops
            ),
        );
    }
    if !p.teams.is_empty() {
        losses.note(
            &mut comments,
            &subject,
            format!("teams {} (firebell has no teams)", labels(&p.teams)),
        );
    }
    Some(PolicyOut {
        id: slugs.take(&p.name, &format!("policy {}", p.id)),
        pd_id: p.id.clone(),
        levels,
        repeat,
        comments,
    })
}

fn service(s: &model::Service, ids: &Ids, slugs: &mut Slugs, losses: &mut Losses) -> ServiceOut {
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
    let urgency = match s.incident_urgency_rule.as_ref() {
        Some(r) if r.kind == "constant" => match r.urgency.as_deref() {
            Some("low") => Some("low"),
            Some("severity_based") => Some("by-severity"),
            _ => Some("high"),
        },
        Some(r) if r.kind == "severity_based" => Some("by-severity"),
        Some(r) => {
            losses.note(
                &mut comments,
                &subject,
                format!(
                    "urgency rule `{}`: set urgency and support_hours by hand",
                    r.kind
                ),
            );
            None
        }
        None => None,
    };
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

#[cfg(test)]
mod tests {
    use super::{Slugs, human};

    #[test]
    fn slugs_are_lowercase_words_and_unique() {
        let mut s = Slugs::default();
        assert_eq!(s.take("Web App", "x"), "web-app");
        assert_eq!(s.take("web app!", "x"), "web-app-2");
        assert_eq!(s.take("Database (primary)", "x"), "database-primary");
        assert_eq!(s.take("日本", "user PAB12"), "user-pab12");
    }

    #[test]
    fn timeouts_read_as_hours_or_minutes() {
        assert_eq!(human(14_400), "4h");
        assert_eq!(human(1_800), "30m");
        assert_eq!(human(90), "2m");
    }
}
