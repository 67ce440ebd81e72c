//! `SIGTERM` to a real `firebell` process stops it within 10 s whatever it is stuck on: chat
//! platforms that refuse connections, servers that accept and never answer, a database that goes
//! silent. A deploy must never have to `kill -9`.

use std::time::{Duration, Instant};

use firebell_tests::fixtures::{WEB_KEY, config_toml};
use firebell_tests::process::{FirebellProcess, free_port};
use firebell_tests::proxy::SilenceableProxy;
use firebell_tests::{Backend, TestDb, backends};
use reqwest::StatusCode;
use tokio::net::TcpListener;

use crate::discord::TOKEN as DISCORD_TOKEN;
use crate::ingest_flow::trigger;
use crate::slack::{APP_TOKEN, BOT_TOKEN};
use crate::telephony::{ACCOUNT_SID, ALICE_PHONE, AUTH_TOKEN, PUBLIC_URL, TWILIO_FROM};

/// What a deploy waits before it sends `SIGKILL`.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// The standard config with Slack (Socket Mode), Discord and Twilio all pointed at `chat` and
/// `phones` (base URLs), and alice paged by SMS at once.
fn config_pointing_at(chat: &str, phones: &str) -> String {
    let alice = format!(
        "name = \"Alice Adams\"\nphone = \"{ALICE_PHONE}\"\nnotify.high = {{ chat = 0, sms = 0 }}\n"
    );
    format!(
        "{}\n[slack]\nmode = \"socket\"\napi_url = \"{chat}/api\"\n\
         [discord]\napi_url = \"{chat}\"\n\
         [providers]\npublic_url = \"{PUBLIC_URL}\"\n[providers.twilio]\n\
         account_sid = \"{ACCOUNT_SID}\"\nauth_token = \"{AUTH_TOKEN}\"\nfrom = \"{TWILIO_FROM}\"\n\
         api_url = \"{phones}\"\n",
        config_toml().replace("name = \"Alice Adams\"\n", &alice)
    )
}

const CHAT_TOKENS: [(&str, &str); 3] = [
    ("FIREBELL_SLACK_BOT_TOKEN", BOT_TOKEN),
    ("FIREBELL_SLACK_APP_TOKEN", APP_TOKEN),
    ("FIREBELL_DISCORD_TOKEN", DISCORD_TOKEN),
];

/// A server that accepts connections and never says a word: a platform or provider that hangs.
async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}

/// Sends SIGTERM and asserts a clean exit within [`STOP_LIMIT`].
async fn terminate_and_expect_a_prompt_clean_exit(p: &mut FirebellProcess) {
    let started = Instant::now();
    p.terminate();
    let status = p.wait_exit(STOP_LIMIT).await;
    let log = p.log();
    let status = status
        .unwrap_or_else(|| panic!("{} still runs {STOP_LIMIT:?} after SIGTERM:\n{log}", p.name));
    assert!(status.success(), "{} exited with {status}:\n{log}", p.name);
    assert!(log.contains("shutting down"), "{log}");
    eprintln!("{} stopped {:?} after SIGTERM", p.name, started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_firebell_within_ten_seconds_while_slack_and_discord_refuse_connections() {
    for backend in backends() {
        // Arrange: every platform and provider URL is a port nobody listens on.
        let db = TestDb::new(backend).await;
        let closed = format!("http://127.0.0.1:{}", free_port());
        let config = config_pointing_at(&closed, &closed);
        let mut p = FirebellProcess::spawn_with_env("unreachable", &config, &db.url, &CHAT_TOKENS);
        p.wait_ready().await;
        // Long enough for the Discord gateway and Slack Socket Mode to have failed and be retrying.
        tokio::time::sleep(Duration::from_secs(3)).await;

        // Act + Assert
        terminate_and_expect_a_prompt_clean_exit(&mut p).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_firebell_within_ten_seconds_while_chat_and_the_sms_provider_hang() {
    for backend in backends() {
        // Arrange: Slack, Discord and Twilio accept connections and never answer; an alert is
        // accepted, so its chat post and its SMS page are in flight when the signal comes.
        let db = TestDb::new(backend).await;
        let hang = silent_server().await;
        let config = config_pointing_at(&hang, &hang);
        let mut p = FirebellProcess::spawn_with_env("hanging", &config, &db.url, &CHAT_TOKENS);
        p.wait_ready().await;
        let resp = reqwest::Client::new()
            .post(format!("{}/v2/enqueue", p.base))
            .json(&trigger(WEB_KEY, "disk-db-01", "Disk full on db-01"))
            .send()
            .await
            .expect("enqueue");
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        tokio::time::sleep(Duration::from_secs(2)).await;

        // Act + Assert
        terminate_and_expect_a_prompt_clean_exit(&mut p).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_firebell_within_ten_seconds_while_postgres_has_gone_silent() {
    if !backends().contains(&Backend::Postgres) {
        return;
    }
    // Arrange: firebell reaches PostgreSQL through a proxy that can stop relaying (a network
    // partition: connections stay open, nothing answers).
    let db = TestDb::new(Backend::Postgres).await;
    let proxy = SilenceableProxy::start(&db.url).await;
    let closed = format!("http://127.0.0.1:{}", free_port());
    let config = config_pointing_at(&closed, &closed);
    let mut p = FirebellProcess::spawn_with_env("partitioned", &config, &proxy.url, &CHAT_TOKENS);
    p.wait_ready().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.silence();
    // An event arrives during the outage: it cannot be committed, and must not hold the exit.
    let base = p.base.clone();
    tokio::spawn(async move {
        let _ = reqwest::Client::new()
            .post(format!("{base}/v2/enqueue"))
            .json(&trigger(WEB_KEY, "during-outage", "Disk full on db-01"))
            .send()
            .await;
    });
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Act + Assert
    terminate_and_expect_a_prompt_clean_exit(&mut p).await;
}
