//! The envelope: MAIL FROM starts a mail within the sender limits, RCPT TO routes each recipient
//! to the service its address names (refusals recorded in the mail log, and counted).

use tokio::io::{AsyncRead, AsyncWrite};

use super::reply::{self, line};
use super::session::{MAX_RECIPIENTS, Session, Transaction};

impl<S: AsyncRead + AsyncWrite + Unpin> Session<'_, S> {
    /// MAIL FROM: starts a mail, unless the client has not said hello, has one started, sends
    /// too many, or declares one over the size limit.
    pub(super) fn mail(&mut self, sender: String, declared: usize) -> Vec<u8> {
        if self.helo.is_none() {
            return line(503, [5, 5, 1], "send EHLO (or HELO) first");
        }
        if self.tx.is_some() {
            return line(
                503,
                [5, 5, 1],
                "a mail is already started; RSET to start over",
            );
        }
        if !self
            .ctx
            .limits
            .message(self.peer.ip(), self.ctx.engine.clock().now())
        {
            return line(
                450,
                [4, 7, 1],
                "too many mails from your address; try again in a minute",
            );
        }
        if declared > self.ctx.max_size {
            return line(
                552,
                [5, 3, 4],
                format!(
                    "the message is {}; the limit is {}",
                    reply::size(declared),
                    reply::size(self.ctx.max_size)
                ),
            );
        }
        self.tx = Some(Transaction {
            sender: sender.to_ascii_lowercase(),
            recipients: Vec::new(),
        });
        line(250, [2, 1, 0], "sender OK")
    }

    /// RCPT TO: adds a recipient, routed to the service its address names; a refused one is
    /// recorded in the mail log and counts as an error.
    pub(super) async fn rcpt(&mut self, address: String) -> Vec<u8> {
        let ctx = self.ctx;
        let Some(tx) = &mut self.tx else {
            return line(503, [5, 5, 1], "send MAIL FROM first");
        };
        if tx.recipients.len() >= MAX_RECIPIENTS {
            return line(
                452,
                [4, 5, 3],
                format!("at most {MAX_RECIPIENTS} recipients per mail"),
            );
        }
        let (local, domain) = address.rsplit_once('@').unwrap_or((address.as_str(), ""));
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let service = (domain == ctx.domain)
            .then(|| ctx.engine.config().email.service_for_address(local))
            .flatten()
            .cloned();
        let Some(service) = service else {
            let why = if domain == ctx.domain {
                format!(
                    "<{address}>: no service receives mail at this address; each service has one (its name, or `address` under [services.NAME.email] in firebell.toml)"
                )
            } else {
                format!(
                    "<{address}>: this server only takes mail for <service address>@{}",
                    ctx.domain
                )
            };
            let sender = tx.sender.clone();
            self.record_refusal(None, Some(&address), &sender, "", 0, &why)
                .await;
            self.errors += 1;
            if self.over_errors() {
                self.closing = true;
                return line(421, [4, 7, 0], "too many refused recipients; closing");
            }
            return line(550, [5, 1, 1], why);
        };
        tx.recipients.push((address, service));
        line(250, [2, 1, 5], "recipient OK")
    }
}
