//! The web server through its router and as a process: API, pages, access for every role, security, TLS.
//! One test binary for the crate (compile time matters on two cores); one module per subject.

mod access;
mod account;
mod api;
mod bases;
mod bodies;
mod bulletin;
mod chains;
mod challenges;
mod common;
mod concurrency;
mod cultivation;
mod desk;
mod exports;
mod fuzzing;
mod injection;
mod jobs;
mod manage;
mod matching;
mod office;
mod outage;
mod pages;
mod project_routing;
mod projects;
mod registry;
mod security;
mod tls;
