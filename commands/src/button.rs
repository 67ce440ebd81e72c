//! A card's button → [`Command`]. Buttons are the commands people type (`Acknowledge` on #42 is
//! `!ack 42`), built here as values instead of being written out as text and parsed back, with
//! the same argument checks, so a button can never do what typing could not.
//!
//! A button carries an action id (which command) and a value (the incident numbers it acts on,
//! as decimal text, space-separated on a storm summary's `Acknowledge all`). Slack sends the two
//! apart; Discord joins them into one `custom_id` that its adapter splits.

use std::fmt;

use crate::cmd::{ack::Ack, escalate::Escalate, resolve::Resolve};
use crate::command::{Command, ParseError};
use crate::invocation::Args;

/// An incident card's `Acknowledge` button; value: its number.
pub const ACK: &str = "firebell_ack";
/// An incident card's `Resolve` button; value: its number.
pub const RESOLVE: &str = "firebell_resolve";
/// An incident card's `Escalate` button; value: its number.
pub const ESCALATE: &str = "firebell_escalate";
/// A storm summary's `Acknowledge all triggered` button; value: the numbers, e.g. `12 13 14`.
pub const ACK_ALL: &str = "firebell_ack_all";

/// Why a button is no command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ButtonError {
    /// Not one of firebell's buttons (another app's, or a forged or mangled id).
    Unknown { action_id: String },
    /// One of firebell's buttons whose value is not incident numbers.
    Malformed {
        action_id: &'static str,
        value: String,
    },
    /// Numbers the command turns down (`0`, more than one to escalate): the command's own
    /// words and usage line, as if the person had typed it.
    Invalid(ParseError),
}

impl fmt::Display for ButtonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { action_id } => {
                write!(f, "`{action_id}` is not one of firebell's buttons")
            }
            Self::Malformed { action_id, value } => write!(
                f,
                "the `{action_id}` button carries `{value}`, not incident numbers"
            ),
            Self::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ButtonError {}

impl Command {
    /// The command a button stands for. The numbers go through the command's own argument
    /// checks; no thread is consulted, since a button always names its incidents.
    pub fn from_button(action_id: &str, value: &str) -> Result<Command, ButtonError> {
        let (action_id, parse): (&'static str, Parse) = match action_id {
            ACK => (ACK, |a| Ack::parse_args(a, None).map(Command::Ack)),
            ACK_ALL => (ACK_ALL, |a| Ack::parse_args(a, None).map(Command::Ack)),
            RESOLVE => (RESOLVE, |a| {
                Resolve::parse_args(a, None).map(Command::Resolve)
            }),
            ESCALATE => (ESCALATE, |a| {
                Escalate::parse_args(a, None).map(Command::Escalate)
            }),
            other => {
                return Err(ButtonError::Unknown {
                    action_id: other.to_owned(),
                });
            }
        };
        let numbers = value.trim();
        let digits = |n: &str| n.bytes().all(|b| b.is_ascii_digit());
        if numbers.is_empty() || !numbers.split_whitespace().all(digits) {
            return Err(ButtonError::Malformed {
                action_id,
                value: value.to_owned(),
            });
        }
        parse(&mut Args::new(numbers)).map_err(ButtonError::Invalid)
    }
}

type Parse = fn(&mut Args<'_>) -> Result<Command, ParseError>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::Targets;
    use crate::test_support::{n, parse};

    #[test]
    fn each_button_is_the_command_people_type() {
        for (action_id, value, typed) in [
            (ACK, "42", "!ack 42"),
            (RESOLVE, "42", "!resolve 42"),
            (ESCALATE, "7", "!escalate 7"),
            (ACK_ALL, "3 4 5", "!ack 3 4 5"),
        ] {
            assert_eq!(
                Command::from_button(action_id, value),
                Ok(parse(typed).expect("typed command parses")),
                "{action_id} {value}"
            );
        }
    }

    #[test]
    fn a_button_builds_its_command_directly() {
        assert_eq!(
            Command::from_button(ACK_ALL, " 12 13 12 "),
            Ok(Command::Ack(Ack {
                targets: Targets::Numbers(vec![n(12), n(13)])
            }))
        );
        assert_eq!(
            Command::from_button(RESOLVE, "9"),
            Ok(Command::Resolve(Resolve {
                targets: Targets::Numbers(vec![n(9)]),
                note: None
            }))
        );
    }

    #[test]
    fn an_unknown_button_says_it_is_not_firebells() {
        let e = Command::from_button("firebell_delete", "42").unwrap_err();
        assert_eq!(
            e,
            ButtonError::Unknown {
                action_id: "firebell_delete".into()
            }
        );
        assert_eq!(
            e.to_string(),
            "`firebell_delete` is not one of firebell's buttons"
        );
    }

    #[test]
    fn a_forged_value_is_no_command() {
        for value in ["42; !resolve all", "", "  ", "all", "#42", "-1"] {
            let e = Command::from_button(ACK, value).unwrap_err();
            assert!(matches!(e, ButtonError::Malformed { .. }), "{value}: {e}");
        }
        assert_eq!(
            Command::from_button(RESOLVE, "4 x")
                .unwrap_err()
                .to_string(),
            "the `firebell_resolve` button carries `4 x`, not incident numbers"
        );
    }

    #[test]
    fn numbers_the_command_turns_down_get_its_own_words() {
        let Err(ButtonError::Invalid(e)) = Command::from_button(ESCALATE, "1 2") else {
            panic!("two incidents cannot be escalated by one button");
        };
        assert_eq!(Err(e), parse("!escalate 1 2"));
        let Err(ButtonError::Invalid(e)) = Command::from_button(ACK, "0") else {
            panic!("there is no incident 0");
        };
        assert_eq!(Err(e), parse("!ack 0"));
    }
}
