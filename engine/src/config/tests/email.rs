//! `[services.NAME.email]`: what a valid file becomes, and each mistake with its line. (The SMTP
//! listener's keys, and the tables read together with them, are tested in `bot`'s config.)

use super::*;

/// The README's Nagios example on `web`, the listener on, `db` on its default address.
fn with_email() -> String {
    format!("{VALID}{}", include_str!("email.toml"))
}

#[test]
fn a_bad_regex_names_its_line_and_the_problem() {
    let text = with_email().replace(r#"regex = "Host: (\\S+)""#, r#"regex = "Host: (\\S+""#);
    let e = only_error(&text);
    assert_eq!(e.line, line_of(&text, "fields = { host"));
    assert_eq!(e.key, "services.web.email.rules[0].fields.host.regex");
    assert!(e.message.contains("is not a valid regex"), "{e}");
    assert!(e.message.contains("unclosed group"), "{e}");
}

#[test]
fn an_unknown_part_lists_the_parts() {
    let text = with_email().replace(
        r#"{ part = "subject", contains = "RECOVERY" }"#,
        r#"{ part = "to", contains = "RECOVERY" }"#,
    );
    let e = only_error(&text);
    assert_eq!(e.line, line_of(&text, r#"part = "to""#));
    assert_eq!(e.key, "services.web.email.rules[1].match[0].part");
    assert_eq!(e.message, "unknown part `to` — use subject, body, from");
}

#[test]
fn a_rule_without_predicates_is_refused() {
    let text = with_email().replace(
        r#"match = [{ part = "subject", contains = "RECOVERY" }]"#,
        "match = []",
    );
    let e = only_error(&text);
    assert_eq!(e.key, "services.web.email.rules[1]");
    assert!(e.message.contains("needs at least one predicate"), "{e}");
    let text = with_email().replace(
        r#"match = [{ part = "subject", contains = "RECOVERY" }]"#,
        "",
    );
    assert!(
        only_error(&text)
            .message
            .contains("needs at least one predicate")
    );
}

#[test]
fn a_predicate_needs_exactly_one_matcher() {
    let text = with_email().replace(
        r#"{ part = "subject", contains = "RECOVERY" }"#,
        r#"{ part = "subject", contains = "RECOVERY", regex = "x" }"#,
    );
    let e = only_error(&text);
    assert_eq!(e.key, "services.web.email.rules[1].match[0]");
    assert!(
        e.message
            .contains("exactly one of `contains`, `exactly`, `regex` or `not"),
        "{e}"
    );
}

#[test]
fn a_misspelt_matcher_is_an_unknown_field_on_its_line() {
    let text = with_email().replace(
        r#"{ part = "subject", contains = "RECOVERY" }"#,
        r#"{ part = "subject", contain = "RECOVERY" }"#,
    );
    let e = only_error(&text);
    assert_eq!(e.line, line_of(&text, "contain = "));
    assert!(e.message.contains("unknown field `contain`"), "{e}");
}

#[test]
fn two_services_cannot_share_an_address() {
    let text = format!("{VALID}\n[services.db.email]\naddress = \"web\"\n");
    let e = only_error(&text);
    assert_eq!(e.line, line_of(&text, "address = \"web\""));
    assert_eq!(e.key, "services.db.email.address");
    assert!(
        e.message.contains("is service `web`'s default address"),
        "{e}"
    );
    let text = format!(
        "{VALID}\n[services.db.email]\naddress = \"ops\"\n[services.web.email]\naddress = \"ops\"\n"
    );
    let e = only_error(&text);
    assert_eq!(e.key, "services.web.email.address");
    assert!(
        e.message.contains("already receives mail for service `db`"),
        "{e}"
    );
}

#[test]
fn fallback_without_rules_and_fields_on_resolve_rules_are_refused() {
    let text = format!("{VALID}\n[services.db.email]\nfallback = \"discard\"\n");
    assert!(
        only_error(&text)
            .message
            .contains("this service has no [[rules]]")
    );
    let text = with_email().replacen(
        r#"action = "resolve""#,
        "action = \"resolve\"\nfields = { host = { part = \"body\" } }",
        1,
    );
    let e = only_error(&text);
    assert_eq!(e.key, "services.web.email.rules[1].fields.host");
    assert!(e.message.contains("a `resolve` rule has none"), "{e}");
}
