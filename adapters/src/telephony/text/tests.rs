use std::collections::HashMap;

use firebell_engine::IncidentNumber;
use firebell_engine::kinds::{Actor, Channel, IncidentStatus, Severity};

use super::*;

fn about<'a>(n: &str, service: &'a str, title: &'a str) -> About<'a> {
    About {
        number: IncidentNumber::parse(n).unwrap(),
        severity: Severity::Critical,
        service,
        title,
    }
}

#[test]
fn a_page_sms_reads_number_severity_service_title_and_keys() {
    assert_eq!(
        page_sms(about("42", "db-01", "disk full")),
        "firebell #42 CRITICAL db-01: disk full. Reply 4 ack, 6 resolve"
    );
}

#[test]
fn a_long_title_is_shortened_with_an_ellipsis_to_exactly_one_sms() {
    let title = "x".repeat(500);
    let sms = page_sms(about("42", "web", &title));
    assert_eq!(sms.chars().count(), SMS_MAX_CHARS);
    assert!(sms.ends_with("x…. Reply 4 ack, 6 resolve"), "{sms}");
    assert!(sms.starts_with("firebell #42 CRITICAL web: xxx"), "{sms}");
}

#[test]
fn no_page_sms_ever_exceeds_160_characters() {
    let long_service = "s".repeat(300);
    let accents = "é".repeat(400);
    let escapes = "a\u{1b}[2J ".repeat(100);
    let cases = [
        about("1", "web", ""),
        about("99999999", "web", &accents),
        about("42", &long_service, "disk full"),
        about("42", "web", &escapes),
    ];
    for c in cases {
        let sms = page_sms(c);
        assert!(
            sms.chars().count() <= SMS_MAX_CHARS,
            "{} chars: {sms}",
            sms.chars().count()
        );
    }
}

#[test]
fn control_and_bidi_characters_are_dropped_and_whitespace_collapsed() {
    assert_eq!(
        page_sms(about("7", "web", "  disk\n\tfull\x1b[31m\u{202e}!  ")),
        "firebell #7 CRITICAL web: disk full[31m!. Reply 4 ack, 6 resolve"
    );
    assert_eq!(clean("\u{7}\u{9b}a  b\r\nc"), "a b c");
}

#[test]
fn a_status_notice_names_the_person_not_their_id() {
    let names = HashMap::from([("bob".to_owned(), "Bob Brown".to_owned())]);
    let n = IncidentNumber::parse("42").unwrap();
    let bob = Actor::new("bob", Channel::Slack);
    assert_eq!(
        notice_sms(n, IncidentStatus::Acknowledged, &bob, &names),
        "firebell #42 acknowledged by Bob Brown"
    );
    let ci = Actor::new("ci", Channel::Api);
    assert_eq!(
        notice_sms(n, IncidentStatus::Resolved, &ci, &names),
        "firebell #42 resolved by ci"
    );
}

#[test]
fn the_call_twiml_gathers_one_key_and_posts_it_back_for_the_incident() {
    let twiml = page_twiml(
        about("42", "web", "disk full"),
        Some("https://fb.example.com/"),
    );
    assert_eq!(
        twiml,
        "<Response><Gather numDigits=\"1\" action=\"https://fb.example.com/twilio/voice?incident=42\" method=\"POST\">\
         <Say>This is firebell incident 42, critical, web: disk full. Press 4 to acknowledge, 6 to resolve, 5 to escalate.</Say>\
         </Gather><Say>No input received. Goodbye.</Say></Response>"
    );
}

#[test]
fn titles_cannot_inject_twiml() {
    let twiml = page_twiml(
        about("42", "web", "</Say><Dial>+19005550100</Dial><Say>\"&'"),
        Some("https://fb.example.com"),
    );
    assert!(!twiml.contains("<Dial>"), "{twiml}");
    assert!(
        twiml.contains(
            "&lt;/Say&gt;&lt;Dial&gt;+19005550100&lt;/Dial&gt;&lt;Say&gt;&quot;&amp;&apos;"
        ),
        "{twiml}"
    );
}

#[test]
fn the_call_twiml_stays_under_twilios_limit_with_the_worst_title() {
    let title = "<&>".repeat(2000);
    let url = format!("https://{}.example.com", "a".repeat(200));
    let twiml = page_twiml(about("99999999", "web", &title), Some(&url));
    assert!(twiml.chars().count() <= TWIML_MAX_CHARS, "{}", twiml.len());
}

#[test]
fn without_a_public_url_the_call_only_reads_the_page() {
    let twiml = page_twiml(about("42", "web", "disk full"), None);
    assert_eq!(
        twiml,
        "<Response><Say>This is firebell incident 42, critical, web: disk full. Acknowledge it in chat.</Say></Response>"
    );
}

#[test]
fn truncation_counts_characters_not_bytes() {
    assert_eq!(truncate("ééééé", 5), "ééééé");
    assert_eq!(truncate("ééééé", 4), "ééé…");
    assert_eq!(truncate("ab   cd", 5), "ab…");
    assert_eq!(truncate("abc", 0), "");
}
