//! Chat commands: the same grammar on Slack, Discord and the console.
//!
//! Text flows one way, each arrow in its own module: chat text → [`Invocation`] (a name and its
//! arguments, or nothing when the text is not addressed to firebell) → [`Command`] (parsed
//! arguments, no I/O; a card's button becomes one directly) → authorization (who is this, as a
//! configured user?) → one engine call → a platform-neutral [`Reply`] that each adapter renders
//! its own way.
//!
//! Command metadata is data: one table, [`COMMANDS`], drives `!help`, "did you mean", the
//! parse errors' usage lines and the README's command table ([`markdown_table`]).
//!
//! # Layout
//! - `context`: who typed, on which platform, in which incident's thread.
//! - `invocation`: chat text → name + argument cursor.
//! - `spec`: the command table, lookup by name or alias, suggestions, the Markdown table.
//! - `command`: the closed [`Command`] enum, [`ParseError`], dispatch to execution.
//! - `button`: a card's button → [`Command`] ([`Command::from_button`]), and the button ids.
//! - `authorize`: chat user → configured user → engine [`Actor`](firebell_engine::Actor).
//! - `doc`: [`Doc`], the platform-neutral message every reply is built as and every adapter
//!   renders.
//! - `reply`: [`Reply`] and [`Tone`]; engine errors split into user-facing and logged.
//! - `targets`: `[N…|all]` shared by `!ack` and `!resolve`.
//! - `scope`: what `all` covers where a command is typed (a room's services, a storm, nothing in
//!   a direct message), and how a reply names an incident from another room.
//! - `people`: `bob`, `@bob`, chat mentions → configured users; users → `Bob Brown (bob)`.
//! - `when`: times in the asking person's time zone, and how far away they are.
//! - `cmd/*`: one file per command, each with `parse_args` and `execute`.

mod authorize;
pub mod button;
mod cmd;
mod command;
mod context;
pub mod doc;
mod invocation;
mod people;
mod reply;
mod scope;
mod spec;
mod targets;
#[cfg(test)]
mod test_support;
mod when;

use firebell_engine::Engine;

pub use button::ButtonError;
pub use cmd::ack::Ack;
pub use cmd::escalate::Escalate;
pub use cmd::help::Help;
pub use cmd::incidents::Incidents;
pub use cmd::maintenance::Maintenance;
pub use cmd::note::Note;
pub use cmd::oncall::OnCall;
pub use cmd::overrides::Override;
pub use cmd::postmortem::Postmortem;
pub use cmd::report::Report;
pub use cmd::resolve::Resolve;
pub use cmd::trigger::Trigger;
pub use command::{Command, ParseError};
pub use context::Context;
pub use doc::{Block, Budget, Doc, Person, Span, When};
pub use invocation::Invocation;
pub use people::UserRef;
pub use reply::{Attachment, Reply, Tone};
pub use spec::{COMMANDS, CommandSpec, markdown_table};
pub use targets::Targets;

/// Answers one chat message. `None` means the text was not a command (no leading `!` where one
/// is required) and the adapter should stay silent; every command, even a malformed or unknown
/// one, gets a reply.
#[tracing::instrument(skip_all, fields(platform = ctx.platform.as_str()))]
pub async fn handle(engine: &Engine, ctx: &Context, text: &str) -> Option<Reply> {
    let command = match parse(ctx, text)? {
        Ok(command) => command,
        Err(e) => return Some(Reply::from(&e)),
    };
    Some(execute(engine, ctx, command).await)
}

/// Answers `/firebell <words>`: the words are a command, with or without its `!`; none at all
/// asks for help. Always a reply, since the platform shows one for every slash command.
pub async fn handle_slash(engine: &Engine, ctx: &Context, words: &str) -> Reply {
    let words = words.trim();
    let text = if words.is_empty() {
        "!help".to_owned()
    } else if words.starts_with('!') {
        words.to_owned()
    } else {
        format!("!{words}")
    };
    handle(engine, ctx, &text)
        .await
        .unwrap_or_else(|| Reply::info("Try `/firebell help`."))
}

/// The pure half of [`handle`]: text → command, with no I/O. Adapters use it for previews and
/// tests; buttons skip it and build a [`Command`] directly.
pub fn parse(ctx: &Context, text: &str) -> Option<Result<Command, ParseError>> {
    let invocation = Invocation::parse(text, ctx.bang_optional)?;
    Some(Command::from_invocation(&invocation, ctx.thread_incident))
}

/// Authorizes and runs an already parsed command (a typed one, or a button's).
pub async fn execute(engine: &Engine, ctx: &Context, command: Command) -> Reply {
    command.execute(engine, ctx).await
}
