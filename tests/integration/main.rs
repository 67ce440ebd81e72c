//! The one integration-test binary (one link step instead of many on a 2-core machine).

mod api;
mod bad_input;
mod chat_files;
mod console_room;
mod digests;
mod discord;
mod email;
mod heartbeats;
mod import_pagerduty;
mod ingest_flow;
mod ingest_writers;
mod oncall_api;
mod opsgenie;
mod pagerduty;
mod pagerduty_schema;
mod pagination;
mod postmortem;
mod processes;
mod readme;
mod reports_api;
mod shutdown;
mod slack;
mod store_contract;
mod telephony;
mod webhooks;
