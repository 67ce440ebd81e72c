//! Request bodies, and files attached to messages. serenity sends JSON, or — when files go with
//! a message — `multipart/form-data` with the JSON as a `payload_json` part and each file as a
//! `files[n]` part, as Discord documents. The fake parses multipart with `multer` (binary-safe,
//! so a PNG arrives byte for byte), stores each file with the message it came with, and shows it
//! in the message's `attachments` the way Discord does. Discord refuses a file over 10 MiB (the
//! limit without boosts) with 413 and code 40005.

use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

use super::super::{FakeDiscord, State};
use super::Answer;

/// Discord's upload limit for a server without boosts.
const MAX_FILE: usize = 10 * 1024 * 1024;

/// One file part of a multipart request.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A file posted with a message, as a test reads it back.
#[derive(Debug, Clone)]
pub struct PostedFile {
    /// The message (in `channel_id`: a thread's id when posted in a thread).
    pub message_id: String,
    pub channel_id: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// The message's `content`.
    pub content: String,
}

/// The JSON body (a multipart request's `payload_json`) and any files; the body is `Null` when
/// empty and `None` when it is not valid JSON (or the multipart is malformed).
pub(super) async fn parse_body(
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> (Option<Value>, Vec<Part>) {
    if body.iter().all(u8::is_ascii_whitespace) {
        return (Some(Value::Null), Vec::new());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return (serde_json::from_slice(&body).ok(), Vec::new());
    };
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let (mut payload, mut files) = (None, Vec::new());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return (None, Vec::new()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field
            .content_type()
            .map_or_else(|| "application/octet-stream".to_owned(), |m| m.to_string());
        let Ok(bytes) = field.bytes().await else {
            return (None, Vec::new());
        };
        match filename {
            _ if name == "payload_json" => payload = serde_json::from_slice(&bytes).ok(),
            // Discord takes files as `files[n]` (older clients: `file`); other parts are ignored.
            Some(filename) if name.starts_with("files[") || name == "file" => files.push(Part {
                filename,
                content_type,
                bytes: bytes.to_vec(),
            }),
            _ => {}
        }
    }
    (payload.or(Some(Value::Null)), files)
}

/// Checks the files of a new message against Discord's limit.
pub(super) fn too_large(files: &[Part]) -> Option<Answer> {
    files
        .iter()
        .any(|f| f.bytes.len() > MAX_FILE)
        .then(|| Answer::error(413, 40005, "Request entity too large"))
}

/// Shows `files` on the stored message (its `attachments`) and records them for the tests.
pub(super) fn attach(state: &mut State, message: &mut Value, files: Vec<Part>) {
    let (Some(id), Some(channel)) = (
        message["id"].as_str().map(str::to_owned),
        message["channel_id"].as_str().map(str::to_owned),
    ) else {
        return;
    };
    let mut shown = Vec::new();
    for f in files {
        let attachment_id = state.next_snowflake();
        let url = format!(
            "https://cdn.discordapp.com/attachments/{channel}/{attachment_id}/{}",
            f.filename
        );
        shown.push(
            json!({"id": attachment_id, "filename": f.filename, "size": f.bytes.len(),
                          "url": url, "proxy_url": url, "content_type": f.content_type}),
        );
        state.files.push(PostedFile {
            message_id: id.clone(),
            channel_id: channel.clone(),
            filename: f.filename,
            content_type: f.content_type,
            bytes: f.bytes,
            content: message["content"].as_str().unwrap_or_default().to_owned(),
        });
    }
    message["attachments"] = Value::Array(shown);
    if let Some(stored) = state.messages.get_mut(&id) {
        stored.message["attachments"] = message["attachments"].clone();
    }
}

impl FakeDiscord {
    /// Every file posted so far, in order.
    pub fn files(&self) -> Vec<PostedFile> {
        self.shared.lock().files.clone()
    }

    /// Waits until at least `n` files were posted; returns them all.
    pub async fn wait_for_files(&self, n: usize) -> Vec<PostedFile> {
        let what = format!("{n} posted file(s)");
        self.wait_state(&what, |s| (s.files.len() >= n).then(|| s.files.clone()))
            .await
    }
}
