//! The `firebell` binary from the outside: its commands and exit codes. Having an integration test
//! here also makes `cargo test --workspace` build `target/<profile>/firebell`, which the
//! multi-process tests in `tests/` spawn.

use std::process::Command;

#[test]
fn check_accepts_the_demo_config_and_says_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_firebell"))
        .arg("check")
        .arg("--config")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../firebell.toml"))
        .output()
        .expect("run firebell check");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "firebell check failed:\n{text}");
}
