//! The engine's outbound port on Slack: every incident has one message in its room's channel —
//! its card, or during an alert storm one summary for many — edited in place on every change,
//! with the timeline told in its thread. Which message shows which incident is kept in the
//! database (`Engine::chat_card`), so restarts and replicas edit rather than repost.

use std::hash::{Hash, Hasher};

use async_trait::async_trait;
use firebell_engine::chat::{ChatBundle, ChatCard};
use firebell_engine::config::{ChatPlatform, Slack};
use firebell_engine::notify::{Delivered, Notification, Notifier, NotifyError, Outgoing};
use firebell_engine::{Engine, EngineError, Incident};
use slack_morphism::prelude::SlackMessageContent;
use tracing::{info, warn};

use super::api::{SlackApi, api_error_code};
use super::render::{self, BundleView, CardView, Paged};

const SLACK: ChatPlatform = ChatPlatform::Slack;

#[derive(Clone)]
pub struct SlackNotifier {
    engine: Engine,
    api: SlackApi,
    storm_after: i64,
    storm_window: chrono::Duration,
}

impl SlackNotifier {
    pub fn new(engine: Engine, api: SlackApi, config: &Slack) -> Self {
        Self {
            engine,
            api,
            storm_after: i64::from(config.storm_after),
            storm_window: config.storm_window,
        }
    }

    /// `<@U…>` for a user linked to Slack, else their escaped display name.
    fn mention(&self, user: &str) -> String {
        self.person(user).mention()
    }

    fn person(&self, user: &str) -> Paged {
        let found = self.engine.config().user(user);
        Paged {
            slack_id: found.and_then(|u| u.slack_id.clone()),
            name: found.map_or_else(|| user.to_owned(), |u| u.name.clone()),
        }
    }

    fn name(&self, user: &str) -> String {
        self.engine
            .config()
            .user(user)
            .map_or_else(|| user.to_owned(), |u| u.name.clone())
    }

    async fn paged(&self, incident: &Incident) -> Result<Vec<Paged>, NotifyError> {
        let users = self.engine.paged_users(incident.number).await.map_err(db)?;
        Ok(users.iter().map(|id| self.person(id.as_str())).collect())
    }

    async fn card_content(&self, incident: &Incident) -> Result<SlackMessageContent, NotifyError> {
        let paged = self.paged(incident).await?;
        let names = |u: &str| self.name(u);
        Ok(render::card(&CardView {
            incident,
            paged: &paged,
            level: None,
            now: self.engine.clock().now(),
            names: &names,
        }))
    }

    /// The message showing `incident`: found, or posted now (as a card of its own, or into the
    /// channel's storm summary when many incidents opened there lately).
    async fn shown(&self, channel: &str, incident: &Incident) -> Result<ChatCard, NotifyError> {
        if let Some(card) = self
            .engine
            .chat_card(SLACK, incident.number)
            .await
            .map_err(db)?
        {
            return Ok(card);
        }
        let e = &self.engine;
        let storm = match e
            .open_chat_bundle(SLACK, channel, self.storm_window)
            .await
            .map_err(db)?
        {
            Some(b) => Some(b),
            None if e
                .recent_chat_cards(SLACK, channel, self.storm_window)
                .await
                .map_err(db)?
                >= self.storm_after =>
            {
                Some(e.new_chat_bundle(SLACK, channel).await.map_err(db)?)
            }
            None => None,
        };
        match storm {
            None => self.post_card(channel, incident).await,
            Some(bundle) => self.join_bundle(bundle, incident).await,
        }
    }

    async fn post_card(&self, channel: &str, incident: &Incident) -> Result<ChatCard, NotifyError> {
        let content = self.card_content(incident).await?;
        let rendered = fingerprint(&content);
        let ts = self.api.post(channel, content, None).await?;
        let card = ChatCard {
            incident: incident.number,
            channel: channel.to_owned(),
            message_id: ts.clone(),
            bundle: None,
            rendered: Some(rendered),
        };
        if self
            .engine
            .record_chat_card(SLACK, &card)
            .await
            .map_err(db)?
        {
            return Ok(card);
        }
        // Another replica posted this incident's card at the same moment: keep theirs.
        if let Err(e) = self.api.delete(channel, &ts).await {
            warn!(incident = %incident.number, error = %e.message, "could not delete a duplicate card");
        }
        self.engine
            .chat_card(SLACK, incident.number)
            .await
            .map_err(db)?
            .ok_or_else(|| NotifyError::retryable("the card vanished while being recorded"))
    }

    async fn join_bundle(
        &self,
        mut bundle: ChatBundle,
        incident: &Incident,
    ) -> Result<ChatCard, NotifyError> {
        let now = self.engine.clock().now();
        let ts = match &bundle.message_id {
            Some(ts) => ts.clone(),
            None => {
                let content = render::bundle(&BundleView {
                    incidents: std::slice::from_ref(incident),
                    since: bundle.opened_at,
                    now,
                    paged: &[],
                });
                let ts = self.api.post(&bundle.channel, content, None).await?;
                info!(channel = %bundle.channel, "alert storm: bundling new incidents into one message");
                bundle.message_id = Some(ts.clone());
                ts
            }
        };
        bundle.last_at = now;
        self.engine.save_chat_bundle(&bundle).await.map_err(db)?;
        let card = ChatCard {
            incident: incident.number,
            channel: bundle.channel.clone(),
            message_id: ts,
            bundle: Some(bundle.id),
            rendered: None,
        };
        self.engine
            .record_chat_card(SLACK, &card)
            .await
            .map_err(db)?;
        Ok(card)
    }

    /// Edits the card (or the summary) to show the incident as it is now, unless that is what
    /// was sent last: a backlog of updates after an outage costs one edit.
    async fn refresh(&self, card: &mut ChatCard, incident: &Incident) -> Result<(), NotifyError> {
        match card.bundle {
            None => {
                let content = self.card_content(incident).await?;
                let rendered = fingerprint(&content);
                if card.rendered.as_deref() == Some(rendered.as_str()) {
                    return Ok(());
                }
                match self
                    .api
                    .update(&card.channel, &card.message_id, content)
                    .await
                {
                    Err(e) if api_error_code(&e) == Some("message_not_found") => {
                        // Someone deleted the card (and its thread): post it again and carry
                        // on there.
                        warn!(incident = %incident.number, "card was deleted in Slack; posting it again");
                        let content = self.card_content(incident).await?;
                        let ts = self.api.post(&card.channel, content, None).await?;
                        self.engine
                            .move_chat_card(SLACK, incident.number, &ts)
                            .await
                            .map_err(db)?;
                        card.message_id = ts;
                    }
                    other => other?,
                }
                self.engine
                    .set_chat_rendered(SLACK, incident.number, &rendered)
                    .await
                    .map_err(db)
            }
            Some(id) => self.refresh_bundle(id).await,
        }
    }

    async fn refresh_bundle(&self, id: i64) -> Result<(), NotifyError> {
        let e = &self.engine;
        let Some(mut bundle) = e.chat_bundle(id).await.map_err(db)? else {
            return Ok(());
        };
        let Some(ts) = bundle.message_id.clone() else {
            return Ok(());
        };
        let incidents = e.chat_bundle_incidents(id).await.map_err(db)?;
        let paged: Vec<Paged> = bundle.mentioned.iter().map(|u| self.person(u)).collect();
        let content = render::bundle(&BundleView {
            incidents: &incidents,
            since: bundle.opened_at,
            now: e.clock().now(),
            paged: &paged,
        });
        let rendered = fingerprint(&content);
        if bundle.rendered.as_deref() == Some(rendered.as_str()) {
            return Ok(());
        }
        self.api.update(&bundle.channel, &ts, content).await?;
        bundle.rendered = Some(rendered);
        e.save_chat_bundle(&bundle).await.map_err(db)
    }

    /// One line in the incident's thread. In a storm summary's thread only pages are told, and
    /// each person once: the summary itself shows every status change.
    async fn thread(
        &self,
        card: &ChatCard,
        msg: &Outgoing,
        incident: &Incident,
    ) -> Result<Option<String>, NotifyError> {
        let now = self.engine.clock().now();
        let mention = |u: &str| self.mention(u);
        match card.bundle {
            None => {
                let text = match &msg.notification {
                    Notification::PageSent {
                        user,
                        method,
                        level,
                        failed,
                    } => Some(render::page_sent(
                        &self.name(user),
                        *method,
                        *level,
                        failed.as_deref(),
                    )),
                    n => render::thread_entry(n, Some(incident), now, &mention),
                };
                let Some(text) = text else {
                    return Ok(None);
                };
                let ts = self
                    .api
                    .post(&card.channel, text_message(text), Some(&card.message_id))
                    .await?;
                Ok(Some(ts))
            }
            Some(id) => {
                let Notification::Paged { user, .. } = &msg.notification else {
                    return Ok(None);
                };
                let Some(mut bundle) = self.engine.chat_bundle(id).await.map_err(db)? else {
                    return Ok(None);
                };
                if bundle.mentioned.iter().any(|u| u == user) {
                    return Ok(None);
                }
                let text = format!(
                    "📟 {} you're on call for the incidents in this storm. `!ack all` acknowledges every one you're paged for; the summary above lists them.",
                    self.mention(user)
                );
                let ts = self
                    .api
                    .post(&card.channel, text_message(text), Some(&card.message_id))
                    .await?;
                bundle.mentioned.push(user.clone());
                self.engine.save_chat_bundle(&bundle).await.map_err(db)?;
                self.refresh_bundle(id).await?;
                Ok(Some(ts))
            }
        }
    }

    async fn room_post(&self, channel: &str, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let mention = |u: &str| self.mention(u);
        let names = |u: &str| self.name(u);
        let Some(text) = render::room_notice(&msg.notification, &mention, &names) else {
            return Ok(Delivered::default());
        };
        let ts = self.api.post(channel, text_message(text), None).await?;
        Ok(delivered(Some(ts)))
    }
}

#[async_trait]
impl Notifier for SlackNotifier {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let Some(channel) = msg.room.slack_channel.as_deref() else {
            return Err(NotifyError::permanent(format!(
                "room `{}` has no Slack channel (`slack = \"C…\"` under [rooms.{}])",
                msg.room.name, msg.room.name
            )));
        };
        let was_failing = self.api.was_failing();
        let result = match &msg.incident {
            None => self.room_post(channel, msg).await,
            Some(incident) => {
                let mut card = self.shown(channel, incident).await?;
                self.refresh(&mut card, incident).await?;
                let ts = self.thread(&card, msg, incident).await?;
                Ok(delivered(ts.or(Some(card.message_id))))
            }
        };
        if was_failing && result.is_ok() {
            // Slack is back: what failed during the outage goes out now, not after its backoff.
            match self.engine.retry_chat_now().await {
                Ok(n) if n > 0 => info!(posts = n, "Slack is reachable again; sending the backlog"),
                Ok(_) => {}
                Err(e) => warn!(error = %e, "could not hurry the chat backlog"),
            }
        }
        result
    }
}

fn text_message(text: String) -> SlackMessageContent {
    SlackMessageContent::new().with_text(text)
}

fn delivered(ts: Option<String>) -> Delivered {
    Delivered {
        external_ref: ts,
        provider: Some("slack".to_owned()),
        note: None,
    }
}

fn db(e: EngineError) -> NotifyError {
    NotifyError::retryable(format!("database: {e}"))
}

/// A short fingerprint of a message's content, to skip edits that would change nothing.
fn fingerprint(content: &SlackMessageContent) -> String {
    let json = serde_json::to_string(content).unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    json.hash(&mut h);
    format!("{:016x}", h.finish())
}
