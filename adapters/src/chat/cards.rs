//! The outbound port on a chat platform: every incident has one message in its room's channel —
//! its card, or during an alert storm one summary for many — edited in place on every change,
//! with the timeline told in its thread. Which message shows which incident is kept in the
//! database (`Engine::chat_card`), so restarts and replicas edit rather than repost.
//!
//! The platform supplies a [`Surface`]: how to draw (cards, summaries, thread lines) and how to
//! post, reply in a thread and edit. Everything else — when to post, bundle, edit or stay quiet —
//! lives here once for every platform. Posts about no one incident (hand-offs, maintenance,
//! report digests) are in `room`.

mod room;

use std::hash::{Hash, Hasher};

use async_trait::async_trait;
use firebell_engine::chat::{ChatBundle, ChatCard};
use firebell_engine::notify::{Delivered, Notification, Notifier, NotifyError, Outgoing};
use firebell_engine::{Engine, EngineError, Incident};
use tracing::{info, warn};

use super::surface::{Line, Surface};
use super::view::{BundleView, CardView, Person};

/// Storm settings: after `after` cards within `window` in one channel, bundle.
#[derive(Debug, Clone, Copy)]
pub struct Storm {
    pub after: u32,
    pub window: chrono::Duration,
}

#[derive(Clone)]
pub struct CardNotifier<S> {
    engine: Engine,
    surface: S,
    storm: Storm,
}

impl<S: Surface> CardNotifier<S> {
    pub fn new(engine: Engine, surface: S, storm: Storm) -> Self {
        Self {
            engine,
            surface,
            storm,
        }
    }

    fn person(&self, user: &str) -> Person {
        let found = self.engine.config().user(user);
        Person {
            chat_id: found
                .and_then(|u| self.surface.chat_id(u))
                .map(str::to_owned),
            name: found.map_or_else(|| user.to_owned(), |u| u.name.clone()),
        }
    }

    fn name(&self, user: &str) -> String {
        self.engine
            .config()
            .user(user)
            .map_or_else(|| user.to_owned(), |u| u.name.clone())
    }

    async fn card_content(&self, incident: &Incident) -> Result<S::Content, NotifyError> {
        let users = self.engine.paged_users(incident.number).await.map_err(db)?;
        let paged: Vec<Person> = users.iter().map(|u| self.person(u.as_str())).collect();
        let names = |u: &str| self.name(u);
        Ok(self.surface.card(&CardView {
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
        let (e, platform, window) = (&self.engine, S::PLATFORM, self.storm.window);
        if let Some(card) = e.chat_card(platform, incident.number).await.map_err(db)? {
            return Ok(card);
        }
        let open = e
            .open_chat_bundle(platform, channel, window)
            .await
            .map_err(db)?;
        let storm = match open {
            Some(b) => Some(b),
            None => {
                let recent = e
                    .recent_chat_cards(platform, channel, window)
                    .await
                    .map_err(db)?;
                if recent >= i64::from(self.storm.after) {
                    Some(e.new_chat_bundle(platform, channel).await.map_err(db)?)
                } else {
                    None
                }
            }
        };
        match storm {
            None => self.post_card(channel, incident).await,
            Some(bundle) => self.join_bundle(bundle, incident).await,
        }
    }

    async fn post_card(&self, channel: &str, incident: &Incident) -> Result<ChatCard, NotifyError> {
        let content = self.card_content(incident).await?;
        let rendered = fingerprint(&content);
        let id = self.surface.post(channel, content).await?;
        let card = ChatCard {
            incident: incident.number,
            channel: channel.to_owned(),
            message_id: id.clone(),
            bundle: None,
            rendered: Some(rendered),
        };
        if self
            .engine
            .record_chat_card(S::PLATFORM, &card)
            .await
            .map_err(db)?
        {
            return Ok(card);
        }
        // Another replica posted this incident's card at the same moment: keep theirs.
        if let Err(e) = self.surface.delete(channel, &id).await {
            warn!(incident = %incident.number, error = %e.message, "could not delete a duplicate card");
        }
        self.engine
            .chat_card(S::PLATFORM, incident.number)
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
        let id = match &bundle.message_id {
            Some(id) => id.clone(),
            None => {
                let content = self.surface.bundle(&BundleView {
                    incidents: std::slice::from_ref(incident),
                    since: bundle.opened_at,
                    now,
                    paged: &[],
                });
                let id = self.surface.post(&bundle.channel, content).await?;
                info!(platform = S::NAME, channel = %bundle.channel, "alert storm: bundling new incidents into one message");
                bundle.message_id = Some(id.clone());
                id
            }
        };
        bundle.last_at = now;
        self.engine.save_chat_bundle(&bundle).await.map_err(db)?;
        let card = ChatCard {
            incident: incident.number,
            channel: bundle.channel.clone(),
            message_id: id,
            bundle: Some(bundle.id),
            rendered: None,
        };
        self.engine
            .record_chat_card(S::PLATFORM, &card)
            .await
            .map_err(db)?;
        Ok(card)
    }

    /// Edits the card (or the summary) to show the incident as it is now, unless that is what
    /// was sent last: a backlog of updates after an outage costs one edit.
    async fn refresh(&self, card: &mut ChatCard, incident: &Incident) -> Result<(), NotifyError> {
        let Some(id) = card.bundle else {
            let content = self.card_content(incident).await?;
            let rendered = fingerprint(&content);
            if card.rendered.as_deref() == Some(rendered.as_str()) {
                return Ok(());
            }
            match self
                .surface
                .edit(&card.channel, &card.message_id, content)
                .await
            {
                Err(e) if self.surface.is_gone(&e) => {
                    // Someone deleted the card (and its thread): post it again and carry on
                    // there.
                    warn!(platform = S::NAME, incident = %incident.number, "card was deleted; posting it again");
                    let content = self.card_content(incident).await?;
                    let id = self.surface.post(&card.channel, content).await?;
                    self.engine
                        .move_chat_card(S::PLATFORM, incident.number, &id)
                        .await
                        .map_err(db)?;
                    card.message_id = id;
                }
                other => other?,
            }
            return self
                .engine
                .set_chat_rendered(S::PLATFORM, incident.number, &rendered)
                .await
                .map_err(db);
        };
        self.refresh_bundle(id).await
    }

    async fn refresh_bundle(&self, id: i64) -> Result<(), NotifyError> {
        let e = &self.engine;
        let Some(mut bundle) = e.chat_bundle(id).await.map_err(db)? else {
            return Ok(());
        };
        let Some(message) = bundle.message_id.clone() else {
            return Ok(());
        };
        let incidents = e.chat_bundle_incidents(id).await.map_err(db)?;
        let paged: Vec<Person> = bundle.mentioned.iter().map(|u| self.person(u)).collect();
        let content = self.surface.bundle(&BundleView {
            incidents: &incidents,
            since: bundle.opened_at,
            now: e.clock().now(),
            paged: &paged,
        });
        let rendered = fingerprint(&content);
        if bundle.rendered.as_deref() == Some(rendered.as_str()) {
            return Ok(());
        }
        self.surface
            .edit(&bundle.channel, &message, content)
            .await?;
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
        let person = |u: &str| self.person(u);
        let line = match (&msg.notification, card.bundle) {
            (Notification::Paged { user, .. }, Some(id)) => {
                let Some(mut bundle) = self.engine.chat_bundle(id).await.map_err(db)? else {
                    return Ok(None);
                };
                if bundle.mentioned.iter().any(|u| u == user) {
                    return Ok(None);
                }
                let line = self.paging_line(user, self.surface.storm_page(self.person(user)));
                let ts = self
                    .surface
                    .reply(
                        &card.channel,
                        &card.message_id,
                        None,
                        self.surface.message(line),
                    )
                    .await?;
                bundle.mentioned.push(user.clone());
                self.engine.save_chat_bundle(&bundle).await.map_err(db)?;
                self.refresh_bundle(id).await?;
                return Ok(Some(ts));
            }
            (_, Some(_)) => return Ok(None),
            (
                Notification::PageSent {
                    user,
                    method,
                    level,
                    failed,
                },
                None,
            ) => Line {
                text: self
                    .surface
                    .page_sent(&self.name(user), *method, *level, failed.as_deref()),
                ping: Vec::new(),
            },
            (n, None) => {
                let Some(text) = self.surface.thread_entry(n, incident, now, &person) else {
                    return Ok(None);
                };
                match n {
                    Notification::Paged { user, .. } => self.paging_line(user, text),
                    _ => Line {
                        text,
                        ping: Vec::new(),
                    },
                }
            }
        };
        let id = self
            .surface
            .reply(
                &card.channel,
                &card.message_id,
                Some(incident),
                self.surface.message(line),
            )
            .await?;
        Ok(Some(id))
    }

    /// A line that pages `user`: it pings them (and only them).
    fn paging_line(&self, user: &str, text: String) -> Line {
        Line {
            text,
            ping: self.person(user).chat_id.into_iter().collect(),
        }
    }
}

#[async_trait]
impl<S: Surface> Notifier for CardNotifier<S> {
    async fn deliver(&self, msg: &Outgoing) -> Result<Delivered, NotifyError> {
        let Some(channel) = self.surface.channel(&msg.room) else {
            return Err(NotifyError::permanent(format!(
                "room `{}` has no {} channel",
                msg.room.name,
                S::NAME
            )));
        };
        let result = match &msg.incident {
            None => self.room_post(channel, msg).await,
            Some(incident) => {
                let mut card = self.shown(channel, incident).await?;
                self.refresh(&mut card, incident).await?;
                let id = self.thread(&card, msg, incident).await?;
                Ok(delivered::<S>(id.or(Some(card.message_id))))
            }
        };
        if result.is_ok() && self.surface.take_recovered() {
            // The platform is back: what failed during the outage goes out now, not after its
            // backoff.
            match self.engine.retry_chat_now().await {
                Ok(n) if n > 0 => {
                    info!(
                        platform = S::NAME,
                        posts = n,
                        "reachable again; sending the backlog"
                    )
                }
                Ok(_) => {}
                Err(e) => warn!(error = %e, "could not hurry the chat backlog"),
            }
        }
        result
    }
}

fn delivered<S: Surface>(id: Option<String>) -> Delivered {
    Delivered {
        external_ref: id,
        provider: Some(S::NAME.to_lowercase()),
        note: None,
    }
}

fn db(e: EngineError) -> NotifyError {
    NotifyError::retryable(format!("database: {e}"))
}

/// A short fingerprint of a message's content, to skip edits that would change nothing.
fn fingerprint<T: serde::Serialize>(content: &T) -> String {
    let json = serde_json::to_string(content).unwrap_or_default();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    json.hash(&mut h);
    format!("{:016x}", h.finish())
}
