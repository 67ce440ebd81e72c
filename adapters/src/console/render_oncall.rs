//! Paging, escalation, hand-off and maintenance notifications as terminal text. Pure functions,
//! like [`render`](super::render); user ids, policy names, reasons and matchers come from people
//! or config and go through [`sanitize`](super::sanitize) all the same.
//!
//! An incident-bound line reads `📟 #42 paging @alice (Alice Adams) — level 1 · Disk full on
//! db-01`; without the incident (it could not be loaded) the subject becomes "an incident".

use chrono::{DateTime, Utc};
use firebell_engine::notify::{MaintenancePhase, Recipient};
use firebell_engine::{Actor, ContactMethod, Incident, IncidentStatus, Urgency};

use super::output::{BOLD, Style};
use super::sanitize::one_line;
use crate::chat::view::Window;

/// `#42` in bold, or "an incident" when it is unknown.
fn subject(i: Option<&Incident>, style: Style) -> String {
    match i {
        Some(i) => style.paint(&i.number.to_string(), BOLD),
        None => "an incident".to_owned(),
    }
}

/// ` · Disk full on db-01`, or nothing.
fn title(i: Option<&Incident>) -> String {
    i.map(|i| format!(" · {}", one_line(&i.title)))
        .unwrap_or_default()
}

/// `alice (slack)`: who did something, and through what.
pub(super) fn who(actor: &Actor) -> String {
    format!("{} ({})", one_line(&actor.name), actor.channel)
}

fn by_method(m: ContactMethod) -> &'static str {
    match m {
        ContactMethod::Chat => "in chat",
        ContactMethod::Sms => "by SMS",
        ContactMethod::Voice => "by voice call",
        ContactMethod::Email => "by email",
    }
}

/// A person paged. In the room (method chat) it is a mention: `📟 #42 paging @alice (Alice
/// Adams) — level 1 · title`. Pages by other methods never reach the console, but if one did it
/// says how the person was reached rather than pretending to mention them.
pub(super) fn paged(
    i: Option<&Incident>,
    recipient: Option<&Recipient>,
    user: &str,
    level: u32,
    urgency: Urgency,
    failover_from: Option<&str>,
    style: Style,
) -> String {
    let who = match recipient {
        Some(r) if r.method == ContactMethod::Chat => format!(
            "paging @{} ({})",
            one_line(r.user.id.as_ref()),
            one_line(&r.user.name)
        ),
        Some(r) => format!(
            "paged {} ({}) {}",
            one_line(&r.user.name),
            one_line(r.user.id.as_ref()),
            by_method(r.method)
        ),
        None => format!("paging @{}", one_line(user)),
    };
    let mut what = format!("level {level}");
    if urgency == Urgency::Low {
        what.push_str(", low urgency");
    }
    if let Some(from) = failover_from {
        what.push_str(&format!(", re-sent after {} failed", one_line(from)));
    }
    format!("📟 {} {who} — {what}{}", subject(i, style), title(i))
}

/// `⏫ #42 escalated to level 2 by alice (slack) — paging bob, carol · title`
pub(super) fn escalated(
    i: Option<&Incident>,
    actor: Option<&Actor>,
    level: u32,
    users: &[String],
    style: Style,
) -> String {
    let by = actor
        .map(|a| format!(" by {}", who(a)))
        .unwrap_or_else(|| " (not acknowledged in time)".to_owned());
    let paging = if users.is_empty() {
        "nobody to page at this level".to_owned()
    } else {
        let names: Vec<String> = users.iter().map(|u| one_line(u)).collect();
        format!("paging {}", names.join(", "))
    };
    format!(
        "⏫ {} escalated to level {level}{by} — {paging}{}",
        subject(i, style),
        title(i)
    )
}

/// `🚨 #42 was not acknowledged — escalation policy default has no one left to page · title`
pub(super) fn policy_exhausted(i: Option<&Incident>, policy: &str, style: Style) -> String {
    format!(
        "🚨 {} was not acknowledged — escalation policy {} has no one left to page{}",
        subject(i, style),
        one_line(policy),
        title(i)
    )
}

/// `🔔 #42 re-triggered — still open 30m after it was acknowledged · title`
pub(super) fn retriggered(i: Option<&Incident>, reason: &str, style: Style) -> String {
    format!(
        "🔔 {} re-triggered — {}{}",
        subject(i, style),
        one_line(reason),
        title(i)
    )
}

/// `📱 #42: texted alice (level 1)`, or why the page could not go out.
pub(super) fn page_sent(
    i: Option<&Incident>,
    user: &str,
    method: firebell_engine::ContactMethod,
    level: u32,
    failed: Option<&str>,
    style: Style,
) -> String {
    use firebell_engine::ContactMethod as M;
    let (mark, did, could) = match method {
        M::Sms => ("📱", "texted", "text"),
        M::Voice => ("📞", "called", "call"),
        M::Email => ("✉️", "emailed", "email"),
        M::Chat => ("📟", "paged", "page"),
    };
    match failed {
        None => format!(
            "{mark} {}: {did} {} (level {level})",
            subject(i, style),
            one_line(user)
        ),
        Some(why) => format!(
            "⚠️ {}: could not {could} {} (level {level}): {}",
            subject(i, style),
            one_line(user),
            one_line(why)
        ),
    }
}

/// `📣 #42 is now resolved (by alice (slack)) · title`, to someone paged earlier.
pub(super) fn status_notice(
    i: Option<&Incident>,
    recipient: Option<&Recipient>,
    status: IncidentStatus,
    actor: &Actor,
    style: Style,
) -> String {
    let to = recipient
        .map(|r| format!(" — telling {}", one_line(&r.user.name)))
        .unwrap_or_default();
    format!(
        "📣 {} is now {status} (by {}){to}{}",
        subject(i, style),
        who(actor),
        title(i)
    )
}

/// `🔁 schedule primary: bob is on call now (was alice) · open: #3, #7`
pub(super) fn handoff(
    schedule: &str,
    from: Option<&str>,
    to: Option<&str>,
    open_incidents: &[i64],
) -> String {
    let now = match to {
        Some(to) => format!("{} is on call now", one_line(to)),
        None => "nobody is on call now".to_owned(),
    };
    let was = from
        .map(|f| format!(" (was {})", one_line(f)))
        .unwrap_or_default();
    let open = if open_incidents.is_empty() {
        String::new()
    } else {
        let ns: Vec<String> = open_incidents.iter().map(|n| format!("#{n}")).collect();
        format!(" · open: {}", ns.join(", "))
    };
    format!("🔁 schedule {}: {now}{was}{open}", one_line(schedule))
}

/// ```text
/// 🔧 maintenance 4 started for web-01 by alice until Mon 02 Mar 10:00 UTC — kernel upgrade
/// 🔧 maintenance 4 for web-01 ends at Mon 02 Mar 10:00 UTC · 2 alerts suppressed so far
/// 🔧 maintenance 4 for web-01 ended (by alice) · 2 alerts suppressed
/// ```
pub(super) fn maintenance(w: &Window<'_>) -> String {
    let matcher = one_line(w.matcher);
    let until = utc(w.ends_at);
    let suppressed = w.suppressed();
    let reason = w
        .reason()
        .map(|r| format!(" — {}", one_line(r)))
        .unwrap_or_default();
    let id = w.id;
    match w.phase {
        MaintenancePhase::Started => format!(
            "🔧 maintenance {id} started for {matcher} by {} until {until}{reason}\n   \
             alerts that match are recorded but page nobody · → !maintenance end {id}",
            one_line(w.by)
        ),
        MaintenancePhase::EndingSoon => format!(
            "🔧 maintenance {id} for {matcher} ends at {until} · {suppressed} so far{reason}"
        ),
        MaintenancePhase::Ended => format!(
            "🔧 maintenance {id} for {matcher} ended (by {}) · {suppressed}",
            one_line(w.by)
        ),
    }
}

/// `Mon 02 Mar 10:00 UTC`: the console has no asking user, so times are in UTC.
fn utc(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros)
        .map(|t| t.format("%a %d %b %H:%M UTC").to_string())
        .unwrap_or_else(|| "an unknown time".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use firebell_engine::notify::{Notification, Outgoing};
    use firebell_engine::{Config, IncidentNumber, Severity};

    const CONFIG: &str = r#"
[rooms.ops]
[users.alice]
name = "Alice Adams"
[services.db]
integration_keys = ["DBKEY000000000000000000000000001"]
room = "ops"
"#;

    /// Incident #42 on `db`, as the outbox worker would hand it over, paging alice `by`.
    fn page(config: &Config, by: ContactMethod, notification: Notification) -> Outgoing {
        let t: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().expect("valid time");
        let incident = Incident {
            number: IncidentNumber::parse("42").expect("valid"),
            service: config.service("db").expect("db").name.clone(),
            dedup_key: firebell_engine::DedupKey::parse("disk").expect("valid"),
            title: "Disk full on db-01\x1b[2J".to_owned(),
            source: None,
            severity: Severity::Critical,
            status: IncidentStatus::Triggered,
            alert_count: 1,
            created_at: t,
            last_alert_at: t,
            acknowledged_at: None,
            acknowledged_by: None,
            acknowledged_via: None,
            resolved_at: None,
            resolved_by: None,
            resolved_via: None,
            details: serde_json::json!({}),
        };
        Outgoing {
            outbox_id: 1,
            room: config.rooms["ops"].clone(),
            recipient: Some(Recipient {
                user: config.user("alice").expect("alice").clone(),
                method: by,
            }),
            incident: Some(incident),
            notification,
            attempt: 1,
        }
    }

    #[test]
    fn a_chat_page_mentions_the_person_on_the_incident() {
        let config = Config::parse(CONFIG, "test.toml", &|_| None).expect("valid config");
        let paged = Notification::Paged {
            user: "alice".into(),
            level: 1,
            urgency: Urgency::High,
            failover_from: None,
            esc_gen: None,
        };
        let msg = page(&config, ContactMethod::Chat, paged.clone());
        assert_eq!(
            super::super::render::notification(&msg, Style::PLAIN, false),
            "📟 #42 paging @alice (Alice Adams) — level 1 · Disk full on db-01\\u{1b}[2J"
        );
        let msg = page(&config, ContactMethod::Sms, paged);
        assert_eq!(
            super::super::render::notification(&msg, Style::PLAIN, true),
            "📟 #42 paged Alice Adams (alice) by SMS — level 1 · Disk full on db-01\\u{1b}[2J \
             · room ops"
        );
    }

    #[test]
    fn a_handoff_names_both_people_and_the_open_incidents() {
        assert_eq!(
            handoff("primary", Some("alice"), Some("bob"), &[3, 7]),
            "🔁 schedule primary: bob is on call now (was alice) · open: #3, #7"
        );
        assert_eq!(
            handoff("primary", Some("alice"), None, &[]),
            "🔁 schedule primary: nobody is on call now (was alice)"
        );
    }

    #[test]
    fn a_page_without_a_recipient_still_names_the_user_and_level() {
        assert_eq!(
            paged(None, None, "alice", 2, Urgency::Low, None, Style::PLAIN),
            "📟 an incident paging @alice — level 2, low urgency"
        );
    }

    #[test]
    fn escalation_by_timer_and_by_hand_read_differently() {
        let bob = vec!["bob".to_owned()];
        assert_eq!(
            escalated(None, None, 2, &bob, Style::PLAIN),
            "⏫ an incident escalated to level 2 (not acknowledged in time) — paging bob"
        );
        let alice = Actor::new("alice", firebell_engine::Channel::Slack);
        assert_eq!(
            escalated(None, Some(&alice), 3, &[], Style::PLAIN),
            "⏫ an incident escalated to level 3 by alice (slack) — nobody to page at this level"
        );
    }

    #[test]
    fn maintenance_notices_say_what_until_when_and_how_much_was_held_back() {
        let ends_at = "2026-03-02T10:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("valid time")
            .timestamp_micros();
        let mut w = Window {
            id: 4,
            phase: MaintenancePhase::Started,
            matcher: "web-01",
            reason: Some("kernel\x1b[2J upgrade"),
            by: "alice",
            ends_at,
            suppressed: 0,
        };
        assert_eq!(
            maintenance(&w),
            "🔧 maintenance 4 started for web-01 by alice until Mon 02 Mar 10:00 UTC — \
             kernel\\u{1b}[2J upgrade\n   alerts that match are recorded but page nobody · \
             → !maintenance end 4"
        );
        w.phase = MaintenancePhase::Ended;
        w.suppressed = 2;
        assert_eq!(
            maintenance(&w),
            "🔧 maintenance 4 for web-01 ended (by alice) · 2 alerts suppressed"
        );
    }
}
