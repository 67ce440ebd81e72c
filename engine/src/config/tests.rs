//! Config loading: what a valid file becomes, and for each mistake a user can make, the error
//! `firebell check` prints (file, line, key, and what would be valid).

use super::validate::ConfigError;
use super::*;

const FILE: &str = "firebell.toml";
const WEB_KEY: &str = "R0UT1NGKEY0000000000000000000000";
const DB_KEY: &str = "DBKEY000000000000000000000000001";
const TOKEN: &str = "test-token-0123456789abcdef";

/// Shaped like the integration-test fixture: two services in one room, three users, one policy.
const VALID: &str = r#"
[console]
user = "alice"

[api]
tokens = [{ name = "ci", token = "test-token-0123456789abcdef" }]

[rooms.ops]
slack = "C0OPS"
discord = "100000000000000001"

[rooms.dba]
slack = "C0DBA"

[users.alice]
name = "Alice Adams"
timezone = "Europe/Berlin"
slack = "U0ALICE"
discord = "200000000000000001"

[users.bob]
name = "Bob Brown"
timezone = "America/New_York"
slack = "U0BOB"

[users.carol]
name = "Carol Chen"

[escalation_policies.default]
levels = [{ targets = ["alice"], delay_minutes = 15 }, { targets = ["bob", "carol"], delay_minutes = 15 }]
repeat = 1

[services.web]
description = "Public website"
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
escalation_policy = "default"
events_per_minute = 100000

[services.db]
description = "Primary database"
integration_keys = ["DBKEY000000000000000000000000001"]
room = "dba"
"#;

fn parse(text: &str) -> Result<Config, ConfigErrors> {
    Config::parse(text, FILE, &|_| None)
}

fn errors(text: &str) -> Vec<ConfigError> {
    parse(text).expect_err("config should have been rejected").0
}

/// The single error `text` produces (fails if there are none or several).
fn only_error(text: &str) -> ConfigError {
    let mut errs = errors(text);
    assert_eq!(errs.len(), 1, "expected exactly one error, got {errs:#?}");
    errs.remove(0)
}

/// `VALID` with `from` replaced by `to` (fails if `from` is not in it, so a typo here cannot turn
/// a test into one that checks the valid file).
fn valid_with(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "`{from}` is not in the valid config");
    VALID.replacen(from, to, 1)
}

/// 1-based number of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in text"))
        + 1
}

#[test]
fn fixture_like_config_parses_into_services_rooms_users_policies_and_tokens() {
    let config = parse(VALID).expect("valid config");

    assert_eq!(config.source, FILE);
    assert_eq!(config.service_names(), vec!["db", "web"]);
    let web = config.service("web").expect("web");
    assert_eq!(web.description, "Public website");
    assert_eq!(web.room, "ops");
    assert_eq!(web.escalation_policy.as_deref(), Some("default"));
    assert_eq!(web.events_per_minute, 100_000);
    assert_eq!(
        web.integration_keys
            .iter()
            .map(RoutingKey::as_str)
            .collect::<Vec<_>>(),
        vec![WEB_KEY]
    );
    let db = config.service("db").expect("db");
    assert_eq!(db.escalation_policy, None);
    assert_eq!(db.events_per_minute, DEFAULT_EVENTS_PER_MINUTE);
    assert_eq!(config.rooms["ops"].slack_channel.as_deref(), Some("C0OPS"));
    assert_eq!(
        config.rooms["ops"].discord_channel.as_deref(),
        Some("100000000000000001")
    );
    assert_eq!(config.rooms["dba"].discord_channel, None);
    let user_ids: Vec<&str> = config.users.keys().map(UserId::as_str).collect();
    assert_eq!(user_ids, vec!["alice", "bob", "carol"]);
    assert_eq!(
        config.user("alice").map(|u| u.name.as_str()),
        Some("Alice Adams")
    );
    let policy = &config.escalation_policies["default"];
    assert_eq!(policy.repeat, 1);
    let level_targets: Vec<Vec<&str>> = policy
        .levels
        .iter()
        .map(|l| l.targets.iter().map(UserId::as_str).collect())
        .collect();
    assert_eq!(level_targets, vec![vec!["alice"], vec!["bob", "carol"]]);
    assert_eq!(policy.levels[0].delay_minutes, 15);
    assert_eq!(
        config.console.user.as_ref().map(UserId::as_str),
        Some("alice")
    );
    assert_eq!(config.api_tokens.len(), 1);
    assert_eq!(config.api_tokens[0].name, "ci");
}

#[test]
fn user_time_zones_are_parsed_and_default_to_utc() {
    let config = parse(VALID).expect("valid config");

    let tz = |id: &str| config.user(id).map(|u| u.timezone);

    assert_eq!(tz("alice"), Some(chrono_tz::Europe::Berlin));
    assert_eq!(tz("bob"), Some(chrono_tz::America::New_York));
    assert_eq!(tz("carol"), Some(chrono_tz::UTC));
}

#[test]
fn unknown_top_level_key_is_reported_at_its_line_with_the_valid_keys() {
    let text = valid_with("[console]", "colour = \"red\"\n\n[console]");

    let err = only_error(&text);

    assert_eq!(err.file, FILE);
    assert_eq!(err.line, line_of(&text, "colour ="));
    assert!(
        err.message.contains("unknown field `colour`"),
        "{}",
        err.message
    );
    assert!(
        err.message
            .contains("expected one of `console`, `api`, `rooms`, `users`, `services`"),
        "{}",
        err.message
    );
}

#[test]
fn unknown_key_inside_a_service_is_reported_at_its_line_with_the_valid_keys() {
    let text = valid_with("room = \"dba\"", "room = \"dba\"\nowner = \"bob\"");

    let err = only_error(&text);

    assert_eq!(err.file, FILE);
    assert_eq!(err.line, line_of(&text, "owner ="));
    assert!(
        err.message.contains("unknown field `owner`"),
        "{}",
        err.message
    );
    assert!(
        err.message
            .contains("`integration_keys`, `room`, `escalation_policy`"),
        "{}",
        err.message
    );
}

#[test]
fn unknown_key_errors_name_the_dotted_key_path() {
    let top = valid_with("[console]", "colour = \"red\"\n\n[console]");
    let nested = valid_with("room = \"dba\"", "room = \"dba\"\nowner = \"bob\"");

    let top_err = only_error(&top);
    let nested_err = only_error(&nested);

    assert_eq!(top_err.key, "colour");
    assert_eq!(nested_err.key, "services.db.owner");
}

#[test]
fn service_room_that_does_not_exist_lists_defined_rooms_at_the_room_line() {
    let text = valid_with("room = \"dba\"", "room = \"dbas\"");

    let err = only_error(&text);

    assert_eq!(
        (err.file.as_str(), err.key.as_str()),
        (FILE, "services.db.room")
    );
    assert_eq!(err.line, line_of(&text, "room = \"dbas\""));
    assert_eq!(err.column, "room = ".len() + 1, "points at the value");
    assert_eq!(err.message, "unknown room `dbas` — defined rooms: dba, ops");
}

#[test]
fn unknown_escalation_policy_lists_defined_policies() {
    let text = valid_with(
        "escalation_policy = \"default\"",
        "escalation_policy = \"defualt\"",
    );

    let err = only_error(&text);

    assert_eq!(err.key, "services.web.escalation_policy");
    assert_eq!(err.line, line_of(&text, "defualt"));
    assert_eq!(
        err.message,
        "unknown escalation policy `defualt` — defined policies: default"
    );
}

#[test]
fn unknown_user_in_a_policy_level_lists_defined_users() {
    let text = valid_with("[\"bob\", \"carol\"]", "[\"bob\", \"dave\"]");

    let err = only_error(&text);

    assert_eq!(err.key, "escalation_policies.default.levels[1].targets");
    assert_eq!(err.line, line_of(&text, "\"dave\""));
    assert_eq!(
        err.message,
        "unknown user `dave` — defined users: alice, bob, carol"
    );
}

#[test]
fn unknown_console_user_lists_defined_users() {
    let text = valid_with("user = \"alice\"", "user = \"alcie\"");

    let err = only_error(&text);

    assert_eq!(err.key, "console.user");
    assert_eq!(err.line, line_of(&text, "alcie"));
    assert_eq!(
        err.message,
        "unknown user `alcie` — defined users: alice, bob, carol"
    );
}

#[test]
fn integration_key_of_wrong_length_says_it_needs_32_letters_or_digits() {
    let text = valid_with(DB_KEY, "DBKEY0001");

    let err = only_error(&text);

    assert_eq!(err.key, "services.db.integration_keys");
    assert_eq!(err.line, line_of(&text, "DBKEY0001"));
    assert_eq!(
        err.message,
        "an integration key is exactly 32 letters or digits (got 9 characters)"
    );
}

#[test]
fn the_same_integration_key_on_two_services_names_the_other_service() {
    let text = valid_with(DB_KEY, WEB_KEY);

    let err = only_error(&text);

    assert_eq!(err.key, "services.web.integration_keys");
    assert_eq!(
        err.line,
        line_of(&text, "[services.web]") + 2,
        "the key line of the service named in `key`"
    );
    assert_eq!(
        err.message,
        "this key is already used by service `db`; every key routes to one service"
    );
}

#[test]
fn bad_time_zone_suggests_iana_names() {
    let text = valid_with("America/New_York", "Eastern");

    let err = only_error(&text);

    assert_eq!(err.key, "users.bob.timezone");
    assert_eq!(err.line, line_of(&text, "\"Eastern\""));
    assert_eq!(
        err.message,
        "unknown time zone `Eastern` — use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`"
    );
}

#[test]
fn token_env_naming_an_unset_variable_is_an_error() {
    let text = valid_with(
        "token = \"test-token-0123456789abcdef\"",
        "token_env = \"FIREBELL_CI_TOKEN\"",
    );

    let errs = Config::parse(&text, FILE, &|_| None)
        .expect_err("unset variable")
        .0;

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

    let config = Config::parse(&text, FILE, &env).expect("variable is set");

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
    let env = |_: &str| Some("value-of-the-variable-x".to_owned());

    let both_errs = Config::parse(&both, FILE, &env).expect_err("both given").0;
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

#[test]
fn service_for_key_finds_the_owning_service_and_rejects_a_near_miss() {
    let config = parse(VALID).expect("valid config");
    let near_miss = format!("{}2", &DB_KEY[..31]);

    let found = |key: &str| config.service_for_key(key).map(|s| s.name.as_str());

    assert_eq!(found(WEB_KEY), Some("web"));
    assert_eq!(found(DB_KEY), Some("db"));
    assert_eq!(found(&near_miss), None);
    assert_eq!(found(&DB_KEY[..31]), None, "a prefix is not the key");
    assert_eq!(
        found(&WEB_KEY.to_lowercase()),
        None,
        "keys are case-sensitive"
    );
    assert_eq!(found(""), None);
}

#[test]
fn authenticate_accepts_the_configured_token_and_rejects_others() {
    let config = parse(VALID).expect("valid config");

    let name = |t: &str| config.authenticate(t).map(|t| t.name.as_str());

    assert_eq!(name(TOKEN), Some("ci"));
    assert_eq!(name(&TOKEN[..TOKEN.len() - 1]), None);
    assert_eq!(name(&format!("{TOKEN}x")), None);
    assert_eq!(name(""), None);
    assert!(
        !format!("{:?}", config.api_tokens[0]).contains(TOKEN),
        "Debug must not print the secret"
    );
}

#[test]
fn user_by_chat_id_finds_users_per_platform() {
    let config = parse(VALID).expect("valid config");

    let find = |p: ChatPlatform, id: &str| config.user_by_chat_id(p, id).map(|u| u.id.as_str());

    assert_eq!(find(ChatPlatform::Slack, "U0BOB"), Some("bob"));
    assert_eq!(find(ChatPlatform::Slack, "U0ALICE"), Some("alice"));
    assert_eq!(
        find(ChatPlatform::Discord, "200000000000000001"),
        Some("alice")
    );
    assert_eq!(
        find(ChatPlatform::Discord, "U0BOB"),
        None,
        "a Slack id is not a Discord id"
    );
    assert_eq!(find(ChatPlatform::Slack, "U0CAROL"), None);
}
