//! The compiler against fixtures of the genre, the built-in plan, variants and hostile input.
//! One test binary for the crate (compile time matters on two cores); one module per subject.

mod genre;
mod guangdong;
mod robustness;
mod variants;
