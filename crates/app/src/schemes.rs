//! The per-mu evaluation schemes the registry can be rated by.

use jiqun_eval::permu::Scheme;

use crate::{AppError, AppResult};

pub struct NamedScheme {
    pub id: String,
    pub name: String,
    /// The scheme as stored with a run (so a run can always be explained by the rules it used).
    pub json: String,
    pub scheme: Scheme,
}

/// The ids of the schemes shipped with Jiqun.
pub fn ids() -> Vec<&'static str> {
    vec!["default"]
}

pub fn scheme(id: &str) -> AppResult<NamedScheme> {
    match id {
        "default" => Ok(NamedScheme {
            id: "default".into(),
            name: "默认方案（合同第4节）".into(),
            json: "{\"id\":\"default\"}".into(),
            scheme: Scheme::default(),
        }),
        _ => Err(AppError::invalid(
            "scheme",
            format!("未知评价方案“{id}”，可选：{}", ids().join(", ")),
            format!("unknown scheme “{id}”; one of: {}", ids().join(", ")),
        )),
    }
}
