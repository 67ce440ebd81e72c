//! The console end to end: a real engine on a throwaway SQLite file, the room fed through an
//! in-memory pipe, cards delivered by the real outbox path.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use firebell_engine::{
    Actor, AlertKind, Channel, Config, Engine, IncidentNumber, IncidentStatus, Ingested,
    ManualClock, NewAlert, Severity, Store, TriggerPayload,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, duplex};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::*;

const CONFIG: &str = r#"
[console]
user = "alice"

[rooms.ops]

[users.alice]
name = "Alice Adams"

[users.bob]
name = "Bob Brown"

[services.web]
integration_keys = ["R0UT1NGKEY0000000000000000000000"]
room = "ops"
"#;

/// The greeting's last line.
const GREETED: &str = "HTTP API: http://127.0.0.1:8080\n";

/// A running engine and a console room wired to pipes: `type_line` feeds the room, `expect`
/// waits (with a deadline) for text on its output.
struct Harness {
    engine: Engine,
    notifier: ConsoleNotifier,
    keyboard: Option<DuplexStream>,
    screen: DuplexStream,
    seen: Vec<u8>,
    room: Option<JoinHandle<()>>,
    cancel: CancellationToken,
    dir: PathBuf,
}

impl Harness {
    async fn start(config_toml: &str) -> Harness {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "firebell-console-{}-{}-{}",
            std::process::id(),
            Utc::now().timestamp_micros(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let store = Store::connect(&format!("sqlite://{}", dir.join("firebell.db").display()))
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let config = Config::parse(config_toml, "firebell.toml", &|_| None).expect("valid config");
        let t0: DateTime<Utc> = "2026-03-02T09:00:00Z".parse().expect("valid time");
        let cancel = CancellationToken::new();
        let (engine, _writers) = Engine::start(
            store,
            Arc::new(config),
            Arc::new(ManualClock::new(t0)),
            cancel.clone(),
        );
        let (keyboard, room_input) = duplex(4096);
        let (room_output, screen) = duplex(1 << 16);
        let out = shared_output(room_output);
        let notifier = ConsoleNotifier::new(out.clone(), Style::PLAIN)
            .with_room_names(engine.config().rooms.len() > 1);
        let api = Some("http://127.0.0.1:8080".to_owned());
        let room = ConsoleRoom::new(engine.clone(), out, Style::PLAIN, api);
        let room = tokio::spawn(room.run(BufReader::new(room_input), cancel.clone()));
        Harness {
            engine,
            notifier,
            keyboard: Some(keyboard),
            screen,
            seen: Vec::new(),
            room: Some(room),
            cancel,
            dir,
        }
    }

    async fn open(&self, title: &str, severity: Severity) -> IncidentNumber {
        let alert = NewAlert {
            service: self
                .engine
                .config()
                .service("web")
                .expect("web")
                .name
                .clone(),
            kind: AlertKind::Trigger {
                dedup_key: None,
                payload: TriggerPayload {
                    summary: title.to_owned(),
                    source: Some("db-01".to_owned()),
                    severity,
                    timestamp: None,
                    details: serde_json::json!({}),
                },
            },
            actor: Actor::new("monitor", Channel::Events),
            raw: serde_json::json!({}),
        };
        match self.engine.ingest(alert).await.expect("ingest") {
            Ingested::Created { number, .. } => number,
            other => panic!("expected a new incident, got {other:?}"),
        }
    }

    async fn type_line(&mut self, line: &str) {
        let keyboard = self.keyboard.as_mut().expect("keyboard still open");
        keyboard
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("type");
    }

    /// Everything printed from now until `needle` appears (inclusive of earlier unread text).
    async fn expect(&mut self, needle: &str) -> String {
        let wait = async {
            loop {
                let text = String::from_utf8_lossy(&self.seen).into_owned();
                if let Some(at) = text.find(needle) {
                    let end = at + needle.len();
                    self.seen.drain(..end);
                    return text[..end].to_owned();
                }
                let mut buf = [0u8; 4096];
                let n = self.screen.read(&mut buf).await.expect("read screen");
                assert!(n > 0, "output ended before {needle:?}; got:\n{text}");
                self.seen.extend_from_slice(&buf[..n]);
            }
        };
        match tokio::time::timeout(Duration::from_secs(10), wait).await {
            Ok(text) => text,
            Err(_) => panic!(
                "no {needle:?} within 10 s; got:\n{}",
                String::from_utf8_lossy(&self.seen)
            ),
        }
    }

    /// Delivers every pending outbox row through the console notifier, as the outbox worker
    /// would (a batch holds at most one row per incident, to keep each incident's rows in order).
    async fn deliver(&self) {
        while self
            .engine
            .deliver_due(&self.notifier)
            .await
            .expect("deliver")
            > 0
        {}
    }

    /// Ctrl-D: the room stops reading and its task ends.
    async fn close_keyboard(&mut self) {
        self.keyboard = None;
        let room = self.room.take().expect("room running");
        tokio::time::timeout(Duration::from_secs(10), room)
            .await
            .expect("room ends")
            .expect("room task")
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.cancel.cancel();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn the_greeting_says_what_this_is_who_you_are_and_where_the_api_is() {
    let mut h = Harness::start(CONFIG).await;
    let greeting = h.expect(GREETED).await;
    assert!(greeting.starts_with("firebell console — "), "{greeting}");
    assert!(
        greeting.contains("Type `help` for the commands; the `!` is optional here"),
        "{greeting}"
    );
    assert!(greeting.contains("`trigger web Test alert`"), "{greeting}");
    assert!(
        greeting.contains("You are alice (Alice Adams)."),
        "{greeting}"
    );
}

#[tokio::test]
async fn typing_ack_acknowledges_the_incident_and_prints_the_reply() {
    let mut h = Harness::start(CONFIG).await;
    let n = h.open("Disk full on db-01", Severity::Critical).await;

    h.type_line("ack 1").await;

    h.expect("✔ Acknowledged *#1* — Disk full on db-01 (web)\n")
        .await;
    let incident = h.engine.incident(n).await.unwrap();
    assert_eq!(incident.status, IncidentStatus::Acknowledged);
    assert_eq!(incident.acknowledged_via, Some(Channel::Console));
    assert_eq!(incident.acknowledged_by.as_deref(), Some("alice"));
}

#[tokio::test]
async fn the_bang_is_optional_blank_lines_are_ignored_and_errors_are_marked() {
    let mut h = Harness::start(CONFIG).await;
    h.open("One", Severity::Error).await;

    h.type_line("").await;
    h.type_line("   ").await;
    h.type_line("!ack 1").await;
    h.type_line("ack 1").await;
    h.type_line("akc").await;

    let out = h
        .expect("Did you mean `!ack`? `!help` lists what I can do.\n")
        .await;
    let replies: Vec<&str> = out.lines().skip_while(|l| !l.starts_with('✔')).collect();
    assert_eq!(
        replies,
        [
            "✔ Acknowledged *#1* — One (web)",
            "✖ incident #1 is already acknowledged (by alice, 0 s ago)",
            "› I don't know `!akc`. Did you mean `!ack`? `!help` lists what I can do.",
        ]
    );
}

#[tokio::test]
async fn the_end_of_input_stops_only_the_room() {
    let mut h = Harness::start(CONFIG).await;
    h.expect(GREETED).await;

    h.close_keyboard().await;

    h.expect("(console input closed — firebell keeps running; stop it with Ctrl-C)")
        .await;
    h.open("Still paging", Severity::Error).await;
    h.deliver().await;
    h.expect("Still paging").await;
}

#[tokio::test]
async fn cancelling_stops_the_room_while_it_waits_for_input() {
    let mut h = Harness::start(CONFIG).await;
    h.expect(GREETED).await;
    h.cancel.cancel();
    let room = h.room.take().unwrap();
    tokio::time::timeout(Duration::from_secs(10), room)
        .await
        .expect("stops")
        .expect("task");
}

#[tokio::test]
async fn a_new_incident_is_printed_as_a_card_with_the_commands_to_act_on_it() {
    let mut h = Harness::start(CONFIG).await;
    h.expect(GREETED).await;
    let n = h.open("Disk full on db-01", Severity::Critical).await;
    let key = h.engine.incident(n).await.unwrap().dedup_key.as_str()[..8].to_owned();

    h.deliver().await;

    let card = h.expect("<text>\n").await;
    assert_eq!(
        card.trim_start_matches('\n'),
        format!(
            "🔥 #1  CRITICAL  web · triggered\n   \
             Disk full on db-01\n   \
             source db-01 · 1 alert · key {key}…\n   \
             → !ack 1   !resolve 1   !note 1 <text>\n"
        )
    );
}

#[tokio::test]
async fn updates_name_who_did_what_and_notes_are_indented() {
    let mut h = Harness::start(CONFIG).await;
    h.open("Checkout 500s", Severity::Error).await;
    h.type_line("ack 1").await;
    h.expect("✔ Acknowledged").await;
    h.type_line("resolve 1 rolled back deploy 812").await;
    h.expect("✔ Resolved").await;

    h.deliver().await;

    h.expect("🔥 #1  ERROR  web · resolved\n   Checkout 500s\n   source db-01 · 1 alert")
        .await;
    h.expect("✅ #1 acknowledged by alice (console) — Checkout 500s\n")
        .await;
    h.expect("🟢 #1 resolved by alice (console) — Checkout 500s\n   rolled back deploy 812\n")
        .await;
}

#[tokio::test]
async fn control_characters_in_alert_text_cannot_reach_the_terminal() {
    let mut h = Harness::start(CONFIG).await;
    h.expect(GREETED).await;
    h.open(
        "Disk\x1b[2J\x1b[1;1H full\r\x07\u{9b}31m on \u{202e}10-bd",
        Severity::Warning,
    )
    .await;

    h.deliver().await;
    h.type_line("incidents").await;

    let out = h.expect("*#1* WARNING").await;
    let out = out + &h.expect("\n").await;
    for bad in ['\x1b', '\r', '\x07', '\u{9b}', '\u{202e}'] {
        assert!(!out.contains(bad), "{bad:?} reached the terminal:\n{out:?}");
    }
    assert!(
        out.contains("Disk\\u{1b}[2J\\u{1b}[1;1H full\\u{d}\\u{7}\\u{9b}31m on \\u{202e}10-bd"),
        "{out}"
    );
}

#[tokio::test]
async fn a_console_without_a_user_explains_how_to_set_one() {
    let mut h = Harness::start(&CONFIG.replace("[console]\nuser = \"alice\"\n", "")).await;
    let greeting = h.expect(GREETED).await;
    assert!(
        greeting.contains(
            "Heads-up: no `[console] user` is set in firebell.toml, so this console can show help but not act. \
             Add `[console] user = \"<id>\"` (one of: alice, bob) and restart."
        ),
        "{greeting}"
    );

    h.type_line("incidents").await;

    h.expect("✖ The console isn't acting as any firebell user yet")
        .await;
    h.type_line("help").await;
    h.expect("› *firebell commands*").await;
}

#[tokio::test]
async fn with_several_rooms_each_line_names_its_room() {
    let two_rooms = CONFIG.replace("[rooms.ops]\n", "[rooms.ops]\n\n[rooms.dev]\n");
    let mut h = Harness::start(&two_rooms).await;
    h.expect(GREETED).await;
    h.open("Checkout 500s", Severity::Info).await;

    h.deliver().await;

    h.expect("🔥 #1  INFO  web · triggered · room ops\n").await;
}
