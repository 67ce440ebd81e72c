//! What people do in Slack, whichever way it arrives (Socket Mode or the Events API): a `!`
//! command typed in a channel or a card's thread, a button on a card, `/firebell <command>`.
//! All three become the same command grammar and get the same replies.

use firebell_commands::{ButtonError, Command, Context, Reply, Tone};
use firebell_engine::ChatPlatform;
use firebell_engine::Engine;
use firebell_engine::replay::Delivery;
use slack_morphism::prelude::*;
use tracing::{debug, warn};

use super::api::SlackApi;
use super::render;
use crate::chat::files::{Here, share};

/// The shared handler behind both connection modes.
#[derive(Clone)]
pub struct SlackInbound {
    engine: Engine,
    api: SlackApi,
}

/// A message typed in a channel the bot is in.
#[derive(Debug, Clone)]
pub struct Typed<'a> {
    pub channel: &'a str,
    pub user: &'a str,
    pub text: &'a str,
    pub ts: &'a str,
    pub thread_ts: Option<&'a str>,
}

/// A button clicked on a card or storm summary.
#[derive(Debug, Clone)]
pub struct Clicked<'a> {
    pub channel: &'a str,
    pub user: &'a str,
    pub message_ts: &'a str,
    pub action_id: &'a str,
    pub value: &'a str,
}

impl SlackInbound {
    pub fn new(engine: Engine, api: SlackApi) -> Self {
        Self { engine, api }
    }

    /// The command context for a message in `channel`: a direct message, or the room whose
    /// channel it is (none for a channel that is no configured room).
    fn context(&self, channel: &str, user: &str) -> Context {
        let ctx = Context::chat(ChatPlatform::Slack, user);
        if is_direct_message(channel) {
            return ctx.direct_message();
        }
        match self
            .engine
            .config()
            .room_by_channel(ChatPlatform::Slack, channel)
        {
            Some(room) => ctx.in_room(room.name.clone()),
            None => ctx,
        }
    }

    fn linked(&self, user: &str) -> bool {
        self.engine
            .config()
            .user_by_chat_id(ChatPlatform::Slack, user)
            .is_some()
    }

    /// The incidents the card or storm summary `ts` shows (none when it is not ours).
    async fn incidents_at(&self, channel: &str, ts: &str) -> Vec<firebell_engine::IncidentNumber> {
        match self
            .engine
            .chat_incidents_at(ChatPlatform::Slack, channel, ts)
            .await
        {
            Ok(shown) => shown,
            Err(e) => {
                warn!(error = %e, "looking up a thread's incidents failed");
                Vec::new()
            }
        }
    }

    /// A push event from Slack: `!` commands in messages; everything else is ignored. Slack
    /// sends an event again when it did not see our answer in time (Events API retries, a
    /// Socket Mode reconnect), with the same `event_id`: a command runs once, whichever replica
    /// gets which copy.
    pub async fn push_event(&self, event: SlackPushEventCallback) {
        let SlackEventCallbackBody::Message(m) = event.event else {
            return;
        };
        // Edits, joins, our own posts and other bots are not commands.
        if m.subtype.is_some() || m.sender.bot_id.is_some() {
            return;
        }
        let (Some(channel), Some(user)) = (&m.origin.channel, &m.sender.user) else {
            return;
        };
        let Some(text) = m.content.as_ref().and_then(|c| c.text.as_deref()) else {
            return;
        };
        // Chatter is not recorded; only what would run as a command.
        if firebell_commands::parse(&self.context(&channel.0, &user.0), text).is_none() {
            return;
        }
        match self
            .engine
            .first_delivery(Delivery::SlackEvent, &event.event_id.0)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                debug!(event = %event.event_id.0, "Slack sent an event again: already handled");
                return;
            }
            // The command would most likely fail the same way and say so: better than silence.
            Err(e) => warn!(error = %e, "could not record a Slack event id; handling it anyway"),
        }
        self.typed(Typed {
            channel: &channel.0,
            user: &user.0,
            text,
            ts: &m.origin.ts.0,
            thread_ts: m.origin.thread_ts.as_ref().map(|t| t.0.as_str()),
        })
        .await;
    }

    /// A typed command: answered where it was typed (the thread, or the channel); someone not
    /// linked to a firebell user is answered privately.
    pub async fn typed(&self, msg: Typed<'_>) {
        let mut ctx = self.context(msg.channel, msg.user);
        if let Some(thread) = msg.thread_ts {
            ctx = match self.incidents_at(msg.channel, thread).await.as_slice() {
                [] => ctx,
                [n] => ctx.in_thread(*n),
                storm => ctx.in_storm(storm.to_vec()),
            };
        }
        let Some(reply) = firebell_commands::handle(&self.engine, &ctx, msg.text).await else {
            return;
        };
        debug!(user = msg.user, tone = ?reply.tone, "answering a Slack command");
        let text = render::reply(&reply);
        let sent = if self.linked(msg.user) {
            let content = SlackMessageContent::new().with_text(text);
            self.api
                .post(msg.channel, content, msg.thread_ts)
                .await
                .map(|_| ())
        } else {
            self.api
                .ephemeral(msg.channel, msg.user, text, msg.thread_ts)
                .await
        };
        if let Err(e) = sent {
            warn!(error = %e.message, "could not answer a Slack command");
        }
        if self.linked(msg.user) {
            self.share(&reply, msg.channel, msg.thread_ts).await;
        }
    }

    /// Posts the file that came with a reply (a postmortem draft), if any: in the incident's
    /// thread when it has a card, else beside the answer. A failure is logged; the answer
    /// already says where else the draft is.
    async fn share(&self, reply: &Reply, channel: &str, thread: Option<&str>) {
        let Some(file) = &reply.attachment else {
            return;
        };
        let surface = super::surface::SlackSurface::new(self.api.clone());
        let here = Here { channel, thread };
        if let Err(e) = share(&self.engine, &surface, here, file).await {
            warn!(error = %e.message, file = %file.filename, "could not share a file in Slack");
        }
    }

    /// An interaction: buttons on cards. The reply goes to the clicker only; everyone sees the
    /// card change.
    pub async fn interaction(&self, event: SlackInteractionEvent) {
        let SlackInteractionEvent::BlockActions(ev) = event else {
            return;
        };
        let Some(user) = ev.user.as_ref().map(|u| u.id.0.clone()) else {
            return;
        };
        let (message_ts, channel) = match &ev.container {
            SlackInteractionActionContainer::Message(c) => (
                c.message_ts.0.clone(),
                c.channel_id.as_ref().map(|c| c.0.clone()),
            ),
            // The card's buttons sit in its colour-bar attachment.
            SlackInteractionActionContainer::MessageAttachment(c) => (
                c.message_ts.0.clone(),
                c.channel_id.as_ref().map(|c| c.0.clone()),
            ),
            SlackInteractionActionContainer::View(_) => return,
        };
        let Some(channel) = channel.or_else(|| ev.channel.as_ref().map(|c| c.id.0.clone())) else {
            return;
        };
        for action in ev.actions.iter().flatten() {
            self.clicked(Clicked {
                channel: &channel,
                user: &user,
                message_ts: &message_ts,
                action_id: &action.action_id.0,
                value: action.value.as_deref().unwrap_or(""),
            })
            .await;
        }
    }

    pub async fn clicked(&self, click: Clicked<'_>) {
        let reply = match Command::from_button(click.action_id, click.value) {
            Ok(command) => {
                let ctx = self.context(click.channel, click.user);
                firebell_commands::execute(&self.engine, &ctx, command).await
            }
            // Ours, but with numbers the command turns down: its words, as if typed.
            Err(ButtonError::Invalid(e)) => Reply::from(&e),
            Err(e) => {
                debug!(action = click.action_id, error = %e, "ignoring an unknown button");
                return;
            }
        };
        // A card's own thread takes the answer; a storm summary's stands for many incidents.
        let shown = self.incidents_at(click.channel, click.message_ts).await;
        let thread = (shown.len() == 1).then_some(click.message_ts);
        if let Err(e) = self
            .api
            .ephemeral(click.channel, click.user, render::reply(&reply), thread)
            .await
        {
            warn!(error = %e.message, "could not answer a Slack button");
        }
    }

    /// `/firebell <command>`: the answer is the command's response — in the channel when it
    /// changed something, privately otherwise (help, lists, mistakes).
    pub async fn command(&self, event: SlackCommandEvent) -> SlackCommandEventResponse {
        let words = event.text.as_deref().unwrap_or("");
        let ctx = self.context(&event.channel_id.0, &event.user_id.0);
        let reply = firebell_commands::handle_slash(&self.engine, &ctx, words).await;
        let public = reply.tone == Tone::Success && self.linked(&event.user_id.0);
        // The answer rides on the ack; a file cannot, so it follows on its own.
        if reply.attachment.is_some() && self.linked(&event.user_id.0) {
            let (me, reply, channel) = (self.clone(), reply.clone(), event.channel_id.0.clone());
            tokio::spawn(async move { me.share(&reply, &channel, None).await });
        }
        SlackCommandEventResponse::new(SlackMessageContent::new().with_text(render::reply(&reply)))
            .with_response_type(if public {
                SlackMessageResponseType::InChannel
            } else {
                SlackMessageResponseType::Ephemeral
            })
    }
}

/// Whether `channel` is a direct message with the bot: Slack's IM channel ids start with `D`.
fn is_direct_message(channel: &str) -> bool {
    channel.starts_with('D')
}

#[cfg(test)]
mod tests {
    use super::is_direct_message;
    use crate::chat::typed_command as typed;
    use crate::slack::render;
    use firebell_commands::Command;
    use firebell_engine::ChatPlatform;

    fn button_command(action_id: &str, value: &str) -> Option<Command> {
        Command::from_button(action_id, value).ok()
    }

    #[test]
    fn buttons_are_the_commands_people_type() {
        assert_eq!(
            button_command(render::ACK, "42"),
            typed(ChatPlatform::Slack, "!ack 42")
        );
        assert_eq!(
            button_command(render::RESOLVE, "42"),
            typed(ChatPlatform::Slack, "!resolve 42")
        );
        assert_eq!(
            button_command(render::ESCALATE, "7"),
            typed(ChatPlatform::Slack, "!escalate 7")
        );
        assert_eq!(
            button_command(render::ACK_ALL, "3 4 5"),
            typed(ChatPlatform::Slack, "!ack 3 4 5")
        );
    }

    #[test]
    fn a_forged_or_unknown_button_is_no_command() {
        assert_eq!(button_command("firebell_delete", "42"), None);
        assert_eq!(button_command(render::ACK, "42; !resolve all"), None);
        assert_eq!(button_command(render::ACK, ""), None);
    }

    #[test]
    fn im_channels_are_direct_messages_and_others_are_not() {
        assert!(is_direct_message("D0ALICEBOT"));
        assert!(!is_direct_message("C0OPS"));
        assert!(!is_direct_message("G0PRIVATE"));
    }
}
