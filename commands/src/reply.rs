//! What firebell says back: a platform-neutral [`Doc`] with a tone. Adapters choose colours,
//! emoji or embed styles from the tone and render the document their way.

use firebell_engine::EngineError;
use firebell_engine::error::log_internal;

use crate::doc::Doc;

/// How a reply should feel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// The thing asked for happened.
    Success,
    /// An answer or a question back (lists, help, "which incident?").
    Info,
    /// Nothing happened; the text says why and what would work.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub tone: Tone,
    /// What it says, built once; every platform renders it.
    pub doc: Doc,
    /// A file to post with the text, for what is too long for a chat line (a postmortem draft).
    /// Adapters that can upload files do; `doc` always says how to get it otherwise.
    /// Boxed: most replies have none, and a reply is also the error type of many helpers.
    pub attachment: Option<Box<Attachment>>,
}

/// A file that goes with a [`Reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// `postmortem-42.md`: a plain name, no directories.
    pub filename: String,
    /// `text/markdown; charset=utf-8`.
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The line the file is posted with.
    pub caption: Doc,
    /// The incident whose chat thread the file belongs in, if any: a postmortem is filed in
    /// the incident's thread (where the team talked it through), wherever it was asked for.
    pub incident: Option<firebell_engine::IncidentNumber>,
}

impl Reply {
    pub fn success(doc: impl Into<Doc>) -> Self {
        Self::new(Tone::Success, doc)
    }

    pub fn info(doc: impl Into<Doc>) -> Self {
        Self::new(Tone::Info, doc)
    }

    pub fn error(doc: impl Into<Doc>) -> Self {
        Self::new(Tone::Error, doc)
    }

    pub fn new(tone: Tone, doc: impl Into<Doc>) -> Self {
        Self {
            tone,
            doc: doc.into(),
            attachment: None,
        }
    }

    /// The reply in light Markdown ([`Doc::to_markup`]), as tests and logs read it.
    pub fn text(&self) -> String {
        self.doc.to_markup()
    }

    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachment = Some(Box::new(attachment));
        self
    }

    pub(crate) fn from_engine(e: &EngineError) -> Self {
        // Engine errors are worded in light Markdown (`1x`, `!ack 4`): a string boundary.
        Self::error(Doc::markup(&user_text(e)))
    }
}

/// What a person may see of an engine error. User errors and "not found" say what was wrong and
/// go out verbatim; anything else is logged once, with its cause chain and a short reference the
/// person can quote, and they see only the reference.
pub(crate) fn user_text(e: &EngineError) -> String {
    match e.user_message() {
        Some(message) => message.to_owned(),
        None => format!(
            "internal error (ref {})",
            log_internal(e, "chat command failed")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use firebell_engine::error::cause_chain;
    use std::error::Error;

    #[test]
    fn user_errors_and_not_found_are_shown_verbatim() {
        let e = EngineError::user("incident #4 is already resolved");
        assert_eq!(user_text(&e), "incident #4 is already resolved");
        let e = EngineError::NotFound("there is no incident #9".into());
        assert_eq!(user_text(&e), "there is no incident #9");
    }

    #[test]
    fn internal_errors_show_only_a_reference() {
        let e = EngineError::Batch("disk I/O error on /var/lib/firebell".into());
        let text = user_text(&e);
        assert!(text.starts_with("internal error (ref "), "{text}");
        assert!(!text.contains("disk"), "causes stay in the log: {text}");
        let reference = &text["internal error (ref ".len()..text.len() - 1];
        assert_eq!(reference.len(), 4);
        assert!(reference.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn the_cause_chain_reaches_the_root() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("database error")
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("disk full"));
        assert_eq!(cause_chain(&e), "database error: disk full");
    }
}
