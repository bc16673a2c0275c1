//! Where the use cases were before they were filed by resource; the names are kept for the callers that
//! still use them.

pub use crate::indicators::FREQUENCIES;
pub use crate::security::SECURITY_POLICY_SETTINGS;
pub use crate::supervision::{MAX_ATTACHMENT, outside_rounds_key};
pub use crate::users::{UserInput, check_role_combination};
