//! Jiqun's engines, free of HTTP and SQL: the progress status of an indicator (this module's `progress`).

pub mod admission;
pub mod counts;
pub mod definition;
pub mod libraries;
pub mod permu;
pub mod progress;
pub mod resource_policy;
