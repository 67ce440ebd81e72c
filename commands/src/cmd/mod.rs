//! One file per command: its table entry (`SPEC`), `parse_args` (arguments → value, no I/O) and
//! `execute` (one engine call → [`Reply`](crate::Reply)).

pub(crate) mod ack;
pub(crate) mod escalate;
pub(crate) mod help;
pub(crate) mod incidents;
pub(crate) mod maintenance;
pub(crate) mod note;
pub(crate) mod oncall;
pub(crate) mod overrides;
pub(crate) mod postmortem;
pub(crate) mod report;
pub(crate) mod resolve;
pub(crate) mod trigger;
pub(crate) mod unknown;
