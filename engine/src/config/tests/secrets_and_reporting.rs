//! Secrets from the environment, value limits, and how several errors are reported.

use super::*;

#[test]
fn token_env_naming_an_unset_variable_is_an_error() {
    let text = valid_with(
        "token = \"test-token-0123456789abcdef\"",
        "token_env = \"FIREBELL_CI_TOKEN\"",
    );

    let errs = parse_env(&text, &|_| None).expect_err("unset variable").0;

    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].key, "api.tokens[0].token_env");
    assert_eq!(errs[0].line, line_of(&text, "FIREBELL_CI_TOKEN"));
    assert_eq!(
        errs[0].message,
        "environment variable `FIREBELL_CI_TOKEN` is not set"
    );
}

#[test]
fn token_env_naming_a_set_variable_supplies_the_token() {
    let text = valid_with(
        "token = \"test-token-0123456789abcdef\"",
        "token_env = \"FIREBELL_CI_TOKEN\"",
    );
    let env =
        |name: &str| (name == "FIREBELL_CI_TOKEN").then(|| "from-the-environment-42".to_owned());

    let config = parse_env(&text, &env).expect("variable is set");

    assert_eq!(
        config
            .authenticate("from-the-environment-42")
            .map(|t| t.name.as_str()),
        Some("ci")
    );
    assert!(
        config.authenticate("FIREBELL_CI_TOKEN").is_none(),
        "the variable name is not the token"
    );
}

#[test]
fn token_shorter_than_16_characters_is_rejected() {
    let text = valid_with(TOKEN, "fifteen-chars15");

    let err = only_error(&text);

    assert_eq!(err.key, "api.tokens[0]");
    assert_eq!(err.line, line_of(&text, "fifteen-chars15"));
    assert_eq!(
        err.message,
        "API tokens must be at least 16 characters long"
    );
}

#[test]
fn token_with_both_or_neither_of_token_and_token_env_is_rejected() {
    let both = valid_with("token = \"test", "token_env = \"X\", token = \"test");
    let neither = valid_with(", token = \"test-token-0123456789abcdef\"", "");
    let env = |name: &str| (name == "X").then(|| "value-of-the-variable-x".to_owned());

    let both_errs = parse_env(&both, &env).expect_err("both given").0;
    let neither_err = only_error(&neither);

    let expected =
        "give exactly one of `token` (literal) or `token_env` (environment variable name)";
    assert_eq!(both_errs.len(), 1, "{both_errs:#?}");
    assert_eq!(
        (both_errs[0].key.as_str(), both_errs[0].message.as_str()),
        ("api.tokens[0]", expected)
    );
    assert_eq!(both_errs[0].line, line_of(&both, "tokens ="));
    assert_eq!(
        (neither_err.key.as_str(), neither_err.message.as_str()),
        ("api.tokens[0]", expected)
    );
    assert_eq!(neither_err.line, line_of(&neither, "tokens ="));
}

#[test]
fn repeat_above_nine_is_rejected() {
    let text = valid_with("repeat = 1", "repeat = 10");

    let err = only_error(&text);

    assert_eq!(err.key, "escalation_policies.default.repeat");
    assert_eq!(err.line, line_of(&text, "repeat = 10"));
    assert_eq!(err.message, "repeat must be between 0 and 9");
}

#[test]
fn policy_without_levels_is_reported_at_the_policy() {
    let text = valid_with(
        "levels = [{ targets = [\"alice\"], delay_minutes = 15 }, { targets = [\"bob\", \"carol\"], delay_minutes = 15 }]",
        "levels = []",
    );

    let err = only_error(&text);

    assert_eq!(err.key, "escalation_policies.default.levels");
    assert_eq!(err.message, "a policy needs at least one level");
    let policy_line = line_of(&text, "[escalation_policies.default]");
    assert!(
        (policy_line..=policy_line + 2).contains(&err.line),
        "line {} is not near the policy",
        err.line
    );
}

#[test]
fn several_errors_are_all_reported_sorted_by_line() {
    let text = VALID
        .replacen("user = \"alice\"", "user = \"nobody\"", 1)
        .replacen("America/New_York", "Mars/Olympus", 1)
        .replacen("repeat = 1", "repeat = 12", 1)
        .replacen("room = \"ops\"", "room = \"war-room\"", 1)
        .replacen(DB_KEY, "short", 1);

    let errs = errors(&text);

    let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.key.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (line_of(&text, "nobody"), "console.user"),
            (line_of(&text, "Mars/Olympus"), "users.bob.timezone"),
            (
                line_of(&text, "repeat = 12"),
                "escalation_policies.default.repeat"
            ),
            (line_of(&text, "war-room"), "services.web.room"),
            (line_of(&text, "\"short\""), "services.db.integration_keys"),
        ]
    );
    assert!(errs.iter().all(|e| e.file == FILE));
}

#[test]
fn errors_display_as_file_line_column_key_and_message() {
    let text = valid_with("room = \"dba\"", "room = \"dbas\"");
    let line = line_of(&text, "room = \"dbas\"");

    let shown = parse(&text).expect_err("unknown room").to_string();

    assert_eq!(
        shown,
        format!("{FILE}:{line}:8: services.db.room: unknown room `dbas` — defined rooms: dba, ops")
    );
}

#[test]
fn toml_syntax_error_reports_its_line() {
    let text = "[rooms.ops]\nslack = \"C0OPS\"\n[users.alice\nname = \"Alice\"\n";

    let err = only_error(text);

    assert_eq!(err.file, FILE);
    assert_eq!(err.line, 3);
    assert!(err.message.contains("expected `]`"), "{}", err.message);
}
