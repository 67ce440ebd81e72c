//! `firebell import pagerduty`: reads users, schedules, escalation policies and services through
//! PagerDuty's REST API v2 and writes a `firebell.toml` that `firebell check` accepts, with a
//! comment wherever something could not be carried over and why.
//!
//! # Layout
//! - `client`: HTTP, the token header, pagination, back-off on 429 and 5xx.
//! - `model`: the PagerDuty objects read (serde).
//! - `map`: the whole document, unique ids, what is lost; escalation policies.
//! - `users`, `schedules`, `services`: each PagerDuty object → its firebell table;
//!   `restrictions`: a layer's restrictions → firebell's weekday windows.
//! - `write`: the TOML text with its comments.

mod client;
mod map;
mod model;
mod restrictions;
mod schedules;
mod services;
mod users;
mod write;

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};

pub use client::Retry;

use crate::config::Loaded;

/// PagerDuty's REST API.
pub const DEFAULT_API_URL: &str = "https://api.pagerduty.com";

/// What to import from and where to write it.
pub struct PagerDutyImport {
    /// A REST API key; sent only in the `Authorization` header, never printed.
    pub token: String,
    pub api_url: String,
    pub out: PathBuf,
    /// Overwrite `out` if it exists.
    pub force: bool,
    /// Layers that ended before this are history and are left out.
    pub now: DateTime<Utc>,
    pub retry: Retry,
}

/// What was written, and each thing that was not carried over.
#[derive(Debug)]
pub struct Imported {
    pub users: usize,
    pub schedules: usize,
    pub policies: usize,
    pub services: usize,
    pub notes: Vec<String>,
}

/// Reads PagerDuty, writes the config (after checking it with firebell's own loader).
pub async fn pagerduty(opts: &PagerDutyImport) -> anyhow::Result<Imported> {
    if opts.out.exists() && !opts.force {
        bail!(
            "{} already exists; choose another --out or pass --force to overwrite it",
            opts.out.display()
        );
    }
    let client = client::Client::new(&opts.api_url, &opts.token, opts.retry.clone())?;
    let users: Vec<model::User> = client
        .list("/users", "users", &[("include[]", "contact_methods")])
        .await
        .context("reading users")?;
    let listed: Vec<model::Schedule> = client
        .list("/schedules", "schedules", &[])
        .await
        .context("reading schedules")?;
    let mut schedules = Vec::with_capacity(listed.len());
    for s in &listed {
        let full: model::Schedule = client
            .get(&format!("/schedules/{}", s.id), "schedule")
            .await
            .with_context(|| format!("reading schedule {} ({})", s.name, s.id))?;
        schedules.push(full);
    }
    let policies: Vec<model::EscalationPolicy> = client
        .list("/escalation_policies", "escalation_policies", &[])
        .await
        .context("reading escalation policies")?;
    let services: Vec<model::Service> = client
        .list("/services", "services", &[])
        .await
        .context("reading services")?;

    let doc = map::doc(&users, &schedules, &policies, &services, opts.now);
    let text = write::render(&doc, &opts.api_url, opts.now);
    let source = opts.out.display().to_string();
    if let Err(errors) = Loaded::parse(&text, &source, &|name| std::env::var(name).ok()) {
        bail!(
            "the imported config does not pass `firebell check`, so nothing was written (please \
             report this as a bug):\n{errors}"
        );
    }
    save(opts, &text)?;
    Ok(Imported {
        users: doc.users.len(),
        schedules: doc.schedules.len(),
        policies: doc.policies.len(),
        services: doc.services.len(),
        notes: doc.notes,
    })
}

/// Writes the file; without `--force`, never over one that appeared meanwhile.
fn save(opts: &PagerDutyImport, text: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .create_new(!opts.force)
        .open(&opts.out)
        .with_context(|| format!("cannot write {}", opts.out.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", opts.out.display()))
}
