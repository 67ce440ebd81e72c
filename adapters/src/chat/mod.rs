//! What every chat platform shares: the views a card and a storm summary show, and the driver
//! that keeps one message per incident up to date ([`cards::CardNotifier`]) over any platform
//! that can post, reply in a thread and edit ([`cards::Surface`]).

pub mod cards;
pub mod fanout;
pub mod health;
pub mod view;
