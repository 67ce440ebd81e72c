//! What senders should not send, over a raw socket: unknown recipients, oversized mail (declared
//! and undeclared), broken MIME, 8-bit Latin-1 headers, no subject, bytes that are not a mail,
//! commands out of order, garbage. Each gets a clear SMTP reply or a recorded outcome — and the
//! listener keeps serving.

use firebell_tests::Backend;

use super::{DOMAIN, MailApp, Raw, config};

fn to() -> String {
    format!("web@{DOMAIN}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_recipients_are_refused_at_rcpt_and_logged() {
    let app = MailApp::start(Backend::Sqlite, config("", "")).await;
    let mut smtp = Raw::hello(app.smtp).await;
    assert!(
        smtp.cmd("MAIL FROM:<ops@example.com>")
            .await
            .starts_with("250")
    );
    let r = smtp.cmd(&format!("RCPT TO:<nobody@{DOMAIN}>")).await;
    assert!(
        r.starts_with(
            "550 5.1.1 <nobody@alerts.example.com>: no service receives mail at this address"
        ),
        "{r}"
    );
    assert!(
        !r.contains("web") && !r.contains("db"),
        "the addresses are not listed: {r}"
    );
    let r = smtp.cmd("RCPT TO:<web@elsewhere.example.org>").await;
    assert!(
        r.starts_with("550 5.1.1")
            && r.contains(&format!("only takes mail for <service address>@{DOMAIN}")),
        "{r}"
    );
    let r = smtp.cmd("DATA").await;
    assert!(r.starts_with("554 5.5.1 no valid recipients"), "{r}");
    // The same transaction goes on with a good recipient.
    assert!(
        smtp.cmd(&format!("RCPT TO:<{}>", to()))
            .await
            .starts_with("250 2.1.5")
    );

    let log = app.log(5).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["outcome"], "refused");
    assert_eq!(log[1]["service"], serde_json::Value::Null);
    assert_eq!(log[1]["recipient"], format!("nobody@{DOMAIN}"));
    assert_eq!(log[1]["from"], "ops@example.com");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_over_the_size_limit_is_refused_with_552_and_logged() {
    let app = MailApp::start(Backend::Sqlite, config("", "")).await;
    let mut smtp = Raw::hello(app.smtp).await;
    // Declared too large: refused at MAIL, before a byte of it is sent.
    let r = smtp.cmd("MAIL FROM:<ops@example.com> SIZE=5000000").await;
    assert!(
        r.starts_with("552 5.3.4 the message is 5000000 bytes (5 MB); the limit is 200000 bytes"),
        "{r}"
    );

    // Undeclared, with a 300 KB attachment: read to the end, refused with 552.
    let attachment = "QUJD".repeat(75_000);
    let message = format!(
        "From: ops@example.com\nSubject: PROBLEM: core dump attached\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nsee attachment\n\
         --b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n{}\n--b--\n",
        attachment
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let r = smtp
        .mail("ops@example.com", &to(), message.as_bytes())
        .await;
    assert!(
        r.starts_with("552 5.3.4 the message is larger than the limit of 200000 bytes"),
        "{r}"
    );
    let log = app.last().await;
    assert_eq!(log["outcome"], "refused");
    assert_eq!(log["service"], "web");
    assert_eq!(
        log["subject"], "PROBLEM: core dump attached",
        "named from its headers"
    );
    assert!(log["size"].as_i64().unwrap() > 200_000);

    // Just over the limit, so the last read brings both the excess and the final dot.
    let mut just_over = b"From: ops@example.com\nSubject: just over\n\n".to_vec();
    while just_over.len() < 200_050 {
        just_over.extend_from_slice(
            b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n",
        );
    }
    let r = smtp.mail("ops@example.com", &to(), &just_over).await;
    assert!(r.starts_with("552 5.3.4"), "{r}");

    // The connection is still good for the next mail.
    let r = smtp
        .mail(
            "ops@example.com",
            &to(),
            b"From: ops@example.com\nSubject: small\n\nok\n",
        )
        .await;
    assert!(r.starts_with("250 2.0.0"), "{r}");
    let (_, list) = app.api("/api/v1/incidents").await;
    assert_eq!(
        list["incidents"].as_array().unwrap().len(),
        1,
        "only the small mail opened one"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_mime_latin1_headers_and_a_missing_subject_still_page() {
    let app = MailApp::start(Backend::Sqlite, config("", "")).await;
    let mut smtp = Raw::hello(app.smtp).await;

    let broken = b"From: ops@example.com\nSubject: PROBLEM: broken mime\nContent-Type: multipart/mixed; boundary=\"abc\"\n\n--xyz\nContent-Type: text/plain\n\nHost: db-01 is down\n--xyz--\n";
    let r = smtp.mail("ops@example.com", &to(), broken).await;
    assert!(r.contains("web: triggered #1"), "{r}");
    let body = app.incident(1).await["details"]["email"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        body.contains("Host: db-01 is down"),
        "the text survives: {body}"
    );

    let latin1 =
        b"From: Ren\xe9 <rene@example.fr>\nSubject: Probl\xe8me: disque plein sur db-01\n\nCorps\n";
    let r = smtp.mail("rene@example.fr", &to(), latin1).await;
    assert!(r.contains("web: triggered #2"), "{r}");
    let i = app.incident(2).await;
    assert_eq!(i["title"], "Problème: disque plein sur db-01");
    assert_eq!(i["details"]["email"]["from_name"], "René");

    let r = smtp
        .mail(
            "root@db-01",
            &to(),
            b"From: root@db-01\nDate: Sat, 21 Nov 2026 03:00:00 +0000\n\nno subject here\n",
        )
        .await;
    assert!(r.contains("web: triggered #3"), "{r}");
    let i = app.incident(3).await;
    assert_eq!(i["title"], "(no subject) from root@db-01");
    assert_eq!(i["dedup_key"], "(no subject)");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_that_are_not_a_mail_get_554_and_a_log_entry() {
    let app = MailApp::start(Backend::Sqlite, config("", "")).await;
    let mut smtp = Raw::hello(app.smtp).await;
    let r = smtp
        .mail(
            "ops@example.com",
            &to(),
            b"just some text\nwithout any headers\n",
        )
        .await;
    assert!(r.starts_with("554 5.6.0 no RFC 5322 message found"), "{r}");
    let r = smtp
        .mail(
            "ops@example.com",
            &to(),
            b"X-Thing: 1\n\nonly an unknown header\n",
        )
        .await;
    assert!(r.starts_with("554 5.6.0 not a mail"), "{r}");
    let log = app.log(5).await;
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|m| m["outcome"] == "refused" && m["service"] == "web"),
        "{log:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_out_of_order_and_garbage_get_clear_errors_then_the_door() {
    let app = MailApp::start(Backend::Sqlite, config("", "")).await;
    let (mut smtp, greeting) = Raw::connect(app.smtp).await;
    assert_eq!(greeting, format!("220 {DOMAIN} ESMTP firebell"));
    assert!(
        smtp.cmd("MAIL FROM:<a@b>")
            .await
            .starts_with("503 5.5.1 send EHLO")
    );
    let ehlo = smtp.cmd("EHLO client.test").await;
    assert!(
        ehlo.contains("SIZE 200000") && !ehlo.contains("STARTTLS"),
        "{ehlo}"
    );
    assert!(
        smtp.cmd(&format!("RCPT TO:<{}>", to()))
            .await
            .starts_with("503 5.5.1 send MAIL FROM first")
    );
    assert!(smtp.cmd("DATA").await.starts_with("503 5.5.1"));
    assert!(
        smtp.cmd("STARTTLS")
            .await
            .starts_with("502 5.5.1 STARTTLS is not offered")
    );
    assert!(
        smtp.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==")
            .await
            .starts_with("502 5.5.1")
    );
    assert!(smtp.cmd("VRFY web").await.starts_with("252"));
    assert!(
        smtp.cmd("MAIL FROM:<> BODY=8BITMIME")
            .await
            .starts_with("250 2.1.0"),
        "the null sender is fine"
    );
    assert!(
        smtp.cmd("MAIL FROM:<a@b>")
            .await
            .starts_with("503 5.5.1 a mail is already started")
    );
    assert!(smtp.cmd("RSET").await.starts_with("250"));
    assert!(
        smtp.cmd("MAIL FROM:a@b").await.starts_with("501"),
        "brackets are required"
    );
    let long = format!("NOOP {}", "x".repeat(40_000));
    let r = smtp.cmd(&long).await;
    assert!(r.starts_with("500 5.5.6 line too long"), "{r}");
    assert!(
        smtp.cmd("NOOP").await.starts_with("250"),
        "still in step after a long line"
    );
    let mut last = String::new();
    for _ in 0..10 {
        last = smtp.cmd("HELLO?").await;
        if last.starts_with("421") {
            break;
        }
        assert!(last.starts_with("500 5.5.2 unknown command"), "{last}");
    }
    assert_eq!(last, "421 4.7.0 too many bad commands; closing");
    assert_eq!(smtp.reply().await, "", "closed");
    // The listener serves the next client.
    let mut next = Raw::hello(app.smtp).await;
    assert!(next.cmd("QUIT").await.starts_with("221"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_commands_are_answered_in_order() {
    let app = MailApp::start(Backend::Sqlite, config("", "")).await;
    let mut smtp = Raw::hello(app.smtp).await;
    smtp.write(
        format!(
            "MAIL FROM:<ops@example.com>\r\nRCPT TO:<nobody@{DOMAIN}>\r\nRCPT TO:<{}>\r\nDATA\r\n",
            to()
        )
        .as_bytes(),
    )
    .await;
    assert!(smtp.reply().await.starts_with("250 2.1.0"));
    assert!(smtp.reply().await.starts_with("550 5.1.1"));
    assert!(smtp.reply().await.starts_with("250 2.1.5"));
    assert!(smtp.reply().await.starts_with("354"));
    smtp.write(b"From: ops@example.com\r\nSubject: PROBLEM: pipelined\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n").await;
    let r = smtp.reply().await;
    assert!(r.contains("web: triggered #1"), "{r}");
    assert!(smtp.reply().await.starts_with("221"));
    let body = app.incident(1).await["details"]["email"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(body, ".leading dot", "dot-stuffing undone");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_client_is_told_421_and_shutdown_tells_the_others() {
    let app = MailApp::start(Backend::Sqlite, config("timeout = \"1s\"", "")).await;
    let mut idle = Raw::hello(app.smtp).await;
    assert_eq!(idle.reply().await, "421 4.4.2 idle too long; closing");
    assert_eq!(idle.reply().await, "", "closed");

    let mut waiting = Raw::hello(app.smtp).await;
    let stop = tokio::spawn(app.stop());
    assert_eq!(
        waiting.reply().await,
        "421 4.3.2 firebell is shutting down; try again later"
    );
    stop.await.expect("stopped");
}
