//! Jiqun's domain: the plan structure every other crate speaks, the agency registry and the region model.
//! Nothing here does I/O; the registries are data files compiled in (see `data/registry/`).

#[doc(hidden)]
pub use serde as __serde;
#[doc(hidden)]
pub use utoipa as __utoipa;

pub mod agency;
pub mod audit;
pub mod bases;
pub mod chains;
pub mod challenges;
pub mod datafile;
pub mod date;
pub mod enterprise;
pub mod jobs;
pub mod labelled;
pub mod lang;
pub mod matching;
pub mod period;
pub mod plan;
pub mod projects;
pub mod region;
pub mod report;
mod tsv;
pub mod units;
pub mod uscc;

pub use agency::{AgencyKind, AgencyName, AgencyRegistry, Resolved};
pub use enterprise::Scale;
pub use lang::Lang;
pub use region::{City, CityCode, Region, RegionModel};
pub use tsv::TableError;
pub use units::Money;
