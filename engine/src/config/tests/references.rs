//! Unknown keys and dangling references: each names its line, key and what would be valid.

use super::*;

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
    assert_eq!(
        config.rooms["ops"].channel(ChatPlatform::Slack),
        Some("C0OPS")
    );
    assert_eq!(
        config.rooms["ops"].channel(ChatPlatform::Discord),
        Some("100000000000000001")
    );
    assert_eq!(config.rooms["dba"].channel(ChatPlatform::Discord), None);
    let user_ids: Vec<&str> = config.users.keys().map(UserId::as_str).collect();
    assert_eq!(user_ids, vec!["alice", "bob", "carol"]);
    assert_eq!(
        config.user("alice").map(|u| u.name.as_str()),
        Some("Alice Adams")
    );
    let policy = &config.escalation_policies["default"];
    assert_eq!(policy.repeat, 1);
    let user = |id: &str| Target::User(UserId::new(id));
    let level_targets: Vec<&[Target]> = policy.levels.iter().map(|l| &l.targets[..]).collect();
    assert_eq!(
        level_targets,
        vec![&[user("alice")][..], &[user("bob"), user("carol")][..]]
    );
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
fn unknown_bare_target_in_a_policy_level_lists_defined_users_and_schedules() {
    let text = valid_with("[\"bob\", \"carol\"]", "[\"bob\", \"dave\"]");

    let err = only_error(&text);

    assert_eq!(err.key, "escalation_policies.default.levels[1].targets");
    assert_eq!(err.line, line_of(&text, "\"dave\""));
    assert_eq!(
        err.message,
        "unknown user or schedule `dave` — defined users: alice, bob, carol; defined schedules: \
         none are defined (write `user:NAME` or `schedule:NAME` to say which)"
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
