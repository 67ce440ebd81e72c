//! `[providers]`: what a valid table becomes, and each mistake at its line and key.

use firebell_adapters::email::SmtpTls;
use firebell_engine::config::Secret;

use super::*;

#[test]
fn providers_are_read_with_secrets_from_the_environment_and_defaults_filled_in() {
    let config = Loaded::parse(ONCALL, FILE, &env).expect("valid");

    let p = &config.providers;

    assert_eq!(
        p.public_url.as_deref(),
        Some("https://firebell.example.com"),
        "the trailing slash is dropped"
    );
    let twilio = p.twilio.as_ref().expect("twilio");
    assert_eq!(twilio.account_sid, "AC0123456789abcdef0123456789abcdef");
    assert_eq!(twilio.auth_token.expose(), "twilio-auth-token");
    assert_eq!(twilio.from.as_str(), "+15005550006");
    assert_eq!(twilio.api_url, "https://api.twilio.com");
    let vonage = p.vonage.as_ref().expect("vonage");
    assert_eq!(
        (vonage.api_key.as_str(), vonage.api_secret.expose()),
        ("abcd1234", "vonage-api-secret")
    );
    assert_eq!(
        (vonage.from.as_str(), vonage.api_url.as_str()),
        ("firebell", "https://rest.nexmo.com")
    );
    let smtp = p.smtp.as_ref().expect("smtp");
    assert_eq!(
        (smtp.host.as_str(), smtp.port, smtp.tls),
        ("smtp.example.com", 587, SmtpTls::StartTls)
    );
    assert_eq!(smtp.username.as_deref(), Some("pager"));
    assert_eq!(
        smtp.password.as_ref().map(Secret::expose),
        Some("smtp-password")
    );
    assert_eq!(smtp.from, "firebell <pager@example.com>");
}

#[test]
fn literal_secrets_api_urls_ports_and_tls_modes_are_taken_as_given() {
    let text = ONCALL
        .replacen(
            "auth_token_env = \"FIREBELL_TWILIO_AUTH_TOKEN\"",
            "auth_token = \"literal-token\"\napi_url = \"http://127.0.0.1:9999/\"",
            1,
        )
        .replacen("from = \"firebell\"", "from = \"+447700900123\"", 1)
        .replacen(
            "host = \"smtp.example.com\"",
            "host = \"smtp.example.com\"\nport = 465\ntls = \"tls\"",
            1,
        );

    let config = Loaded::parse(&text, FILE, &env).expect("valid");

    let twilio = config.providers.twilio.as_ref().expect("twilio");
    assert_eq!(twilio.auth_token.expose(), "literal-token");
    assert_eq!(twilio.api_url, "http://127.0.0.1:9999");
    assert_eq!(
        config.providers.vonage.as_ref().map(|v| v.from.as_str()),
        Some("+447700900123")
    );
    let smtp = config.providers.smtp.as_ref().expect("smtp");
    assert_eq!((smtp.port, smtp.tls), (465, SmtpTls::Tls));
}

#[test]
fn secrets_never_show_in_debug_output() {
    let config = Loaded::parse(ONCALL, FILE, &env).expect("valid");

    let shown = format!("{:?}", config.providers);

    for secret in ["twilio-auth-token", "vonage-api-secret", "smtp-password"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("AC0123456789abcdef0123456789abcdef"));
}

#[test]
fn twilio_without_a_public_url_is_an_error_at_the_twilio_table() {
    let text = oncall_with("public_url = \"https://firebell.example.com/\"\n", "");

    let err = only_oncall_error(&text);

    assert_eq!(err.key, "providers.public_url");
    let table = line_of(&text, "[providers.twilio]");
    assert!(
        (table..=table + 1).contains(&err.line),
        "line {} is not at the twilio table (line {table})",
        err.line
    );
    assert!(
        err.message
            .starts_with("Twilio needs `providers.public_url`"),
        "{}",
        err.message
    );
}

#[test]
fn an_unset_secret_variable_names_the_variable() {
    let only_smtp = |name: &str| {
        (name != "FIREBELL_TWILIO_AUTH_TOKEN")
            .then(|| env(name))
            .flatten()
    };

    let errs = Loaded::parse(ONCALL, FILE, &only_smtp)
        .expect_err("the Twilio token is missing")
        .0;

    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].key, "providers.twilio.auth_token_env");
    assert_eq!(errs[0].line, line_of(ONCALL, "FIREBELL_TWILIO_AUTH_TOKEN"));
    assert_eq!(
        errs[0].message,
        "environment variable `FIREBELL_TWILIO_AUTH_TOKEN` is not set"
    );
}

#[test]
fn each_provider_mistake_points_at_the_value() {
    let cases = [
        (
            "account_sid = \"AC0123456789abcdef0123456789abcdef\"",
            "account_sid = \"AC0123\"",
            "providers.twilio.account_sid",
            "`AC0123` is not a Twilio account SID — it is `AC` followed by 32 hex digits",
        ),
        (
            "public_url = \"https://firebell.example.com/\"",
            "public_url = \"https://firebell.example.com/pager?x=1\"",
            "providers.public_url",
            "is not a base URL — write the scheme and host firebell is reached at",
        ),
        (
            "from = \"+15005550006\"",
            "from = \"15005550006\"",
            "providers.twilio.from",
            "`15005550006` is not an E.164 phone number",
        ),
        (
            "from = \"firebell\"",
            "from = \"firebell-pager\"",
            "providers.vonage.from",
            "`firebell-pager` is not a sender — use an E.164 number",
        ),
        (
            "host = \"smtp.example.com\"",
            "host = \"smtp.example.com\"\ntls = \"ssl\"",
            "providers.smtp.tls",
            "unknown TLS mode `ssl` — use starttls (port 587), tls (port 465) or none",
        ),
        (
            "from = \"firebell <pager@example.com>\"",
            "from = \"firebell pager\"",
            "providers.smtp.from",
            "`firebell pager` is not a sender address",
        ),
    ];
    for (from, to, key, message) in cases {
        let text = oncall_with(from, to);
        let err = only_oncall_error(&text);
        assert_eq!(err.key, key, "{to}");
        assert!(err.message.contains(message), "{to}: {}", err.message);
        let value = to.rsplit(" = ").next().unwrap_or(to);
        assert_eq!(err.line, line_of(&text, value), "{to}: line");
    }
}

#[test]
fn a_secret_given_both_ways_is_refused_at_its_table() {
    let text = oncall_with(
        "api_secret_env = \"FIREBELL_VONAGE_API_SECRET\"",
        "api_secret_env = \"FIREBELL_VONAGE_API_SECRET\"\napi_secret = \"literal\"",
    );

    let err = only_oncall_error(&text);

    assert_eq!(err.key, "providers.vonage");
    assert_eq!(
        err.message,
        "give exactly one of `api_secret` (literal) or `api_secret_env` (environment variable name)"
    );
}

#[test]
fn unknown_provider_keys_list_the_valid_ones() {
    let text = oncall_with("[providers.smtp]", "[providers.sendgrid]");

    let err = only_oncall_error(&text);

    assert_eq!(err.line, line_of(&text, "[providers.sendgrid]"));
    assert!(
        err.message.contains(
            "unknown field `sendgrid`, expected one of `public_url`, `twilio`, `vonage`, `smtp`"
        ),
        "{}",
        err.message
    );
}
