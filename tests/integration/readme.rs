//! The README is part of the product: its command table is generated from the command metadata,
//! and its demo config must stay valid.

use std::path::PathBuf;

fn repo_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn readme_command_table_matches_the_command_metadata() {
    let readme = repo_file("README.md");
    let begin = "<!-- commands:begin -->\n";
    let end = "<!-- commands:end -->";
    let start = readme
        .find(begin)
        .expect("README has the commands:begin marker")
        + begin.len();
    let stop = readme
        .find(end)
        .expect("README has the commands:end marker");
    let table = &readme[start..stop];
    assert_eq!(
        table.trim(),
        firebell_commands::markdown_table().trim(),
        "README's command table is stale; paste the output of firebell_commands::markdown_table()"
    );
}

#[test]
fn the_demo_config_is_valid() {
    let text = repo_file("firebell.toml");
    let config =
        firebell::Loaded::parse(&text, "firebell.toml", &|_| None).expect("demo config is valid");
    assert!(
        config.engine.console.user.is_some(),
        "the demo opens the console as a user"
    );
    assert!(
        config
            .engine
            .service_for_key("webdemo0000000000000000000000000")
            .is_some(),
        "the README tour's key works"
    );
    assert!(
        config.engine.authenticate("demo-token-change-me").is_some(),
        "the README tour's token works"
    );
}

/// `cargo test -p firebell-tests --test integration print_command_table -- --ignored --nocapture`
/// prints the table to paste into the README.
#[test]
#[ignore = "a tool, not a test"]
fn print_command_table() {
    println!("{}", firebell_commands::markdown_table());
}
