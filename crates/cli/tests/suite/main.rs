//! The `jiqun` binary as an operator runs it: plan parsing, evaluation, servers, users, keys, backups.
//! One test binary for the crate (compile time matters on two cores); one module per subject.

mod common;
mod evaluate_cli;
mod export_cli;
mod import_cli;
mod plan_cli;
mod platform_cli;
mod report_cli;
mod two_servers;
