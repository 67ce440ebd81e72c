//! `[heartbeats.NAME]` in the config: what a valid table becomes, and each mistake `firebell
//! check` reports with its line, key, and what would be right.

use chrono::Duration;
use firebell::Loaded;
use firebell_engine::Severity;
use firebell_tests::fixtures::config_toml;

use super::{HOURLY_KEY, NIGHTLY_KEY, config};

/// The messages for `extra` appended to the fixture, as `(line, key, message)`.
fn errors(extra: &str) -> Vec<(usize, String, String)> {
    let toml = format!("{}\n{extra}", config_toml());
    let errs = Loaded::parse(&toml, "bad.toml", &|_| None)
        .expect_err("invalid")
        .0;
    errs.into_iter()
        .map(|e| (e.line, e.key, e.message))
        .collect()
}

/// The 1-based line of `needle` in the fixture plus `extra`.
fn line_of(extra: &str, needle: &str) -> usize {
    let toml = format!("{}\n{extra}", config_toml());
    toml.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no `{needle}`"))
}

#[test]
fn a_heartbeat_table_becomes_a_heartbeat_with_defaults_filled_in() {
    let config = config().engine;
    let nightly = config.heartbeat("backup-nightly").expect("nightly");
    assert_eq!(nightly.service.as_str(), "db");
    assert_eq!(nightly.interval, Duration::hours(24));
    assert_eq!(nightly.grace, Duration::hours(2));
    assert_eq!(nightly.severity, Severity::Critical);
    assert_eq!(nightly.what(), "backup-nightly");
    let hourly = config.heartbeat("sync-hourly").expect("hourly");
    assert_eq!(
        hourly.grace,
        Duration::minutes(6),
        "a tenth of the interval"
    );
    assert_eq!(hourly.severity, Severity::Warning);
    assert_eq!(hourly.what(), "Hourly CRM sync");
    // Keys find their heartbeat (the one from the environment too); nothing else does.
    assert_eq!(
        config
            .heartbeat_for_key(NIGHTLY_KEY)
            .map(|h| h.name.as_str()),
        Some("backup-nightly")
    );
    assert_eq!(
        config
            .heartbeat_for_key(HOURLY_KEY)
            .map(|h| h.name.as_str()),
        Some("sync-hourly")
    );
    assert!(config.heartbeat_for_key("backup-nightly").is_none());
    assert!(config.heartbeat_for_key("").is_none());
    // The key never shows in debug output.
    assert!(!format!("{nightly:?}").contains(NIGHTLY_KEY));
}

#[test]
fn an_unknown_service_names_the_line_and_the_services_that_exist() {
    let extra = "[heartbeats.backup]\nservice = \"dbb\"\ninterval = \"1d\"\nkey = \"0123456789abcdef0123\"\n";
    let errs = errors(extra);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let (line, key, msg) = &errs[0];
    assert_eq!(*line, line_of(extra, "service = \"dbb\""));
    assert_eq!(key, "heartbeats.backup.service");
    assert_eq!(msg, "unknown service `dbb` — defined services: db, web");
}

#[test]
fn zero_or_unknown_intervals_and_negative_graces_say_what_would_be_right() {
    let extra = "[heartbeats.a]\nservice = \"db\"\ninterval = \"0s\"\nkey = \"0123456789abcdef0123\"\n\
                 [heartbeats.b]\nservice = \"db\"\ninterval = \"1h\"\ngrace = \"-5m\"\nkey = \"0123456789abcdef0124\"\n\
                 [heartbeats.c]\nservice = \"db\"\ninterval = \"daily\"\ngrace = \"1x\"\nkey = \"0123456789abcdef0125\"\n";
    let errs = errors(extra);
    let find = |k: &str| {
        errs.iter()
            .find(|e| e.1 == k)
            .unwrap_or_else(|| panic!("no error for {k}: {errs:#?}"))
    };
    let zero = find("heartbeats.a.interval");
    assert_eq!(zero.0, line_of(extra, "interval = \"0s\""));
    assert!(zero.2.contains("shorter than a minute"), "{}", zero.2);
    let negative = find("heartbeats.b.grace");
    assert_eq!(negative.0, line_of(extra, "grace = \"-5m\""));
    assert_eq!(
        negative.2,
        "the grace cannot be negative (got `-5m`) — e.g. `30m`, `2h` or `1d`"
    );
    assert!(find("heartbeats.c.interval").2.contains("try 30m, 1h"));
    assert!(find("heartbeats.c.grace").2.contains("(or `0` for none)"));
    assert_eq!(errs.len(), 4, "{errs:#?}");
}

#[test]
fn two_heartbeats_with_one_key_are_refused_at_the_second() {
    let extra = "[heartbeats.a]\nservice = \"db\"\ninterval = \"1h\"\nkey = \"0123456789abcdef0123\"\n\
                 [heartbeats.b]\nservice = \"web\"\ninterval = \"1h\"\nkey = \"0123456789abcdef0123\" # same\n";
    let errs = errors(extra);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let (line, key, msg) = &errs[0];
    assert_eq!(*line, line_of(extra, "# same"));
    assert_eq!(key, "heartbeats.b.key");
    assert!(msg.contains("already used by heartbeat `a`"), "{msg}");
}

#[test]
fn keys_must_be_given_once_long_enough_url_safe_and_from_a_set_variable() {
    let extra = "[heartbeats.none]\nservice = \"db\"\ninterval = \"1h\"\n\
                 [heartbeats.both]\nservice = \"db\"\ninterval = \"1h\"\nkey = \"0123456789abcdef0123\"\nkey_env = \"X\"\n\
                 [heartbeats.short]\nservice = \"db\"\ninterval = \"1h\"\nkey = \"abc\"\n\
                 [heartbeats.slash]\nservice = \"db\"\ninterval = \"1h\"\nkey = \"0123456789abcdef/0123\"\n\
                 [heartbeats.unset]\nservice = \"db\"\ninterval = \"1h\"\nkey_env = \"HB_UNSET\"\n";
    let errs = errors(extra);
    let msg = |k: &str| {
        errs.iter()
            .find(|e| e.1 == k)
            .map(|e| e.2.clone())
            .unwrap_or_else(|| panic!("no error for {k}: {errs:#?}"))
    };
    assert_eq!(
        msg("heartbeats.none"),
        "give exactly one of `key` (literal) or `key_env` (environment variable name)"
    );
    assert_eq!(msg("heartbeats.both"), msg("heartbeats.none"));
    assert!(msg("heartbeats.short.key").contains("16 to 128 letters, digits, `-` or `_`"));
    assert!(msg("heartbeats.short.key").contains("got 3 characters"));
    assert!(
        !msg("heartbeats.short.key").contains("abc"),
        "never echo a key"
    );
    assert!(msg("heartbeats.slash.key").contains("check-in URL"));
    assert_eq!(
        msg("heartbeats.unset.key_env"),
        "environment variable `HB_UNSET` is not set"
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");
}

#[test]
fn unknown_fields_bad_names_severities_and_summaries_are_refused() {
    let extra = "[heartbeats.\"backup nightly\"]\nservice = \"db\"\ninterval = \"1h\"\nkey = \"0123456789abcdef0123\"\n\
                 [heartbeats.b]\nservice = \"db\"\ninterval = \"1h\"\nkey = \"0123456789abcdef0124\"\nseverity = \"fatal\"\nsummary = \"\"\n";
    let errs = errors(extra);
    let msg = |k: &str| {
        errs.iter()
            .find(|e| e.1 == k)
            .map(|e| e.2.clone())
            .unwrap_or_else(|| panic!("no error for {k}: {errs:#?}"))
    };
    assert!(msg("heartbeats.backup nightly").contains("e.g. `backup-nightly`"));
    assert_eq!(
        msg("heartbeats.b.severity"),
        "unknown severity `fatal` — expected one of: critical, error, warning, info"
    );
    assert!(msg("heartbeats.b.summary").contains("1 to 200 characters"));

    let typo = "[heartbeats.a]\nservice = \"db\"\ninterval = \"1h\"\nkey = \"0123456789abcdef0123\"\ngrace_period = \"5m\"\n";
    let errs = errors(typo);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].0, line_of(typo, "grace_period"));
    assert!(
        errs[0].2.contains("unknown field `grace_period`"),
        "{}",
        errs[0].2
    );
}

#[test]
fn the_demo_config_with_its_heartbeat_example_uncommented_is_valid() {
    let demo = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../firebell.toml"))
        .expect("demo config");
    let start = demo
        .find("# [heartbeats.")
        .expect("the demo config has a commented heartbeat example");
    // The example: the commented lines from its table header on, uncommented.
    let block: String = demo[start..]
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.strip_prefix("# ").unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let toml = format!("{demo}\n{block}\n");
    let config = Loaded::parse(&toml, "firebell.toml", &|name| {
        (name == "FIREBELL_HEARTBEAT_BACKUP").then(|| "0123456789abcdef0123".to_owned())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!config.engine.heartbeats.is_empty());
}
