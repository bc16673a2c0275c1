//! The engines without I/O: per-mu schemes and datasets, libraries, admission, resource policy, hostile input.
//! One test binary for the crate (compile time matters on two cores); one module per subject.

mod admission;
mod chains;
mod challenges;
mod common;
mod counts;
mod dataset;
mod fuzzing;
mod libraries;
mod matching;
mod resource_policy;
mod robustness;
mod schemes;
