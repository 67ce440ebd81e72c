//! DATA: the message read to its final dot (undoing dot-stuffing, holding at most the limit),
//! then applied to every service it was addressed to, and answered only once each outcome is
//! committed — 250 with what became of it, 451 (the sender retries) when it could not be.

use firebell_engine::ServiceName;
use firebell_engine::email::{MailVia, ReceivedMail};
use smtp_proto::request::receiver::{DataReceiver, DummyDataReceiver};
use tokio::io::{AsyncRead, AsyncWrite};
use tracing::{error, info};

use super::reply::{self, line};
use super::session::{Fill, Input, Session, Transaction};
use crate::email_inbound::parse::parse;

/// Of a message over the limit, the start kept to name it (its subject) in the mail log.
const HEAD_KEPT: usize = 64 * 1024;

impl<S: AsyncRead + AsyncWrite + Unpin> Session<'_, S> {
    /// DATA: reads the message (up to the limit), applies it, answers. `true` to close.
    pub(super) async fn data(&mut self, input: &mut Input) -> std::io::Result<bool> {
        let Some(tx) = self.tx.take() else {
            self.send(line(503, [5, 5, 1], "send MAIL FROM and RCPT TO first"))
                .await?;
            return Ok(false);
        };
        if tx.recipients.is_empty() {
            self.tx = Some(tx);
            self.send(line(
                554,
                [5, 5, 1],
                "no valid recipients; nothing to deliver",
            ))
            .await?;
            return Ok(false);
        }
        self.send(line(
            354,
            [2, 0, 0],
            "send the message; end with <CRLF>.<CRLF>",
        ))
        .await?;
        let max = self.ctx.max_size;
        let mut receiver = DataReceiver::new();
        let mut message = Vec::new();
        // The receiver finds "<CRLF>." only after a line break it has seen: start it at one,
        // so an empty message or a dot-stuffed first line is read right, and drop it at the end.
        receiver.ingest(&mut b"\r\n".iter(), &mut message);
        let mut discarding: Option<DummyDataReceiver> = None;
        let mut seen = 0usize;
        loop {
            let mut bytes = input.unread().iter();
            let before = bytes.len();
            let done = match &mut discarding {
                Some(d) => d.ingest(&mut bytes),
                None => receiver.ingest(&mut bytes, &mut message),
            };
            let taken = before - bytes.len();
            input.pos += taken;
            seen += taken;
            if done {
                break;
            }
            if discarding.is_none() && message.len() > max + 2 {
                // Keep reading to the end (the client is mid-message) but hold nothing more
                // than the start, whose headers name the mail in the log.
                discarding = Some(DummyDataReceiver::new_data(&receiver));
                message.truncate(HEAD_KEPT);
            }
            match self.fill(input).await? {
                Fill::Data => {}
                Fill::Eof | Fill::Closing => return Ok(true),
            }
        }
        // Over the limit, whether noticed while reading or only with the final dot in hand.
        if discarding.is_some() || message.len() > max + 2 {
            message.truncate(HEAD_KEPT);
            let why = format!(
                "the message is larger than the limit of {}",
                reply::size(max)
            );
            let subject = parse(message.get(2..).unwrap_or(&[]), None)
                .map(|m| m.subject)
                .unwrap_or_default();
            for (rcpt, service) in &tx.recipients {
                self.record_refusal(Some(service), Some(rcpt), &tx.sender, &subject, seen, &why)
                    .await;
            }
            self.send(line(552, [5, 3, 4], why)).await?;
            return Ok(false);
        }
        message.drain(..2.min(message.len()));
        let out = self.deliver(&tx, &message).await;
        self.send(out).await?;
        Ok(false)
    }

    /// Applies the message to each service it was addressed to; the reply says what became of
    /// it, or 451 (retry) when an outcome could not be committed.
    async fn deliver(&self, tx: &Transaction, message: &[u8]) -> Vec<u8> {
        let sender = (!tx.sender.is_empty()).then_some(tx.sender.as_str());
        let mail = match parse(message, sender) {
            Ok(m) => m,
            Err(e) => {
                for (rcpt, service) in &tx.recipients {
                    self.record_refusal(
                        Some(service),
                        Some(rcpt),
                        &tx.sender,
                        "",
                        message.len(),
                        e.0,
                    )
                    .await;
                }
                return line(554, [5, 6, 0], e.0);
            }
        };
        let mut done: Vec<&ServiceName> = Vec::new();
        let mut said = Vec::new();
        let mut failed = false;
        for (rcpt, service) in &tx.recipients {
            if done.contains(&service) {
                continue;
            }
            done.push(service);
            let received = ReceivedMail {
                via: MailVia::Smtp,
                recipient: Some(rcpt),
                size: message.len(),
                mail: &mail,
            };
            match self.ctx.engine.receive_mail(service, &received).await {
                Ok(entry) => {
                    info!(peer = %self.peer, service = %service, outcome = %entry.outcome, "mail received");
                    said.push(match entry.incident {
                        Some(n) => format!("{service}: {} #{n}", entry.outcome),
                        None => format!("{service}: {}", entry.outcome),
                    });
                }
                Err(e) => {
                    error!(peer = %self.peer, service = %service, error = %e, "mail could not be recorded");
                    failed = true;
                }
            }
        }
        if failed {
            return line(
                451,
                [4, 3, 0],
                "the mail could not be recorded just now; try again later",
            );
        }
        line(250, [2, 0, 0], format!("accepted ({})", said.join("; ")))
    }
}
