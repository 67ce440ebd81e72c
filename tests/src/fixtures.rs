//! The standard test configuration and recorded payloads.

use std::path::PathBuf;

use firebell::Loaded;
use firebell_engine::Config;

/// Integration key of service `web` (also the key Alertmanager used in the recorded fixtures).
pub const WEB_KEY: &str = "R0UT1NGKEY0000000000000000000000";
/// Integration key of service `db`.
pub const DB_KEY: &str = "DBKEY000000000000000000000000001";
/// Bearer token accepted by the API.
pub const API_TOKEN: &str = "test-token-0123456789abcdef";

/// A small installation: two services in one room, three users, the console acting as alice.
pub fn config_toml() -> String {
    format!(
        r#"
[console]
user = "alice"

[api]
tokens = [{{ name = "ci", token = "{API_TOKEN}" }}]

[rooms.ops]
slack = "C0OPS"
discord = "100000000000000001"

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
levels = [{{ targets = ["alice"], delay_minutes = 15 }}, {{ targets = ["bob", "carol"], delay_minutes = 15 }}]
repeat = 1

[services.web]
description = "Public website"
integration_keys = ["{WEB_KEY}"]
room = "ops"
escalation_policy = "default"
events_per_minute = 100000

[services.db]
description = "Primary database"
integration_keys = ["{DB_KEY}"]
room = "ops"
escalation_policy = "default"
events_per_minute = 100000
"#
    )
}

/// Room `data`'s Slack channel in [`config_toml_two_rooms`].
pub const DATA_SLACK: &str = "C0DATA";
/// Room `data`'s Discord channel in [`config_toml_two_rooms`].
pub const DATA_DISCORD: &str = "100000000000000002";

/// The standard installation with two teams: `web` posts to room `ops` as before, `db` to a room
/// of its own, `data` (Slack [`DATA_SLACK`], Discord [`DATA_DISCORD`]).
pub fn config_toml_two_rooms() -> String {
    let db_in_ops = format!(
        "[services.db]\ndescription = \"Primary database\"\nintegration_keys = [\"{DB_KEY}\"]\nroom = \"ops\""
    );
    let base = config_toml();
    assert!(base.contains(&db_in_ops), "the standard config changed");
    base.replace(&db_in_ops, &db_in_ops.replace("\"ops\"", "\"data\""))
        + &format!("\n[rooms.data]\nslack = \"{DATA_SLACK}\"\ndiscord = \"{DATA_DISCORD}\"\n")
}

pub fn config() -> Config {
    loaded().engine
}

/// The standard test configuration as the app is started with it (no chat platform or
/// provider configured).
pub fn loaded() -> Loaded {
    Loaded::parse(&config_toml(), "test.toml", &|_| None).expect("test config is valid")
}

/// `tests/fixtures/<rel>` (recorded payloads kept in the repository) parsed as JSON.
pub fn recorded(rel: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}
