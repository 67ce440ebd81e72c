//! Lookups on a valid config: keys, tokens, chat ids.

use super::*;

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
