//! Pages and status notices by email, against the fake SMTP server.

use firebell_adapters::email::EmailNotifier;
use firebell_engine::kinds::{Actor, Channel, ContactMethod, IncidentStatus};
use firebell_engine::notify::{Notification, Notifier};
use firebell_tests::Backend;

use super::*;

fn notifier(rig: &Rig) -> EmailNotifier {
    EmailNotifier::from_config(
        rig.app.config().providers.smtp.as_ref(),
        rig.app.engine().config(),
    )
    .expect("smtp configured")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_page_has_a_sortable_subject_the_facts_and_how_to_ack() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("mail", "disk full").await;
    let page = rig
        .outgoing(n, "alice", ContactMethod::Email, paged("alice", None))
        .await;

    let d = notifier(&rig).deliver(&page).await.expect("sent");
    assert_eq!(d.provider.as_deref(), Some("smtp"));
    let mails = rig.smtp.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.from, "pager@example.com");
    assert_eq!(mail.to, vec!["alice@example.com".to_owned()]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some(&*format!("[firebell] #{} CRITICAL web: disk full", n.get()))
    );
    assert_eq!(
        mail.header("From").as_deref(),
        Some("firebell <pager@example.com>")
    );
    assert!(mail.header("To").unwrap().contains("<alice@example.com>"));
    let body = mail.body();
    assert!(
        body.contains(&format!(
            "Alice Adams, you are paged for incident #{} (level 1, high urgency).",
            n.get()
        )),
        "{body}"
    );
    assert!(body.contains("Source:      db-01"), "{body}");
    assert!(
        body.contains(&format!("To acknowledge, reply in chat: !ack {}", n.get())),
        "{body}"
    );
    assert!(
        body.contains("\"free\": \"0%\""),
        "custom details are shown: {body}"
    );
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_status_notice_says_who_acted() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("notice-mail", "disk full").await;
    let notice = Notification::StatusNotice {
        status: IncidentStatus::Acknowledged,
        actor: Actor::new("bob", Channel::Sms),
    };
    let msg = rig.outgoing(n, "alice", ContactMethod::Email, notice).await;
    notifier(&rig).deliver(&msg).await.expect("sent");
    let mails = rig.smtp.wait_for(1).await;
    assert_eq!(
        mails[0].header("Subject").as_deref(),
        Some(&*format!(
            "[firebell] #{} acknowledged by Bob Brown (web: disk full)",
            n.get()
        ))
    );
    assert!(
        mails[0]
            .body()
            .contains("was acknowledged by Bob Brown (via sms)"),
        "{}",
        mails[0].body()
    );
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_4xx_is_retried_and_5xx_is_final() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("refused", "disk full").await;
    let page = rig
        .outgoing(n, "alice", ContactMethod::Email, paged("alice", None))
        .await;
    let email = notifier(&rig);

    rig.smtp.refuse_next_transiently();
    let e = email.deliver(&page).await.unwrap_err();
    assert!(e.retryable, "{e:?}");
    assert!(e.message.contains("451"), "{}", e.message);

    rig.smtp.refuse_next_permanently();
    let e = email.deliver(&page).await.unwrap_err();
    assert!(!e.retryable, "{e:?}");
    assert!(e.message.contains("No such user"), "{}", e.message);

    email.deliver(&page).await.expect("the relay takes it now");
    assert_eq!(rig.smtp.wait_for(1).await.len(), 1);
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_smtp_relay_is_retryable_and_a_person_without_email_is_not() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("down", "disk full").await;
    let mut providers = rig.app.config().providers.clone();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    providers.smtp.as_mut().unwrap().port = port;
    let down =
        EmailNotifier::from_config(providers.smtp.as_ref(), rig.app.engine().config()).unwrap();
    let page = rig
        .outgoing(n, "alice", ContactMethod::Email, paged("alice", None))
        .await;
    let e = down.deliver(&page).await.unwrap_err();
    assert!(e.retryable, "{e:?}");

    let carol = rig
        .outgoing(n, "carol", ContactMethod::Email, paged("carol", None))
        .await;
    let e = notifier(&rig).deliver(&carol).await.unwrap_err();
    assert!(!e.retryable);
    assert_eq!(
        e.message,
        "Carol Chen (carol) has no email address configured"
    );
    rig.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resent_email_page_keeps_its_message_id_so_mail_systems_can_drop_the_copy() {
    let rig = Rig::start(Backend::Sqlite, Providers::BOTH).await;
    let n = rig.open_incident("mail-twice", "disk full").await;
    let page = rig
        .outgoing(n, "alice", ContactMethod::Email, paged("alice", None))
        .await;
    let mut other = page.clone();
    other.outbox_id += 1;

    // The same outbox row sent twice (a retry after an unrecorded success), then another row.
    for msg in [&page, &page, &other] {
        notifier(&rig).deliver(msg).await.expect("sent");
    }
    let mails = rig.smtp.wait_for(3).await;
    let ids: Vec<String> = mails
        .iter()
        .map(|m| m.header("Message-ID").expect("a Message-ID"))
        .collect();
    assert_eq!(ids[0], ids[1], "a retry repeats the id");
    assert_ne!(ids[0], ids[2], "another page has its own");
    assert!(
        ids[0].starts_with("<firebell-") && ids[0].ends_with("@example.com>"),
        "{}",
        ids[0]
    );
    rig.app.stop().await;
}
