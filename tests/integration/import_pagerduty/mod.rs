//! `firebell import pagerduty`: reads users, schedules, escalation policies and services from a
//! fake PagerDuty REST API v2 (recorded-shape fixtures) and writes a `firebell.toml` that
//! firebell's own loader accepts, with a comment for everything that cannot be carried over.

mod dst;
mod fake;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use fake::{Behaviour, FakePagerDuty, TOKEN};
use firebell::Loaded;
use firebell::import::{PagerDutyImport, Retry};

/// A fresh, empty directory for one test's output.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "firebell-import-{}-{name}-{}",
        std::process::id(),
        uuid_like()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// When the import runs: before the DST fixture's window, after the old layer ended.
pub fn import_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-02-15T12:00:00Z")
        .expect("valid")
        .to_utc()
}

/// Back-off that cannot slow a test down.
fn fast_retry() -> Retry {
    Retry {
        tries: 4,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

fn options(fake: &FakePagerDuty, out: PathBuf) -> PagerDutyImport {
    PagerDutyImport {
        token: TOKEN.to_owned(),
        api_url: fake.base.clone(),
        out,
        force: false,
        now: import_now(),
        retry: fast_retry(),
    }
}

/// Imports from a well-behaved fake (but for one 429) into a temp file; returns the file's text.
pub async fn imported_toml(name: &str) -> (String, PathBuf) {
    let fake = FakePagerDuty::start(Behaviour {
        throttle_first: vec!["/escalation_policies"],
        ..Behaviour::default()
    })
    .await;
    let out = temp_dir(name).join("firebell.toml");
    firebell::import::pagerduty(&options(&fake, out.clone()))
        .await
        .expect("import succeeds");
    let text = std::fs::read_to_string(&out).expect("the import wrote its file");
    (text, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_pages_through_users_waits_out_a_429_and_writes_a_config_firebell_accepts() {
    let fake = FakePagerDuty::start(Behaviour {
        throttle_first: vec!["/escalation_policies"],
        ..Behaviour::default()
    })
    .await;
    let out = temp_dir("accepts").join("firebell.toml");

    let report = firebell::import::pagerduty(&options(&fake, out.clone()))
        .await
        .expect("import succeeds");

    let loaded = Loaded::load(&out).unwrap_or_else(|e| panic!("firebell check fails: {e}"));
    let text = std::fs::read_to_string(&out).expect("file");
    assert!(!text.contains(TOKEN), "the token leaked into the file");
    // All three pages of users, each asked with the contact methods.
    assert_eq!(fake.hits("/users"), 3, "{:?}", fake.queries());
    let user_offsets: Vec<String> = fake
        .queries()
        .into_iter()
        .filter(|q| q.starts_with("/users?"))
        .collect();
    assert!(user_offsets[1].contains("offset=2"), "{user_offsets:?}");
    assert!(user_offsets[2].contains("offset=4"), "{user_offsets:?}");
    // The 429 was waited out and asked again.
    assert_eq!(fake.hits("/escalation_policies"), 2);
    assert_eq!(fake.hits("/schedules/PWEB001"), 1);

    let engine = &loaded.engine;
    let user_ids: Vec<&str> = engine.users.keys().map(|u| u.as_str()).collect();
    assert_eq!(
        user_ids,
        [
            "alice-adams",
            "alice-adams-2",
            "bob-brown",
            "carol-chen",
            "dave-diaz"
        ]
    );
    let user = |id: &str| {
        engine
            .users
            .values()
            .find(|u| u.id.as_str() == id)
            .expect("imported user")
    };
    let alice = user("alice-adams");
    assert_eq!(alice.name, "Alice Adams");
    assert_eq!(alice.timezone.name(), "America/New_York");
    assert_eq!(alice.email.as_deref(), Some("alice@example.com"));
    assert_eq!(
        alice.phone.as_ref().map(|p| p.as_str()),
        Some("+12125550101")
    );
    let bob = user("bob-brown");
    assert_eq!(
        bob.phone.as_ref().map(|p| p.as_str()),
        Some("+447700900123")
    );
    assert!(text.contains("# PagerDuty user PAL1CE1"), "{text}");
    assert!(
        text.contains("push"),
        "push contact method is not noted:\n{text}"
    );
    assert!(
        text.contains("carol.pager@example.com"),
        "second email is not noted"
    );

    assert_eq!(report.users, 5);
    assert_eq!(report.services, 2);
    assert!(
        report.notes.iter().any(|n| n.contains("PLAY0LD")),
        "{:?}",
        report.notes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_schedules_policies_and_services_keep_what_firebell_can_express() {
    let (text, out) = imported_toml("tables").await;

    let loaded = Loaded::load(&out).unwrap_or_else(|e| panic!("firebell check fails: {e}"));

    let engine = &loaded.engine;
    let schedules: Vec<&String> = engine.schedules.keys().collect();
    assert_eq!(schedules, ["ops-secondary", "web-primary"]);
    assert_eq!(engine.schedules["web-primary"].layers.len(), 2);
    // Only the weekly layer survives: 90-minute turns and an ended layer cannot be carried.
    let ops = &engine.schedules["ops-secondary"];
    assert_eq!(ops.layers.len(), 1);
    let ids = |l: &firebell_engine::domain::schedule::Layer| {
        l.users
            .iter()
            .map(|u| u.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&ops.layers[0]),
        ["alice-adams", "dave-diaz", "bob-brown"]
    );
    assert!(text.contains("PLAY3HR") && text.contains("5400"), "{text}");
    assert!(text.contains("PLAY0LD") && text.contains("ended"), "{text}");

    let web_policy = &engine.escalation_policies["web-on-call"];
    assert_eq!(web_policy.repeat, 2);
    assert_eq!(
        web_policy
            .levels
            .iter()
            .map(|l| l.delay_minutes)
            .collect::<Vec<_>>(),
        [15, 30]
    );
    assert_eq!(web_policy.levels[1].targets.len(), 2);
    assert!(text.contains("team"), "teams are not noted:\n{text}");

    let services: Vec<&str> = engine.services.keys().map(|s| s.as_str()).collect();
    assert_eq!(services, ["database-primary", "web-app"]);
    let web = engine
        .services
        .values()
        .find(|s| s.name.as_str() == "web-app")
        .expect("web-app");
    assert_eq!(web.description, "Public website");
    assert_eq!(web.escalation_policy.as_deref(), Some("web-on-call"));
    assert_eq!(web.ack_timeout, Some(chrono::Duration::minutes(30)));
    assert_eq!(web.auto_resolve, Some(chrono::Duration::hours(4)));
    let key = web.integration_keys[0].as_str();
    assert_eq!(key.len(), 32);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    // Each PD integration is named with how to repoint it.
    assert!(
        text.contains("Prometheus") && text.contains("/v2/enqueue"),
        "{text}"
    );
    assert!(
        text.contains("Nagios") && text.contains("create_event.json"),
        "{text}"
    );
    assert!(text.contains("PINTEML"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_file_is_kept_unless_forced() {
    let fake = FakePagerDuty::start(Behaviour::default()).await;
    let out = temp_dir("force").join("firebell.toml");
    std::fs::write(&out, "# mine\n").expect("write");

    let err = firebell::import::pagerduty(&options(&fake, out.clone()))
        .await
        .expect_err("refuses to overwrite");

    let message = format!("{err:#}");
    assert!(
        message.contains("already exists") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&out).expect("file"), "# mine\n");
    assert_eq!(fake.hits("/users"), 0, "it asked PagerDuty before refusing");
    let mut forced = options(&fake, out.clone());
    forced.force = true;
    firebell::import::pagerduty(&forced)
        .await
        .expect("forced import");
    Loaded::load(&out).expect("the forced file is valid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_a_clear_error_that_does_not_echo_it() {
    let fake = FakePagerDuty::start(Behaviour::default()).await;
    let out = temp_dir("token").join("firebell.toml");
    let mut opts = options(&fake, out.clone());
    opts.token = "wrong-secret-token".to_owned();

    let err = firebell::import::pagerduty(&opts)
        .await
        .expect_err("refused");

    let message = format!("{err:#}");
    assert!(message.contains("the token was refused"), "{message}");
    assert!(!message.contains("wrong-secret-token"), "{message}");
    assert_eq!(fake.hits("/users"), 1, "a refused token is not retried");
    assert!(!out.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_are_retried_a_bounded_number_of_times_then_named() {
    let fake = FakePagerDuty::start(Behaviour {
        always_503: true,
        ..Behaviour::default()
    })
    .await;
    let out = temp_dir("503").join("firebell.toml");

    let err = firebell::import::pagerduty(&options(&fake, out.clone()))
        .await
        .expect_err("gives up");

    let message = format!("{err:#}");
    assert_eq!(fake.hits("/users"), 4, "tries: {message}");
    assert!(message.contains("503"), "{message}");
    assert!(
        message.contains(&format!("{}/users", fake.base)),
        "{message}"
    );
    assert!(!message.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_api_is_named_without_the_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let out = temp_dir("down").join("firebell.toml");
    let opts = PagerDutyImport {
        token: TOKEN.to_owned(),
        api_url: base.clone(),
        out,
        force: false,
        now: import_now(),
        retry: fast_retry(),
    };

    let err = firebell::import::pagerduty(&opts)
        .await
        .expect_err("no server");

    let message = format!("{err:#}");
    assert!(message.contains(&format!("{base}/users")), "{message}");
    assert!(!message.contains(TOKEN), "{message}");
}

/// The real binary, with the token from `PAGERDUTY_TOKEN`: exit 0, a valid file, a summary on
/// stderr, and the token nowhere in the output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_imports_with_the_token_from_the_environment() {
    let fake = FakePagerDuty::start(Behaviour::default()).await;
    let dir = temp_dir("binary");
    let out = dir.join("imported.toml");
    let bin = firebell_tests::process::binary();
    let (api, out_arg) = (fake.base.clone(), out.clone());

    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(bin)
            .args(["import", "pagerduty", "--api-url", &api, "--out"])
            .arg(&out_arg)
            .env("PAGERDUTY_TOKEN", TOKEN)
            .output()
            .expect("run firebell")
    })
    .await
    .expect("join");

    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains(TOKEN) && !stdout.contains(TOKEN));
    assert!(stderr.contains("not carried over"), "{stderr}");
    assert!(stderr.contains("5 users"), "{stderr}");
    Loaded::load(&out).expect("the binary's file is valid");
}
