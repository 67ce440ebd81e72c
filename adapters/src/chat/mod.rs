//! What every chat platform shares: the views a card and a storm summary show, and the driver
//! that keeps one message per incident up to date ([`cards::CardNotifier`]) over any platform
//! that can post, reply in a thread and edit ([`surface::Surface`]); the wording of thread
//! entries and room notices, built once as documents each platform renders; files that
//! come with a command's answer ([`files::share`]); the links and images an alert's details
//! put on a card ([`details`]); and the character classes both platforms' escapers agree on
//! (`escape`).

pub mod cards;
pub mod details;
pub(crate) mod escape;
pub mod fanout;
pub mod files;
pub mod health;
pub mod surface;
pub mod text;
pub mod view;

/// The command `text` is when typed on `platform`, for tests that compare another way in (a
/// button) with typing.
#[cfg(test)]
pub(crate) fn typed_command(
    platform: firebell_engine::ChatPlatform,
    text: &str,
) -> Option<firebell_commands::Command> {
    let ctx = firebell_commands::Context::chat(platform, "U0TEST");
    let parsed = firebell_commands::parse(&ctx, text).expect("a command");
    Some(parsed.expect("it parses"))
}
