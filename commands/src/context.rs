//! Where a message came from: platform, sender and thread. Adapters build one per message.

use firebell_engine::ChatPlatform;
use firebell_engine::{IncidentNumber, UserId};

/// Everything about a message except its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub platform: ChatPlatform,
    /// The sender as the platform knows them: a Slack `U…` id, a Discord snowflake, or on the
    /// console the configured `[console] user` (empty when none is configured).
    pub user: String,
    /// The incident whose thread the message was typed in: `!ack`, `!resolve` and `!note` act on
    /// it when no number is given.
    pub thread_incident: Option<IncidentNumber>,
    /// The console is a room of one talking only to firebell, so `ack 3` means `!ack 3`; in a
    /// shared channel only `!`-prefixed text is addressed to the bot.
    pub bang_optional: bool,
    /// The configured room (`[rooms.NAME]`) the message was typed in, when the adapter knows it;
    /// `None` on the console, in a direct message and in a channel that is no configured room.
    /// `!maintenance` announces its window there, and `all` covers the services posted there.
    pub room: Option<String>,
    /// A direct message with the bot: there is no room, so `all` and a bare `!ack` cover
    /// nothing and the person is asked to name the incidents.
    pub direct: bool,
    /// The incidents of the storm summary whose thread the message was typed in (empty
    /// elsewhere): there `all` means exactly these.
    pub storm: Vec<IncidentNumber>,
}

impl Context {
    /// A message in a Slack or Discord channel, from the platform user `user`.
    pub fn chat(platform: ChatPlatform, user: impl Into<String>) -> Self {
        Self {
            platform,
            user: user.into(),
            thread_incident: None,
            bang_optional: false,
            room: None,
            direct: false,
            storm: Vec::new(),
        }
    }

    /// A line typed on the console, acting as the configured console user (if any).
    pub fn console(user: Option<&UserId>) -> Self {
        Self {
            platform: ChatPlatform::Console,
            user: user.map(|u| u.as_str().to_owned()).unwrap_or_default(),
            thread_incident: None,
            bang_optional: true,
            room: None,
            direct: false,
            storm: Vec::new(),
        }
    }

    /// The same message, typed in the configured room `room`.
    pub fn in_room(mut self, room: impl Into<String>) -> Self {
        self.room = Some(room.into());
        self
    }

    /// The same message, sent to the bot directly rather than in a channel.
    pub fn direct_message(mut self) -> Self {
        self.direct = true;
        self
    }

    /// The same message, typed in the thread of a storm summary showing `incidents`.
    pub fn in_storm(mut self, incidents: Vec<IncidentNumber>) -> Self {
        self.storm = incidents;
        self
    }

    /// The same message, typed in incident `n`'s thread.
    pub fn in_thread(mut self, n: IncidentNumber) -> Self {
        self.thread_incident = Some(n);
        self
    }
}
