//! What a valid on-call config becomes: targets, ladders, urgency, support hours and timeouts.

use chrono::{NaiveTime, Weekday};

use super::*;
use crate::domain::kinds::ContactMethod::{self, Chat, Email, Sms, Voice};
use crate::domain::notification_rules::{Rule, SupportHours, UrgencyRule};

fn oncall() -> Config {
    parse_env(ONCALL, &env).expect("the on-call config is valid")
}

fn ladder(rules: &[Rule]) -> Vec<(ContactMethod, u32)> {
    rules.iter().map(|r| (r.method, r.after_minutes)).collect()
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
}

#[test]
fn policy_targets_resolve_to_users_and_schedules() {
    let config = oncall();

    let policy = &config.escalation_policies["default"];

    let user = |id: &str| Target::User(UserId::new(id));
    let schedule = |name: &str| Target::Schedule(name.to_owned());
    let levels: Vec<(&[Target], u32)> = policy
        .levels
        .iter()
        .map(|l| (&l.targets[..], l.delay_minutes))
        .collect();
    assert_eq!(
        levels,
        vec![
            (&[schedule("primary")][..], 15),
            (&[user("bob"), schedule("secondary")][..], 15),
            (&[user("carol")][..], 30),
        ]
    );
    assert_eq!(policy.repeat, 1);
    assert_eq!(config.schedule_rooms("secondary"), vec!["ops"]);
}

#[test]
fn explicit_ladders_are_sorted_by_minutes_then_chat_sms_voice_email() {
    let config = oncall();

    let alice = config.user("alice").expect("alice");

    assert_eq!(
        alice.phone.as_ref().map(PhoneNumber::as_str),
        Some("+14155550101")
    );
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(
        ladder(&alice.rules.high),
        vec![(Chat, 0), (Sms, 2), (Email, 2), (Voice, 5)]
    );
    assert_eq!(ladder(&alice.rules.low), vec![(Chat, 0), (Email, 0)]);
}

#[test]
fn users_without_notify_get_the_default_ladder_for_their_contacts() {
    let config = oncall();

    let rules = |id: &str| config.user(id).expect("user").rules.clone();

    assert_eq!(
        ladder(&rules("bob").high),
        vec![(Chat, 0), (Sms, 2), (Voice, 5)],
        "a phone adds SMS and a call"
    );
    assert_eq!(ladder(&rules("bob").low), vec![(Chat, 0)]);
    assert_eq!(ladder(&rules("carol").high), vec![(Chat, 0)]);
    assert_eq!(
        ladder(&rules("carol").low),
        vec![(Chat, 0), (Email, 0)],
        "an address adds email to low urgency when SMTP is configured"
    );
}

#[test]
fn an_email_address_without_smtp_leaves_email_out_of_the_default_ladder() {
    let text = valid_with(
        "[users.carol]\nname = \"Carol Chen\"",
        "[users.carol]\nname = \"Carol Chen\"\nemail = \"carol@example.com\"",
    );

    let config = parse(&text).expect("an address alone is not an error");

    let carol = config.user("carol").expect("carol");
    assert_eq!(carol.email.as_deref(), Some("carol@example.com"));
    assert_eq!(ladder(&carol.rules.low), vec![(Chat, 0)]);
}

#[test]
fn a_ladder_given_for_one_urgency_leaves_the_other_at_its_default() {
    let text = oncall_with(
        "phone = \"+14155550102\"",
        "phone = \"+14155550102\"\nnotify.low = { sms = 10 }",
    );

    let config = parse_env(&text, &env).expect("valid");

    let bob = config.user("bob").expect("bob");
    assert_eq!(ladder(&bob.rules.low), vec![(Sms, 10)]);
    assert_eq!(
        ladder(&bob.rules.high),
        vec![(Chat, 0), (Sms, 2), (Voice, 5)]
    );
}

#[test]
fn services_read_urgency_support_hours_and_timeouts() {
    let config = oncall();

    let web = config.service("web").expect("web");
    let db = config.service("db").expect("db");

    assert_eq!(web.urgency, UrgencyRule::SupportHours);
    assert_eq!(
        web.support_hours,
        Some(SupportHours {
            time_zone: chrono_tz::Europe::Berlin,
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri
            ],
            start: hm(9, 0),
            end: hm(17, 0),
        })
    );
    assert_eq!(web.ack_timeout, Some(chrono::Duration::hours(1)));
    assert_eq!(web.auto_resolve, Some(chrono::Duration::hours(4)));
    assert_eq!(db.urgency, UrgencyRule::BySeverity);
    assert_eq!(db.support_hours, None);
    assert_eq!(db.ack_timeout, None, "`off`");
    assert_eq!(db.auto_resolve, None, "off by default");
}

#[test]
fn services_default_to_high_urgency_a_30_minute_ack_timeout_and_no_auto_resolve() {
    let config = parse(VALID).expect("valid");

    let web = config.service("web").expect("web");

    assert_eq!(web.urgency, UrgencyRule::High);
    assert_eq!(web.support_hours, None);
    assert_eq!(
        web.ack_timeout,
        Some(chrono::Duration::minutes(DEFAULT_ACK_TIMEOUT_MINUTES))
    );
    assert_eq!(web.auto_resolve, None);
}

#[test]
fn support_hours_without_days_cover_the_whole_week() {
    let text = oncall_with(
        "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], start = \"09:00\"",
        "start = \"22:00\"",
    )
    .replacen("end = \"17:00\"", "end = \"06:00\"", 1);

    let config = parse_env(&text, &env).expect("valid");

    let hours = config.service("web").and_then(|s| s.support_hours.clone());
    let hours = hours.expect("support hours");
    assert_eq!(hours.days.len(), 7);
    assert_eq!((hours.start, hours.end), (hm(22, 0), hm(6, 0)));
}
