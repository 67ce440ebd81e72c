//! Files that come with a command's answer, such as a postmortem draft: filed in the thread of
//! the incident's card when the incident has one on this platform (where the team talked it
//! through), otherwise beside the answer.

use firebell_commands::{Attachment, Reply};
use firebell_engine::Engine;
use firebell_engine::notify::NotifyError;
use tracing::warn;

use super::surface::{Surface, Upload};

/// Where the answer went: a channel, and the thread in it if the command was typed in one.
#[derive(Debug, Clone, Copy)]
pub struct Here<'a> {
    pub channel: &'a str,
    pub thread: Option<&'a str>,
}

/// Posts `file` with its caption; returns the platform's id for the post.
pub async fn share<S: Surface>(
    engine: &Engine,
    surface: &S,
    here: Here<'_>,
    file: &Attachment,
) -> Result<String, NotifyError> {
    let text = surface.reply_text(&Reply::info(file.caption.clone()));
    if let Some(n) = file.incident {
        let card = engine.chat_card(S::PLATFORM, n).await.unwrap_or_else(|e| {
            warn!(error = %e, incident = %n, "looking up the incident's card failed");
            None
        });
        if let Some(card) = card {
            let topic = engine.incident(n).await.ok();
            return surface
                .upload(Upload {
                    channel: &card.channel,
                    thread: Some(&card.message_id),
                    topic: topic.as_ref(),
                    text,
                    file,
                })
                .await;
        }
    }
    surface
        .upload(Upload {
            channel: here.channel,
            thread: here.thread,
            topic: None,
            text,
            file,
        })
        .await
}
