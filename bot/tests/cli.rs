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

#[test]
fn migrate_against_an_unreachable_database_fails_without_printing_its_password() {
    let out = Command::new(env!("CARGO_BIN_EXE_firebell"))
        .arg("migrate")
        .arg("--database-url")
        .arg("postgres://u:s3cretpw@127.0.0.1:1/db")
        .env("RUST_LOG", "trace")
        .output()
        .expect("run firebell migrate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "migrate succeeded:\n{text}");
    assert!(
        !text.contains("s3cretpw"),
        "the password is printed:\n{text}"
    );
    assert!(
        text.contains("postgres://u:****@127.0.0.1:1/db"),
        "the error names the database, password masked:\n{text}"
    );
}

#[test]
fn help_does_not_print_the_database_password_from_the_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_firebell"))
        .arg("--help")
        .env(
            "FIREBELL_DATABASE_URL",
            "postgres://u:s3cretpw@db.internal/firebell",
        )
        .output()
        .expect("run firebell --help");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("FIREBELL_DATABASE_URL"), "{text}");
    assert!(
        !text.contains("s3cretpw"),
        "the password is printed:\n{text}"
    );
}
