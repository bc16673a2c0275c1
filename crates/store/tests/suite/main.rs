//! Storage on SQLite and (with `JIQUN_TEST_POSTGRES`) PostgreSQL: the story of a plan, concurrency, backups.
//! One test binary for the crate (compile time matters on two cores); one module per subject.

mod backup;
mod figure_sets;
mod query_plans;
mod revision;
mod story;
mod tls;
