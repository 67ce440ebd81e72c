//! Each on-call mistake is reported once, at its line and key, saying what would be valid.

use super::*;

/// (replace, with, key, message, the line the error is on: the first line containing this).
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

fn check(base: &dyn Fn(&str, &str) -> String, parse_env: bool, cases: &[Case]) {
    for &(from, to, key, message, line_needle) in cases {
        let text = base(from, to);
        let err = if parse_env {
            only_oncall_error(&text)
        } else {
            only_error(&text)
        };
        assert_eq!(err.key, key, "{to}");
        assert!(
            err.message.contains(message),
            "{to}:\n  got  {}\n  want {message}",
            err.message
        );
        assert_eq!(err.line, line_of(&text, line_needle), "{to}: line");
    }
}

#[test]
fn contact_and_ladder_mistakes_point_at_the_value() {
    let cases: &[Case] = &[
        (
            "phone = \"+14155550102\"",
            "phone = \"555-0102\"",
            "users.bob.phone",
            "`555-0102` is not an E.164 phone number — write `+` then the country code",
            "555-0102",
        ),
        (
            "email = \"carol@example.com\"",
            "email = \"carol at example\"",
            "users.carol.email",
            "`carol at example` is not an email address — write it like `alice@example.com`",
            "carol at example",
        ),
        (
            "notify.low = { email = 0, chat = 0 }",
            "notify.low = { email = 0, pager = 0 }",
            "users.alice.notify.low",
            "unknown field `pager`, expected one of `chat`, `sms`, `voice`, `email`",
            "pager = 0",
        ),
        (
            "email = \"carol@example.com\"",
            "email = \"carol@example.com\"\nnotify.high = { chat = 0, sms = 1 }",
            "users.carol.notify.high.sms",
            "sms needs a phone number — set users.carol.phone (E.164, such as `+14155550100`) \
             or drop sms from this ladder",
            "sms = 1",
        ),
        (
            "phone = \"+14155550102\"",
            "phone = \"+14155550102\"\nnotify.low = { chat = 0, email = 30 }",
            "users.bob.notify.low.email",
            "email needs an address — set users.bob.email or drop email from this ladder",
            "email = 30",
        ),
        (
            "notify.low = { email = 0, chat = 0 }",
            "notify.low = { email = 0, chat = 1441 }",
            "users.alice.notify.low.chat",
            "`1441` is out of range — a rule fires 0 to 1440 minutes (a day) after the page",
            "chat = 1441",
        ),
        (
            "notify.low = { email = 0, chat = 0 }",
            "notify.low = { email = -1, chat = 0 }",
            "users.alice.notify.low.email",
            "`-1` is out of range",
            "email = -1",
        ),
        (
            "notify.low = { email = 0, chat = 0 }",
            "notify.low = {}",
            "users.alice.notify.low",
            "this ladder is empty, so alice would never hear about low-urgency pages",
            "notify.low = {}",
        ),
    ];
    check(&oncall_with, true, cases);
}

#[test]
fn a_phone_without_an_sms_provider_is_reported_at_the_phone() {
    let text = valid_with(
        "slack = \"U0BOB\"",
        "slack = \"U0BOB\"\nphone = \"+14155550102\"",
    );

    let err = only_error(&text);

    assert_eq!(err.key, "users.bob.phone");
    assert_eq!(err.line, line_of(&text, "+14155550102"));
    assert_eq!(
        err.message,
        "bob has a phone number, so high-urgency pages go by SMS after 2 min and a call after 5 \
         min, but no SMS provider is configured — add [providers.twilio] (or set \
         users.bob.notify.high without sms/voice)"
    );
}

#[test]
fn a_phone_with_a_chat_only_high_ladder_needs_no_provider() {
    let text = valid_with(
        "slack = \"U0BOB\"",
        "slack = \"U0BOB\"\nphone = \"+14155550102\"\nnotify.high = { chat = 0 }",
    );

    let config = parse(&text).expect("no SMS or call is ever sent");

    assert_eq!(config.user("bob").expect("bob").rules.high.len(), 1);
}

const VONAGE_ONLY: &str =
    "\n[providers.vonage]\napi_key = \"abcd1234\"\napi_secret = \"s3cret\"\nfrom = \"firebell\"\n";

#[test]
fn with_only_vonage_the_default_ladder_and_explicit_calls_are_refused() {
    let default = format!(
        "{}{VONAGE_ONLY}",
        valid_with(
            "slack = \"U0BOB\"",
            "slack = \"U0BOB\"\nphone = \"+14155550102\"",
        )
    );
    let explicit = format!(
        "{}{VONAGE_ONLY}",
        valid_with(
            "slack = \"U0BOB\"",
            "slack = \"U0BOB\"\nphone = \"+14155550102\"\nnotify.high = { chat = 0, sms = 1, voice = 3 }",
        )
    );

    let default_err = only_error(&default);
    let explicit_err = only_error(&explicit);

    assert_eq!(default_err.key, "users.bob.phone");
    assert!(
        default_err.message.ends_with(
            "but calls need [providers.twilio] and only Vonage is configured — add \
             [providers.twilio] (or set users.bob.notify.high without voice)"
        ),
        "{}",
        default_err.message
    );
    assert_eq!(explicit_err.key, "users.bob.notify.high.voice");
    assert_eq!(explicit_err.line, line_of(&explicit, "voice = 3"));
    assert_eq!(
        explicit_err.message,
        "voice needs [providers.twilio] — Vonage is configured, but it only carries SMS here"
    );
}

#[test]
fn explicit_sms_and_email_rules_without_their_provider_are_refused() {
    let text = valid_with(
        "slack = \"U0BOB\"",
        "slack = \"U0BOB\"\nphone = \"+14155550102\"\nemail = \"bob@example.com\"\n\
         notify.high = { chat = 0, sms = 1 }\nnotify.low = { email = 0 }",
    );

    let errs = errors(&text);

    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.key.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "users.bob.notify.high.sms",
                "sms needs an SMS provider and none is configured — add [providers.twilio] or \
                 [providers.vonage]"
            ),
            (
                "users.bob.notify.low.email",
                "email needs [providers.smtp], which is not configured"
            ),
        ]
    );
}

#[test]
fn policy_target_mistakes_list_what_exists() {
    let cases: &[Case] = &[
        (
            "\"bob\", \"secondary\"",
            "\"bob\", \"tertiary\"",
            "escalation_policies.default.levels[1].targets",
            "unknown user or schedule `tertiary` — defined users: alice, bob, carol; defined \
             schedules: primary, secondary (write `user:NAME` or `schedule:NAME` to say which)",
            "tertiary",
        ),
        (
            "\"schedule:primary\"",
            "\"schedule:alice\"",
            "escalation_policies.default.levels[0].targets",
            "unknown schedule `alice` — defined schedules: primary, secondary",
            "schedule:alice",
        ),
        (
            "\"user:carol\"",
            "\"user:primary\"",
            "escalation_policies.default.levels[2].targets",
            "unknown user `primary` — defined users: alice, bob, carol",
            "user:primary",
        ),
    ];
    check(&oncall_with, true, cases);
}

#[test]
fn a_bare_target_naming_both_a_user_and_a_schedule_must_say_which() {
    let text = format!(
        "{ONCALL}\n[schedules.bob]\ntimezone = \"UTC\"\n[[schedules.bob.layers]]\n\
         users = [\"bob\"]\nrotation = \"1d\"\nstart = \"2026-03-02T09:00\"\n"
    );

    let err = only_oncall_error(&text);

    assert_eq!(err.key, "escalation_policies.default.levels[1].targets");
    assert_eq!(err.line, line_of(&text, "\"bob\", \"secondary\""));
    assert_eq!(
        err.message,
        "`bob` is both a user and a schedule — write `user:bob` or `schedule:bob`"
    );
}

#[test]
fn service_mistakes_point_at_the_value() {
    let cases: &[Case] = &[
        (
            "urgency = \"by-severity\"",
            "urgency = \"urgent\"",
            "services.db.urgency",
            "unknown urgency `urgent` — use high, low, by-severity or support-hours",
            "\"urgent\"",
        ),
        (
            "ack_timeout = \"1h\"",
            "ack_timeout = \"1x\"",
            "services.web.ack_timeout",
            "unknown duration `1x` — try 30m, 1h, 2h30m or 1d; `off` turns it off",
            "\"1x\"",
        ),
        (
            "ack_timeout = \"1h\"",
            "ack_timeout = \"2d\"",
            "services.web.ack_timeout",
            "duration `2d` is longer than the maximum of 1d",
            "\"2d\"",
        ),
        (
            "auto_resolve = \"4h\"",
            "auto_resolve = \"31d\"",
            "services.web.auto_resolve",
            "duration `31d` is longer than the maximum of 30d",
            "\"31d\"",
        ),
        (
            "start = \"09:00\", end = \"17:00\"",
            "start = \"9am\", end = \"17:00\"",
            "services.web.support_hours.start",
            "`9am` is not a time of day — write it like `09:00`",
            "\"9am\"",
        ),
        (
            "\"thu\", \"fri\"]",
            "\"thu\", \"friday-ish\"]",
            "services.web.support_hours.days",
            "`friday-ish` is not a weekday — use mon, tue, wed, thu, fri, sat or sun",
            "friday-ish",
        ),
        (
            "{ timezone = \"Europe/Berlin\", days",
            "{ timezone = \"Berlin\", days",
            "services.web.support_hours.timezone",
            "unknown time zone `Berlin` — use an IANA name",
            "\"Berlin\"",
        ),
    ];
    check(&oncall_with, true, cases);
}

#[test]
fn support_hours_urgency_without_support_hours_is_reported_at_the_urgency() {
    let text = valid_with(
        "events_per_minute = 100000",
        "events_per_minute = 100000\nurgency = \"support-hours\"",
    );

    let err = only_error(&text);

    assert_eq!(err.key, "services.web.urgency");
    assert_eq!(err.line, line_of(&text, "support-hours"));
    assert!(
        err.message
            .starts_with("urgency `support-hours` needs `support_hours` on this service, e.g. "),
        "{}",
        err.message
    );
}
