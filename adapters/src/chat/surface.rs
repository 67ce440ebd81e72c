//! One chat platform as the card driver ([`CardNotifier`](super::cards::CardNotifier)) and
//! file sharing need it: how to draw cards, summaries and lines in the platform's markup, and
//! how to post, reply in a thread, edit, delete and upload there.

use async_trait::async_trait;
use firebell_commands::Doc;
use firebell_engine::ChatPlatform;
use firebell_engine::config::{Room, User};
use firebell_engine::notify::{Notification, NotifyError};
use firebell_engine::{ContactMethod, Incident};

use super::text;
use super::view::{BundleView, CardView, Person};

/// A line for a thread or channel, and the people it should notify (platforms that can limit
/// who is pinged, such as Discord, ping only these; the others ping whoever is mentioned).
pub struct Line {
    pub text: String,
    pub ping: Vec<String>,
}

/// One chat platform, as the card driver needs it.
#[async_trait]
pub trait Surface: Send + Sync + 'static {
    /// A message body as the platform's API takes it.
    type Content: serde::Serialize + Send + Sync;
    const PLATFORM: ChatPlatform;
    const NAME: &'static str;

    /// The room's channel on this platform, if it has one.
    fn channel<'a>(&self, room: &'a Room) -> Option<&'a str> {
        room.channel(Self::PLATFORM)
    }
    /// The user's id on this platform, if linked.
    fn chat_id<'a>(&self, user: &'a User) -> Option<&'a str>;
    /// A line or notice of the shared wording ([`text`]) in the platform's markup, cut to what
    /// one message holds.
    fn line_text(&self, doc: &Doc) -> String;

    fn card(&self, view: &CardView) -> Self::Content;
    fn bundle(&self, view: &BundleView) -> Self::Content;
    fn message(&self, line: Line) -> Self::Content;
    /// The thread line for a notification, or `None` when it adds nothing there.
    fn thread_entry(
        &self,
        n: &Notification,
        incident: &Incident,
        now: chrono::DateTime<chrono::Utc>,
        person: &dyn Fn(&str) -> Person,
    ) -> Option<String> {
        text::thread_entry(n, Some(incident), now, person).map(|d| self.line_text(&d))
    }
    /// "Texted Alice Adams (level 1)", or why not.
    fn page_sent(
        &self,
        name: &str,
        method: ContactMethod,
        level: u32,
        failed: Option<&str>,
    ) -> String {
        self.line_text(&text::page_sent(name, method, level, failed))
    }
    /// A room post about no one incident (hand-off, maintenance).
    fn room_notice(
        &self,
        n: &Notification,
        person: &dyn Fn(&str) -> Person,
        names: &dyn Fn(&str) -> String,
    ) -> Option<String> {
        text::room_notice(n, person, names).map(|d| self.line_text(&d))
    }
    /// The one page line in a storm summary's thread.
    fn storm_page(&self, who: Person) -> String {
        self.line_text(&text::storm_page(who))
    }
    /// Text of ours in the command grammar's light Markdown (a command reply, a report
    /// digest), for this platform.
    fn reply_text(&self, reply: &firebell_commands::Reply) -> String;

    /// Posts to a channel; returns the message id.
    async fn post(&self, channel: &str, content: Self::Content) -> Result<String, NotifyError>;
    /// Posts in the thread of message `parent` (starting the thread if the platform needs to;
    /// `topic` is the incident the thread is about, `None` for a storm summary's).
    async fn reply(
        &self,
        channel: &str,
        parent: &str,
        topic: Option<&Incident>,
        content: Self::Content,
    ) -> Result<String, NotifyError>;
    async fn edit(
        &self,
        channel: &str,
        id: &str,
        content: Self::Content,
    ) -> Result<(), NotifyError>;
    async fn delete(&self, channel: &str, id: &str) -> Result<(), NotifyError>;
    /// Posts a file with its text as one message; returns the platform's id for what was posted.
    async fn upload(&self, upload: Upload<'_>) -> Result<String, NotifyError>;
    /// Whether an error says the message no longer exists (deleted by someone).
    fn is_gone(&self, e: &NotifyError) -> bool;
    /// Whether the platform answered again after failures (told once).
    fn take_recovered(&self) -> bool;
}

/// A file to post as one message with `text` (already in the platform's markup): in `channel`,
/// or in the thread of message `thread` when given, as [`Surface::reply`] would post there
/// (`topic` naming the thread).
pub struct Upload<'a> {
    pub channel: &'a str,
    pub thread: Option<&'a str>,
    pub topic: Option<&'a Incident>,
    pub text: String,
    pub file: &'a firebell_commands::Attachment,
}
