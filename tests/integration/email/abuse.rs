//! An SMTP port exposed to the internet: a client guessing addresses is cut off, a client
//! connecting or sending too fast is told to come back later (and is served when it does), and
//! the mail log forgets old mail so no sender can fill the database.

use chrono::Duration as Span;
use firebell_tests::{Backend, backends};

use super::{DOMAIN, MailApp, Raw, config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_guessing_20_addresses_is_disconnected_with_421() {
    let app = MailApp::start(Backend::Sqlite, config("", "")).await;
    let mut smtp = Raw::hello(app.smtp).await;
    assert!(
        smtp.cmd("MAIL FROM:<spam@example.org>")
            .await
            .starts_with("250")
    );
    let mut answers = Vec::new();
    for i in 0..20 {
        let r = smtp.cmd(&format!("RCPT TO:<guess{i}@{DOMAIN}>")).await;
        let closing = r.starts_with("421") || r.is_empty();
        answers.push(r);
        if closing {
            break;
        }
    }
    assert_eq!(answers.len(), 10, "{answers:#?}");
    assert!(
        answers[..9].iter().all(|r| r.starts_with("550 5.1.1")),
        "{answers:#?}"
    );
    assert_eq!(answers[9], "421 4.7.0 too many refused recipients; closing");
    assert_eq!(smtp.reply().await, "", "closed");
    // Its refusals were logged, and no more than that.
    assert_eq!(app.log(50).await.len(), 10);
    // Another client is served.
    let mut next = Raw::hello(app.smtp).await;
    assert!(next.cmd("QUIT").await.starts_with("221"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_connecting_too_often_gets_421_and_the_next_minute_is_served() {
    let app = MailApp::start(Backend::Sqlite, config("connections_per_minute = 3", "")).await;
    for _ in 0..3 {
        let mut ok = Raw::hello(app.smtp).await;
        assert!(ok.cmd("QUIT").await.starts_with("221"));
    }
    let (mut refused, greeting) = Raw::connect(app.smtp).await;
    assert_eq!(
        greeting,
        "421 4.7.0 too many connections from your address; try again in a minute"
    );
    assert_eq!(refused.reply().await, "", "closed");

    app.advance(Span::seconds(61));
    let mut ok = Raw::hello(app.smtp).await;
    assert!(ok.cmd("QUIT").await.starts_with("221"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_sending_too_many_mails_gets_450_and_the_next_minute_is_served() {
    let app = MailApp::start(Backend::Sqlite, config("messages_per_minute = 2", "")).await;
    let mut smtp = Raw::hello(app.smtp).await;
    for _ in 0..2 {
        assert!(
            smtp.cmd("MAIL FROM:<ops@example.com>")
                .await
                .starts_with("250")
        );
        assert!(smtp.cmd("RSET").await.starts_with("250"));
    }
    let r = smtp.cmd("MAIL FROM:<ops@example.com>").await;
    assert_eq!(
        r,
        "450 4.7.1 too many mails from your address; try again in a minute"
    );
    // Another connection from the same address is held to the same count.
    let mut other = Raw::hello(app.smtp).await;
    assert!(
        other
            .cmd("MAIL FROM:<ops@example.com>")
            .await
            .starts_with("450 4.7.1")
    );

    app.advance(Span::seconds(61));
    assert!(
        smtp.cmd("MAIL FROM:<ops@example.com>")
            .await
            .starts_with("250 2.1.0")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_log_rows_older_than_the_retention_are_removed() {
    for backend in backends() {
        let app = MailApp::start(backend, config("log_retention = \"7d\"", "")).await;
        let mut smtp = Raw::hello(app.smtp).await;
        assert!(
            smtp.cmd("MAIL FROM:<ops@example.com>")
                .await
                .starts_with("250")
        );
        assert!(
            smtp.cmd(&format!("RCPT TO:<old@{DOMAIN}>"))
                .await
                .starts_with("550")
        );
        app.advance(Span::days(6));
        assert!(
            smtp.cmd(&format!("RCPT TO:<recent@{DOMAIN}>"))
                .await
                .starts_with("550")
        );
        assert!(smtp.cmd("QUIT").await.starts_with("221"));
        app.engine().tick().await.expect("tick");
        assert_eq!(app.log(10).await.len(), 2, "{backend:?}: both are young");

        // A day later the first is 7 days old and goes; the other stays.
        app.advance(Span::days(1) + Span::seconds(1));
        app.engine().tick().await.expect("tick");
        let log = app.log(10).await;
        assert_eq!(log.len(), 1, "{backend:?}: {log:#?}");
        assert_eq!(log[0]["recipient"], format!("recent@{DOMAIN}"));
        app.stop().await;
    }
}
