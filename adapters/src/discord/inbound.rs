//! What people do in Discord, whichever way it arrives (the gateway, or the HTTP interactions
//! endpoint): a `!` command typed in a channel or a card's thread, a button on a card,
//! `/firebell <command>`. All become the same command grammar and get the same replies.

use firebell_commands::{ButtonError, Command, Context, Reply, Tone};
use firebell_engine::ChatPlatform;
use firebell_engine::{Engine, IncidentNumber};
use serde_json::{Value, json};
use serenity::all::{CommandDataOptionValue, Interaction};
use tracing::warn;

use super::api::DiscordApi;
use super::render;
use crate::chat::files::{Here, share};
use crate::chat::surface::Line;

/// Discord's "respond with a message" interaction callback type.
const CHANNEL_MESSAGE: u8 = 4;

#[derive(Clone)]
pub struct DiscordInbound {
    engine: Engine,
    api: DiscordApi,
}

impl DiscordInbound {
    pub fn new(engine: Engine, api: DiscordApi) -> Self {
        Self { engine, api }
    }

    pub fn api(&self) -> &DiscordApi {
        &self.api
    }

    /// The command context for a message in `channel`: a direct message (`direct`, no guild),
    /// or its room, and — in a card's thread, whose id is the card's — the incident, or in a
    /// storm summary's thread the storm's incidents.
    async fn context(&self, channel: &str, user: &str, direct: bool) -> Context {
        let ctx = Context::chat(ChatPlatform::Discord, user);
        if direct {
            return ctx.direct_message();
        }
        let place = match self
            .engine
            .chat_thread(ChatPlatform::Discord, channel)
            .await
        {
            Ok(p) => p,
            Err(e) => {
                warn!(error = %e, "looking up a Discord thread failed");
                None
            }
        };
        let (room_channel, shown): (String, Vec<IncidentNumber>) = match place {
            Some((parent, shown)) => (parent, shown),
            None => (channel.to_owned(), Vec::new()),
        };
        let ctx = match self
            .engine
            .config()
            .room_by_channel(ChatPlatform::Discord, &room_channel)
        {
            Some(room) => ctx.in_room(room.name.clone()),
            None => ctx,
        };
        match shown.as_slice() {
            [] => ctx,
            [n] => ctx.in_thread(*n),
            storm => ctx.in_storm(storm.to_vec()),
        }
    }

    fn linked(&self, user: &str) -> bool {
        self.engine
            .config()
            .user_by_chat_id(ChatPlatform::Discord, user)
            .is_some()
    }

    /// A message typed in a channel or thread (or, `direct`, a direct message to the bot): `!`
    /// commands are answered in the same place.
    pub async fn typed(&self, channel: &str, user: &str, text: &str, direct: bool) {
        if !text.trim_start().starts_with('!') {
            return;
        }
        let ctx = self.context(channel, user, direct).await;
        let Some(reply) = firebell_commands::handle(&self.engine, &ctx, text).await else {
            return;
        };
        let body = render::message(Line {
            text: render::reply(&reply),
            ping: Vec::new(),
        });
        if let Err(e) = self.api.post(channel, &body).await {
            warn!(error = %e.message, "could not answer a Discord command");
        }
        if self.linked(user) {
            self.share(&reply, channel).await;
        }
    }

    /// Posts the file that came with a reply (a postmortem draft), if any: in the incident's
    /// thread when it has a card, else beside the answer. A failure is logged; the answer
    /// already says where else the draft is.
    async fn share(&self, reply: &Reply, channel: &str) {
        let Some(file) = &reply.attachment else {
            return;
        };
        let surface = super::surface::DiscordSurface::new(self.api.clone());
        let here = Here {
            channel,
            thread: None,
        };
        if let Err(e) = share(&self.engine, &surface, here, file).await {
            warn!(error = %e.message, file = %file.filename, "could not share a file in Discord");
        }
    }

    /// A button: the same command people type, answered to the clicker only.
    pub async fn clicked(&self, channel: &str, user: &str, custom_id: &str) -> Value {
        let reply = match button_command(custom_id) {
            Ok(command) => {
                // Buttons are only on cards in rooms, never in a direct message.
                let ctx = self.context(channel, user, false).await;
                firebell_commands::execute(&self.engine, &ctx, command).await
            }
            // Ours, but with numbers the command turns down: its words, as if typed.
            Err(ButtonError::Invalid(e)) => Reply::from(&e),
            Err(_) => Reply::error("That button is not one of firebell's; type `!help`."),
        };
        response(&reply, true)
    }

    /// `/firebell <command>` (`direct`: in a direct message): in the channel when it changed
    /// something, privately otherwise.
    pub async fn slash(&self, channel: &str, user: &str, words: &str, direct: bool) -> Value {
        let ctx = self.context(channel, user, direct).await;
        let reply = firebell_commands::handle_slash(&self.engine, &ctx, words).await;
        let public = reply.tone == Tone::Success && self.linked(user);
        // The answer is the interaction's response; a file follows on its own.
        if reply.attachment.is_some() && self.linked(user) {
            let (me, reply, channel) = (self.clone(), reply.clone(), channel.to_owned());
            tokio::spawn(async move { me.share(&reply, &channel).await });
        }
        response(&reply, !public)
    }
}

impl DiscordInbound {
    /// A button or `/firebell`, however it arrived (the gateway or the interactions endpoint):
    /// the interaction's response, or `None` for an interaction that is not firebell's.
    pub async fn interaction(&self, interaction: &Interaction) -> Option<Value> {
        Some(match interaction {
            Interaction::Component(c) => {
                self.clicked(
                    &c.channel_id.to_string(),
                    &c.user.id.to_string(),
                    &c.data.custom_id,
                )
                .await
            }
            Interaction::Command(c) if c.data.name == "firebell" => {
                let words = c
                    .data
                    .options
                    .iter()
                    .find_map(|o| match &o.value {
                        CommandDataOptionValue::String(s) if o.name == "command" => {
                            Some(s.as_str())
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                let (channel, user) = (c.channel_id.to_string(), c.user.id.to_string());
                self.slash(&channel, &user, words, c.guild_id.is_none())
                    .await
            }
            _ => return None,
        })
    }
}

/// An interaction response carrying a reply; it pings nobody.
pub fn response(reply: &Reply, ephemeral: bool) -> Value {
    json!({ "type": CHANNEL_MESSAGE, "data": render::reply_message(reply, ephemeral) })
}

/// The command a button stands for: its `custom_id` split into action and numbers.
fn button_command(custom_id: &str) -> Result<Command, ButtonError> {
    let (action_id, numbers) =
        render::parse_custom_id(custom_id).ok_or_else(|| ButtonError::Unknown {
            action_id: custom_id.to_owned(),
        })?;
    Command::from_button(action_id, numbers)
}

#[cfg(test)]
mod tests {
    use crate::chat::typed_command;
    use firebell_commands::Command;
    use firebell_engine::ChatPlatform;

    fn button_command(custom_id: &str) -> Option<Command> {
        super::button_command(custom_id).ok()
    }

    fn typed(text: &str) -> Option<Command> {
        typed_command(ChatPlatform::Discord, text)
    }

    #[test]
    fn buttons_are_the_commands_people_type() {
        assert_eq!(button_command("firebell_ack:42"), typed("!ack 42"));
        assert_eq!(button_command("firebell_resolve:42"), typed("!resolve 42"));
        assert_eq!(button_command("firebell_escalate:7"), typed("!escalate 7"));
        assert_eq!(
            button_command("firebell_ack_all:3 4 5"),
            typed("!ack 3 4 5")
        );
    }

    #[test]
    fn a_forged_or_unknown_button_is_no_command() {
        assert_eq!(button_command("firebell_delete:42"), None);
        assert_eq!(button_command("firebell_ack:42; !resolve all"), None);
        assert_eq!(button_command("firebell_ack:"), None);
        assert_eq!(button_command("something else"), None);
    }
}
