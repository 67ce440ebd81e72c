//! `[slack]` and the Slack tokens from the environment.

use super::*;
use firebell_adapters::slack::SlackMode;

fn with_env(text: &str, vars: &[(&str, &str)]) -> Result<Loaded, ConfigErrors> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Loaded::parse(text, FILE, &move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

const BOT: (&str, &str) = ("FIREBELL_SLACK_BOT_TOKEN", "xoxb-1-2-abc");
const APP: (&str, &str) = ("FIREBELL_SLACK_APP_TOKEN", "xapp-1-A1-abc");
const SECRET: (&str, &str) = (
    "FIREBELL_SLACK_SIGNING_SECRET",
    "8f742231b10e8888abcd99yyyzzz85a5",
);

#[test]
fn slack_is_off_without_a_bot_token() {
    let c = with_env(VALID, &[APP, SECRET]).expect("valid");
    assert!(c.slack.is_none());
}

#[test]
fn the_mode_follows_the_tokens_that_are_set() {
    let socket = with_env(VALID, &[BOT, APP])
        .expect("valid")
        .slack
        .expect("on");
    assert_eq!(socket.mode, SlackMode::Socket);
    assert_eq!(socket.api_url, "https://slack.com/api");
    assert_eq!(
        (socket.storm_after, socket.storm_window),
        (3, chrono::Duration::minutes(2))
    );
    let events = with_env(VALID, &[BOT, SECRET])
        .expect("valid")
        .slack
        .expect("on");
    assert_eq!(events.mode, SlackMode::Events);
    assert_eq!(
        events
            .signing_secret
            .map(|s| s.expose().to_owned())
            .as_deref(),
        Some(SECRET.1)
    );
}

#[test]
fn a_slack_section_without_a_bot_token_says_which_variable_to_set() {
    let text = format!("{VALID}\n[slack]\nmode = \"socket\"\n");
    let errs = with_env(&text, &[APP]).expect_err("no bot token").0;
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].message.contains("FIREBELL_SLACK_BOT_TOKEN"),
        "{}",
        errs[0].message
    );
    assert_eq!(errs[0].line, line_of(&text, "[slack]"));
}

#[test]
fn a_bot_token_alone_asks_for_a_way_in() {
    let errs = with_env(VALID, &[BOT]).expect_err("no way in").0;
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].message.contains("FIREBELL_SLACK_APP_TOKEN"),
        "{}",
        errs[0].message
    );
    assert!(
        errs[0].message.contains("FIREBELL_SLACK_SIGNING_SECRET"),
        "{}",
        errs[0].message
    );
}

#[test]
fn wrong_tokens_modes_and_storm_settings_are_each_reported() {
    let text = format!(
        "{VALID}\n[slack]\nmode = \"websocket\"\nstorm_after = 0\nstorm_window = \"2x\"\napi_url = \"slack.com\"\n"
    );
    let errs = with_env(
        &text,
        &[
            ("FIREBELL_SLACK_BOT_TOKEN", "xoxp-user-token"),
            ("FIREBELL_SLACK_APP_TOKEN", "xoxb-wrong"),
        ],
    )
    .expect_err("invalid")
    .0;
    let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
    for key in [
        "slack.mode",
        "slack.storm_after",
        "slack.storm_window",
        "slack.api_url",
    ] {
        assert!(keys.contains(&key), "{key} reported: {errs:#?}");
    }
    let all: String = errs
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("starts with `xoxb-`"), "{all}");
    assert!(all.contains("starts with `xapp-`"), "{all}");
    assert!(all.contains("use `socket`"), "{all}");
}

#[test]
fn events_mode_needs_the_signing_secret() {
    let text = format!("{VALID}\n[slack]\nmode = \"events\"\n");
    let errs = with_env(&text, &[BOT, APP]).expect_err("no secret").0;
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].message.contains("FIREBELL_SLACK_SIGNING_SECRET"),
        "{}",
        errs[0].message
    );
}
