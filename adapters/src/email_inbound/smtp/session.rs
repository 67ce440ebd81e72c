//! One SMTP conversation (RFC 5321): smtp-proto parses each command with its parameters; this
//! file keeps the order of commands, routes recipients to services and bounds what one client
//! can make the listener hold. MAIL FROM and RCPT TO are in `envelope`, DATA is in `data`.
//!
//! Bounds: a command line is at most one read (16 KB), or 4096 bytes when it spans reads
//! (smtp-proto), and the rest of a longer one is skipped; a message at most `max_size`
//! (advertised as SIZE; refused at MAIL when declared larger, at the end of DATA when it turns
//! out larger); [`MAX_RECIPIENTS`] per mail; [`MAX_ERRORS`] bad commands or refused recipients
//! per connection (an address-guessing client is cut off like one that is not speaking SMTP);
//! mails per minute per client address (`limits`); the configured idle timeout per read;
//! [`MAX_SESSION`] for the whole connection.

use std::net::SocketAddr;
use std::time::Duration;

use firebell_engine::ServiceName;
use firebell_engine::email::{MailVia, RefusedMail};
use smtp_proto::request::receiver::RequestReceiver;
use smtp_proto::{Error as ProtoError, Request};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::Ctx;
use super::reply::{self, line};

/// RFC 5321 §4.5.3.1.8 asks servers to take at least 100.
pub(super) const MAX_RECIPIENTS: usize = 100;
/// Bad commands and refused recipients before the connection is closed (a client that is not
/// speaking SMTP, or guessing addresses).
pub(super) const MAX_ERRORS: u32 = 10;
/// Longest connection, however busy.
pub(super) const MAX_SESSION: Duration = Duration::from_secs(3600);

/// How a conversation ended.
pub(super) enum End {
    Closed,
    /// The client asked for STARTTLS and got 220: the caller wraps the stream and starts over.
    StartTls,
}

/// Bytes read but not yet taken by the parser.
#[derive(Default)]
pub(super) struct Input {
    pub(super) buf: Vec<u8>,
    pub(super) pos: usize,
}

impl Input {
    pub(super) fn unread(&self) -> &[u8] {
        &self.buf[self.pos..]
    }
}

/// What a read brought.
pub(super) enum Fill {
    Data,
    /// The client closed the connection.
    Eof,
    /// Already answered with 421; close.
    Closing,
}

/// The mail being assembled (after MAIL FROM).
pub(super) struct Transaction {
    /// The envelope sender; empty for the null sender `<>`.
    pub(super) sender: String,
    pub(super) recipients: Vec<(String, ServiceName)>,
}

pub(super) struct Session<'a, S> {
    pub io: &'a mut S,
    pub ctx: &'a Ctx,
    pub peer: SocketAddr,
    /// TLS is on for this stream.
    pub tls: bool,
    pub stop: &'a CancellationToken,
    /// When the whole connection must end.
    pub deadline: Instant,
    pub(super) helo: Option<String>,
    pub(super) tx: Option<Transaction>,
    pub(super) errors: u32,
    /// Told 421 after its last command: the conversation ends.
    pub(super) closing: bool,
}

impl<'a, S: AsyncRead + AsyncWrite + Unpin> Session<'a, S> {
    pub fn new(
        io: &'a mut S,
        ctx: &'a Ctx,
        peer: SocketAddr,
        tls: bool,
        stop: &'a CancellationToken,
        deadline: Instant,
    ) -> Self {
        Self {
            io,
            ctx,
            peer,
            tls,
            stop,
            deadline,
            helo: None,
            tx: None,
            errors: 0,
            closing: false,
        }
    }

    /// Runs the conversation until QUIT, EOF, an error limit, a timeout, shutdown, or STARTTLS.
    pub async fn run(mut self, greet: bool) -> std::io::Result<End> {
        if greet {
            self.send(reply::greeting(&self.ctx.domain)).await?;
        }
        let mut input = Input::default();
        let mut requests = RequestReceiver::default();
        // After an over-long line, the rest of it up to its line break is dropped, not parsed.
        let mut skip_line = false;
        loop {
            if skip_line {
                match input.unread().iter().position(|b| *b == b'\n') {
                    Some(at) => {
                        input.pos += at + 1;
                        skip_line = false;
                    }
                    None => match self.fill(&mut input).await? {
                        Fill::Data => continue,
                        Fill::Eof | Fill::Closing => return Ok(End::Closed),
                    },
                }
            }
            let mut bytes = input.unread().iter();
            let before = bytes.len();
            let parsed = requests.ingest(&mut bytes).map(Request::into_owned);
            input.pos += before - bytes.len();
            let request = match parsed {
                Ok(r) => r,
                Err(ProtoError::NeedsMoreData { .. }) => match self.fill(&mut input).await? {
                    Fill::Data => continue,
                    Fill::Eof | Fill::Closing => return Ok(End::Closed),
                },
                Err(e) => {
                    skip_line = matches!(e, ProtoError::ResponseTooLong);
                    if self.refuse_command(e).await? {
                        return Ok(End::Closed);
                    }
                    continue;
                }
            };
            match request {
                Request::Quit => {
                    self.send(line(221, [2, 0, 0], "bye")).await?;
                    return Ok(End::Closed);
                }
                Request::StartTls if self.ctx.tls.is_some() && !self.tls => {
                    self.send(line(220, [2, 0, 0], "ready to start TLS"))
                        .await?;
                    // Anything the client pipelined after STARTTLS was sent in the clear and is
                    // dropped (RFC 3207 §5; the CVE-2011-0411 command injection).
                    return Ok(End::StartTls);
                }
                Request::Data => {
                    if self.data(&mut input).await? {
                        return Ok(End::Closed);
                    }
                }
                other => {
                    self.command(other).await?;
                    if self.closing {
                        return Ok(End::Closed);
                    }
                }
            }
        }
    }

    /// Answers every command but QUIT, STARTTLS (when offered) and DATA.
    async fn command(&mut self, request: Request<String>) -> std::io::Result<()> {
        let ctx = self.ctx;
        let out = match request {
            Request::Ehlo { host } => {
                self.helo = Some(host);
                self.tx = None;
                reply::ehlo(&ctx.domain, ctx.max_size, ctx.tls.is_some() && !self.tls)
            }
            Request::Helo { host } => {
                self.helo = Some(host);
                self.tx = None;
                format!("250 {}\r\n", ctx.domain).into_bytes()
            }
            Request::Mail { from } => self.mail(from.address, from.size),
            Request::Rcpt { to } => self.rcpt(to.address).await,
            Request::Rset => {
                self.tx = None;
                line(250, [2, 0, 0], "reset")
            }
            Request::Noop { .. } => line(250, [2, 0, 0], "OK"),
            Request::Vrfy { .. } => line(
                252,
                [2, 5, 0],
                "cannot verify addresses; send the mail and see",
            ),
            Request::Help { .. } => line(
                214,
                [2, 0, 0],
                format!(
                    "firebell takes alerts at <service address>@{}: EHLO, MAIL, RCPT, DATA, QUIT",
                    ctx.domain
                ),
            ),
            Request::StartTls if self.tls => line(503, [5, 5, 1], "TLS is already on"),
            Request::StartTls => line(
                502,
                [5, 5, 1],
                "STARTTLS is not offered: no certificate is configured",
            ),
            Request::Auth { .. } => line(
                502,
                [5, 5, 1],
                "no authentication here: mail is routed by its recipient address",
            ),
            other => line(
                502,
                [5, 5, 1],
                format!("{} is not implemented", other.name()),
            ),
        };
        self.send(out).await
    }

    pub(super) fn over_errors(&self) -> bool {
        self.errors >= MAX_ERRORS
    }

    /// Answers a command smtp-proto could not parse; `true` when the client made too many.
    async fn refuse_command(&mut self, e: ProtoError) -> std::io::Result<bool> {
        self.errors += 1;
        if self.over_errors() {
            self.send(line(421, [4, 7, 0], "too many bad commands; closing"))
                .await?;
            return Ok(true);
        }
        let out = match e {
            ProtoError::UnknownCommand => line(500, [5, 5, 2], "unknown command"),
            ProtoError::InvalidSenderAddress => line(
                501,
                [5, 1, 7],
                "bad sender address; use MAIL FROM:<you@example.com>",
            ),
            ProtoError::InvalidRecipientAddress => line(
                501,
                [5, 1, 3],
                "bad recipient address; use RCPT TO:<service@domain>",
            ),
            ProtoError::SyntaxError { syntax } => line(501, [5, 5, 4], format!("syntax: {syntax}")),
            ProtoError::InvalidParameter { param } => {
                line(501, [5, 5, 4], format!("invalid value for {param}"))
            }
            ProtoError::UnsupportedParameter { param } => {
                line(555, [5, 5, 4], format!("unsupported parameter {param}"))
            }
            ProtoError::ResponseTooLong => {
                line(500, [5, 5, 6], "line too long (the limit is 4096 bytes)")
            }
            ProtoError::NeedsMoreData { .. } | ProtoError::InvalidResponse { .. } => {
                line(500, [5, 5, 2], "cannot parse the command")
            }
        };
        self.send(out).await?;
        Ok(false)
    }

    /// Reads more input once everything read before is taken.
    pub(super) async fn fill(&mut self, input: &mut Input) -> std::io::Result<Fill> {
        input.buf.resize(16 * 1024, 0);
        input.pos = 0;
        let wait_until = (Instant::now() + self.ctx.timeout).min(self.deadline);
        let read = tokio::select! {
            biased;
            _ = self.stop.cancelled() => None,
            r = tokio::time::timeout_at(wait_until, self.io.read(&mut input.buf)) => Some(r),
        };
        let n = match read {
            None => {
                input.buf.clear();
                self.send(line(
                    421,
                    [4, 3, 2],
                    "firebell is shutting down; try again later",
                ))
                .await?;
                return Ok(Fill::Closing);
            }
            Some(Err(_)) => {
                input.buf.clear();
                self.send(line(421, [4, 4, 2], "idle too long; closing"))
                    .await?;
                return Ok(Fill::Closing);
            }
            Some(Ok(r)) => r?,
        };
        input.buf.truncate(n);
        Ok(if n == 0 { Fill::Eof } else { Fill::Data })
    }

    pub(super) async fn send(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.io.write_all(&bytes).await?;
        self.io.flush().await
    }

    /// Writes a refusal to the mail log; a database problem is logged, never shown to the
    /// sender (the refusal stands either way).
    pub(super) async fn record_refusal(
        &self,
        service: Option<&ServiceName>,
        recipient: Option<&str>,
        sender: &str,
        subject: &str,
        size: usize,
        reason: &str,
    ) {
        let refused = RefusedMail {
            via: MailVia::Smtp,
            service,
            recipient,
            sender,
            subject,
            size,
            reason,
        };
        if let Err(e) = self.ctx.engine.refuse_mail(&refused).await {
            warn!(peer = %self.peer, error = %e, reason, "could not record a refused mail");
        }
    }
}
