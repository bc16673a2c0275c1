//! Jiqun's engines, free of HTTP and SQL: the progress status of an indicator (this module's `progress`).

pub mod admission;
pub mod chains;
pub mod challenges;
pub mod counts;
pub mod definition;
pub mod libraries;
pub mod matching;
pub mod permu;
pub mod progress;
pub mod resource_policy;
