//! What every chat platform shares: the views a card and a storm summary show, and the driver
//! that keeps one message per incident up to date ([`cards::CardNotifier`]) over any platform
//! that can post, reply in a thread and edit ([`cards::Surface`]); the wording of thread
//! entries and room notices, written once over each platform's [`text::Dialect`]; files that
//! come with a command's answer ([`files::share`]); and the
//! character classes both platforms' escapers agree on (`escape`).

pub mod cards;
pub(crate) mod escape;
pub mod fanout;
pub mod files;
pub mod health;
pub mod text;
pub mod view;
