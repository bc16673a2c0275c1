//! Jiqun's engines, free of HTTP and SQL: the progress status of an indicator (this module's `progress`).

pub mod permu;
pub mod progress;
