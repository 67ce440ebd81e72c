//! STARTTLS with a certificate made in the test: offered in EHLO, upgraded, and mail delivered
//! over it; the session starts over after the handshake (EHLO again, no STARTTLS offered).

use std::path::PathBuf;

use firebell_tests::Backend;
use lettre::AsyncTransport;
use lettre::message::Message;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use super::{DOMAIN, MailApp, Raw, config};

/// A self-signed certificate for `localhost`, written to a fresh directory; (dir, cert PEM).
fn self_signed() -> (PathBuf, String) {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let dir = std::env::temp_dir().join(format!(
        "firebell-smtp-tls-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pem = key.cert.pem();
    std::fs::write(dir.join("cert.pem"), &pem).expect("write cert");
    std::fs::write(dir.join("key.pem"), key.signing_key.serialize_pem()).expect("write key");
    (dir, pem)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_upgrades_and_the_mail_is_delivered_over_tls() {
    let (dir, pem) = self_signed();
    let lines = format!(
        "tls_cert = \"{}\"\ntls_key = \"{}\"",
        dir.join("cert.pem").display(),
        dir.join("key.pem").display()
    );
    let app = MailApp::start(Backend::Sqlite, config(&lines, "")).await;

    let mut raw = Raw::hello(app.smtp).await;
    let ehlo = raw.cmd("EHLO client.test").await;
    assert!(ehlo.contains("STARTTLS"), "offered: {ehlo}");
    assert!(raw.cmd("STARTTLS").await.starts_with("220 2.0.0"));

    let tls = TlsParameters::builder("localhost".to_owned())
        .add_root_certificate(Certificate::from_pem(pem.as_bytes()).expect("pem"))
        .build_rustls()
        .expect("tls parameters");
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(app.smtp.ip().to_string())
        .port(app.smtp.port())
        .tls(Tls::Required(tls))
        .build();
    let msg = Message::builder()
        .from("ops@example.com".parse().unwrap())
        .to(format!("web@{DOMAIN}").parse().unwrap())
        .subject("PROBLEM: over TLS")
        .body("sent encrypted\n".to_owned())
        .unwrap();
    let reply = mailer.send(msg).await.expect("delivered over STARTTLS");
    assert_eq!(reply.code().to_string(), "250");
    let log = app.last().await;
    assert_eq!(log["outcome"], "triggered");
    assert_eq!(log["subject"], "PROBLEM: over TLS");

    app.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
