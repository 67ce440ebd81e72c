//! `[discord]` and the Discord token and public key from the environment.

use super::*;

fn with_env(text: &str, vars: &[(&str, &str)]) -> Result<Loaded, ConfigErrors> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Loaded::parse(text, FILE, &move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

const TOKEN: (&str, &str) = (
    "FIREBELL_DISCORD_TOKEN",
    "MTIzNDU2Nzg5MDEy.GhIjKl.abcdefghijklmnopqrstuvwxyz012345",
);
const KEY: (&str, &str) = (
    "FIREBELL_DISCORD_PUBLIC_KEY",
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
);

#[test]
fn discord_is_off_without_a_token() {
    assert!(with_env(VALID, &[KEY]).expect("valid").discord.is_none());
}

#[test]
fn a_token_turns_discord_on_with_the_defaults() {
    let d = with_env(VALID, &[TOKEN])
        .expect("valid")
        .discord
        .expect("on");
    assert_eq!(d.api_url, "https://discord.com");
    assert_eq!(
        d.public_key, None,
        "no interactions endpoint without the key"
    );
    assert_eq!(
        (d.storm_after, d.storm_window),
        (3, chrono::Duration::minutes(2))
    );
    let d = with_env(VALID, &[(TOKEN.0, &format!("Bot {}", TOKEN.1)), KEY])
        .expect("valid")
        .discord
        .expect("on");
    assert_eq!(
        d.token.expose(),
        TOKEN.1,
        "a pasted `Bot ` prefix is dropped"
    );
    assert_eq!(d.public_key.as_deref(), Some(&*KEY.1.to_ascii_lowercase()));
}

#[test]
fn a_discord_section_without_a_token_says_which_variable_to_set() {
    let text = format!("{VALID}\n[discord]\nstorm_after = 5\n");
    let errs = with_env(&text, &[]).expect_err("no token").0;
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].message.contains("FIREBELL_DISCORD_TOKEN"),
        "{}",
        errs[0].message
    );
    assert_eq!(errs[0].line, line_of(&text, "[discord]"));
}

#[test]
fn a_client_secret_or_a_short_key_is_reported() {
    let text = format!("{VALID}\n[discord]\nstorm_window = \"3h\"\n");
    let errs = with_env(
        &text,
        &[
            ("FIREBELL_DISCORD_TOKEN", "client-secret-not-a-token"),
            ("FIREBELL_DISCORD_PUBLIC_KEY", "abc123"),
        ],
    )
    .expect_err("invalid")
    .0;
    let all: String = errs
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("does not look like a bot token"), "{all}");
    assert!(all.contains("64 hex digits"), "{all}");
    assert!(
        errs.iter().any(|e| e.key == "discord.storm_window"),
        "{errs:#?}"
    );
}
