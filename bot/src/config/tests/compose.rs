//! One list for the whole file: the engine's problems and each edge's, in file order, and the
//! shape problems serde finds reported once, whoever's table they are in.

use super::*;

#[test]
fn problems_of_the_engine_and_of_the_edges_come_in_file_order() {
    let text = format!(
        "[providers.vonage]\napi_key = \"\"\napi_secret = \"s3cret\"\nfrom = \"firebell\"\n\
         {}\n[email]\ndomain = \"not a domain\"\n",
        VALID.replacen(
            "timezone = \"Europe/Berlin\"",
            "timezone = \"Mars/Olympus\"",
            1
        )
    );

    let keys: Vec<String> = errors(&text).into_iter().map(|e| e.key).collect();

    assert_eq!(
        keys,
        [
            "providers.vonage.api_key",
            "users.alice.timezone",
            "email.domain"
        ]
    );
}

#[test]
fn a_misspelt_top_level_table_lists_every_valid_one() {
    let text = format!("{VALID}\n[slak]\nmode = \"socket\"\n");

    let err = only_error(&text);

    assert_eq!(err.line, line_of(&text, "[slak]"));
    assert!(
        err.message.contains(
            "unknown field `slak`, expected one of `console`, `api`, `rooms`, `users`, \
             `services`, `escalation_policies`, `schedules`, `providers`, `slack`, `discord`, \
             `reports`, `heartbeats`, `webhooks`, `email`"
        ),
        "{}",
        err.message
    );
}

#[test]
fn a_misspelt_key_in_an_edge_table_is_reported_once() {
    let text = format!(
        "{VALID}\n[email]\ndomain = \"alerts.example.com\"\nlog_retention = \"7d\"\nmax_sise = \"1MB\"\n"
    );

    let err = only_error(&text);

    assert_eq!(err.line, line_of(&text, "max_sise"));
    assert!(
        err.message.contains("unknown field `max_sise`"),
        "{}",
        err.message
    );
}
