//! File sharing, by Slack's external upload flow (the one `files.upload` was retired for):
//! `files.getUploadURLExternal` (GET, `filename` and `length`) hands out a one-time upload URL
//! and a file id; the bytes are POSTed to that URL (answered in plain text, `OK - <length>`, as
//! Slack does); `files.completeUploadExternal` shares the uploaded files into a channel — in a
//! thread with `thread_ts` — with `initial_comment` as the message. A file is only shared once
//! its bytes arrived, and only with as many bytes as `length` promised.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{FakeSlack, Shared, State};

/// A file shared into a channel, as a test reads it back.
#[derive(Debug, Clone)]
pub struct SharedFile {
    pub id: String,
    pub filename: String,
    pub title: Option<String>,
    /// The `Content-Type` the bytes were uploaded with.
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub channel: String,
    pub thread_ts: Option<String>,
    pub initial_comment: Option<String>,
    /// The ts of the message that shows the file.
    pub ts: String,
}

/// One upload URL handed out and what happened to it since.
#[derive(Debug, Clone)]
struct Pending {
    filename: String,
    length: usize,
    /// `(content type, bytes)` once uploaded.
    uploaded: Option<(String, Vec<u8>)>,
}

#[derive(Default)]
pub(super) struct Files {
    issued: u64,
    pending: HashMap<String, Pending>,
    shared: Vec<SharedFile>,
}

/// `files.getUploadURLExternal`.
pub(super) fn upload_url(state: &mut State, http_base: &str, params: &Value) -> Value {
    let filename = params
        .get("filename")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let length = params
        .get("length")
        .and_then(|v| match v {
            Value::String(s) => s.parse::<usize>().ok(),
            other => other.as_u64().map(|n| n as usize),
        })
        .unwrap_or(0);
    if filename.is_empty() || length == 0 {
        return json!({"ok": false, "error": "invalid_arguments"});
    }
    let files = &mut state.files;
    files.issued += 1;
    let id = format!("F{:010}", files.issued);
    files.pending.insert(
        id.clone(),
        Pending {
            filename: filename.to_owned(),
            length,
            uploaded: None,
        },
    );
    json!({"ok": true, "upload_url": format!("{http_base}/upload/{id}"), "file_id": id})
}

/// `files.completeUploadExternal`; `ts` is the message that will show the files.
pub(super) fn complete(
    state: &mut State,
    params: &Value,
    ts: impl FnOnce(&mut State) -> String,
) -> Value {
    let text = |name: &str| params.get(name).and_then(Value::as_str).map(str::to_owned);
    let Some(channel) = text("channel_id").filter(|c| !c.is_empty()) else {
        return json!({"ok": false, "error": "invalid_channel"});
    };
    // `files` is JSON, or a JSON string in a form post.
    let listed = match params.get("files") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    let Some(listed) = listed.as_array().filter(|l| !l.is_empty()) else {
        return json!({"ok": false, "error": "invalid_arguments"});
    };
    let mut ready = Vec::new();
    for f in listed {
        let id = f.get("id").and_then(Value::as_str).unwrap_or_default();
        match state.files.pending.get(id) {
            Some(Pending {
                uploaded: Some(_), ..
            }) => ready.push((id.to_owned(), f.get("title").and_then(Value::as_str))),
            Some(_) => return json!({"ok": false, "error": "file_upload_incomplete"}),
            None => return json!({"ok": false, "error": "file_not_found"}),
        }
    }
    let ts = ts(state);
    let mut out = Vec::new();
    for (id, title) in ready {
        let Some(p) = state.files.pending.remove(&id) else {
            continue;
        };
        let (content_type, bytes) = p.uploaded.unwrap_or_default();
        out.push(
            json!({"id": id, "name": p.filename, "title": title.unwrap_or(&p.filename),
                        "mimetype": content_type, "size": bytes.len()}),
        );
        state.files.shared.push(SharedFile {
            id,
            filename: p.filename,
            title: title.map(str::to_owned),
            content_type,
            bytes,
            channel: channel.clone(),
            thread_ts: text("thread_ts"),
            initial_comment: text("initial_comment"),
            ts: ts.clone(),
        });
    }
    state.messages.insert((channel, ts));
    json!({"ok": true, "files": out})
}

/// `POST /upload/{id}`: the bytes of one file. Slack answers `OK - <length>` in plain text.
pub(super) async fn receive(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let outcome = shared.update(|state| {
        if state.down {
            return Err(StatusCode::SERVICE_UNAVAILABLE);
        }
        let Some(p) = state.files.pending.get_mut(&id) else {
            return Err(StatusCode::NOT_FOUND);
        };
        if p.uploaded.is_some() || body.len() != p.length {
            return Err(StatusCode::BAD_REQUEST);
        }
        p.uploaded = Some((content_type, body.to_vec()));
        Ok(body.len())
    });
    match outcome {
        Ok(n) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("OK - {n}"),
        )
            .into_response(),
        Err(status) => (status, "upload failed").into_response(),
    }
}

impl FakeSlack {
    /// Every file shared so far, in order.
    pub fn files(&self) -> Vec<SharedFile> {
        self.shared.lock().files.shared.clone()
    }

    /// Waits until at least `n` files were shared; returns them all.
    pub async fn wait_for_files(&self, n: usize) -> Vec<SharedFile> {
        let what = format!("{n} shared file(s)");
        self.wait_state(&what, |s| {
            (s.files.shared.len() >= n).then(|| s.files.shared.clone())
        })
        .await
    }
}
