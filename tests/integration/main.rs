//! The one integration-test binary (one link step instead of many on a 2-core machine).

mod api;
mod bad_input;
mod console_room;
mod digests;
mod discord;
mod ingest_flow;
mod oncall_api;
mod postmortem;
mod readme;
mod reports_api;
mod slack;
mod store_contract;
mod telephony;
