//! Room posts about no one incident: hand-offs, maintenance windows, and scheduled report
//! digests (the figures with their chart attached).

use firebell_engine::notify::{Delivered, Notification, NotifyError, Outgoing};

use super::{CardNotifier, delivered};
use crate::chat::surface::{Line, Surface, Upload};

impl<S: Surface> CardNotifier<S> {
    pub(super) async fn room_post(
        &self,
        channel: &str,
        msg: &Outgoing,
    ) -> Result<Delivered, NotifyError> {
        let person = |u: &str| self.person(u);
        let names = |u: &str| self.name(u);
        let text = match &msg.notification {
            Notification::Digest { report, text, .. } => {
                // The figures reach us as light Markdown in the outbox row: read once here.
                let body = format!("📊 *Report `{report}`*\n{text}");
                let render = |extra: &str| {
                    let doc = firebell_commands::Doc::markup(&format!("{body}{extra}"));
                    self.surface
                        .reply_text(&firebell_commands::Reply::info(doc))
                };
                // The chart and the figures as one message, so a retry cannot post one twice.
                let uploaded = match crate::reports::digest_chart(&msg.notification) {
                    Some(chart) => Some(
                        self.surface
                            .upload(Upload {
                                channel,
                                thread: None,
                                topic: None,
                                text: render(""),
                                file: &chart,
                            })
                            .await,
                    ),
                    None => None,
                };
                match uploaded {
                    None => Some(render("")),
                    Some(Ok(id)) => return Ok(delivered::<S>(Some(id))),
                    // The figures matter more than the picture: a platform that takes posts but
                    // not files (an app installed before it needed the files scope) still gets
                    // them. If the platform is down, this post fails too and the row is retried.
                    Some(Err(e)) => {
                        tracing::warn!(error = %e.message, report, "could not attach a digest's chart");
                        Some(render(&format!(
                            "\n(The chart could not be attached: {}. It is at \
                             `GET /api/v1/reports/summary?format=png`.)",
                            e.message
                        )))
                    }
                }
            }
            n => self.surface.room_notice(n, &person, &names),
        };
        let Some(text) = text else {
            return Ok(Delivered::default());
        };
        // A hand-off pings the person now on call.
        let ping = match &msg.notification {
            Notification::Handoff { to: Some(to), .. } => {
                self.person(to).chat_id.into_iter().collect()
            }
            _ => Vec::new(),
        };
        let id = self
            .surface
            .post(channel, self.surface.message(Line { text, ping }))
            .await?;
        Ok(delivered::<S>(Some(id)))
    }
}
