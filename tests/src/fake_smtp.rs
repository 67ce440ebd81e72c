//! A tiny SMTP server on 127.0.0.1 speaking just enough of RFC 5321 for a client like lettre
//! (220, EHLO/HELO, MAIL, RCPT, DATA, `.`, RSET, NOOP, QUIT) and recording each message. It can be
//! told to refuse the next recipients with a transient (451) or permanent (550) reply.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// Headers and body as sent, dot-unstuffed, with CRLF line ends.
    pub data: String,
}

impl Mail {
    /// A header's value (first occurrence, unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut() {
                if line.starts_with([' ', '\t']) {
                    v.push(' ');
                    v.push_str(line.trim());
                    continue;
                }
                return value;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }

    /// Everything after the headers.
    pub fn body(&self) -> &str {
        self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b)
    }
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<Mail>>,
    refuse: Mutex<VecDeque<&'static str>>,
    changed: Notify,
}

pub struct FakeSmtp {
    pub port: u16,
    shared: Arc<Shared>,
}

impl FakeSmtp {
    pub async fn start() -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = session(stream, s).await;
                });
            }
        });
        FakeSmtp { port, shared }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.shared.mails.lock().expect("mails").clone()
    }

    /// The next recipient is refused with `451 4.3.0` (try again later).
    pub fn refuse_next_transiently(&self) {
        let mut r = self.shared.refuse.lock().expect("refuse");
        r.push_back("451 4.3.0 Mailbox temporarily unavailable, try again later");
    }

    /// The next recipient is refused with `550 5.1.1` (no such user).
    pub fn refuse_next_permanently(&self) {
        let mut r = self.shared.refuse.lock().expect("refuse");
        r.push_back("550 5.1.1 No such user here");
    }

    /// Waits (up to 10 s) until at least `n` messages arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.shared.changed.notified();
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "the fake SMTP server got {} message(s), not {n}: {mails:#?}",
                    mails.len()
                );
            }
        }
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 fake.smtp.test ESMTP ready\r\n")
        .await?;
    let mut from = String::new();
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let verb = cmd
            .split([' ', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => "250-fake.smtp.test greets you\r\n250-8BITMIME\r\n250 SMTPUTF8".to_owned(),
            "HELO" => "250 fake.smtp.test".to_owned(),
            "MAIL" => {
                from = address(&cmd);
                to.clear();
                "250 2.1.0 OK".to_owned()
            }
            "RCPT" => match shared.refuse.lock().expect("refuse").pop_front() {
                Some(refusal) => refusal.to_owned(),
                None => {
                    to.push(address(&cmd));
                    "250 2.1.5 OK".to_owned()
                }
            },
            "DATA" if to.is_empty() => "503 5.5.1 No valid recipients".to_owned(),
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let mail = Mail {
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                };
                let n = {
                    let mut mails = shared.mails.lock().expect("mails");
                    mails.push(mail);
                    mails.len()
                };
                shared.changed.notify_waiters();
                format!("250 2.0.0 Ok: queued as FAKE{n}")
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 2.0.0 OK".to_owned()
            }
            "NOOP" => "250 2.0.0 OK".to_owned(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized".to_owned(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

/// `MAIL FROM:<a@b> SIZE=…` → `a@b`.
fn address(cmd: &str) -> String {
    let start = cmd.find('<').map_or(0, |i| i + 1);
    let end = cmd[start..].find('>').map_or(cmd.len(), |i| start + i);
    cmd[start..end].to_owned()
}
