//! The per-mu evaluation schemes the registry can be rated by: the ones shipped with Jiqun
//! (`data/schemes/`, compiled in).

use jiqun_eval::permu::Scheme;

use crate::{AppError, AppResult};

pub struct NamedScheme {
    pub id: String,
    pub name: String,
    /// The scheme as stored with a run (so a run can always be explained by the rules it used).
    pub json: String,
    pub scheme: Scheme,
}

/// The ids of the shipped schemes.
pub fn ids() -> Vec<&'static str> {
    jiqun_eval::permu::builtin_ids().collect()
}

pub fn scheme(id: &str) -> AppResult<NamedScheme> {
    let Some(scheme) = Scheme::builtin(id) else {
        return Err(AppError::invalid(
            "scheme",
            format!("未知评价方案“{id}”，可选：{}", ids().join(", ")),
            format!("unknown scheme “{id}”; one of: {}", ids().join(", ")),
        ));
    };
    let json = serde_json::to_string(&scheme).map_err(AppError::internal)?;
    Ok(NamedScheme { id: scheme.id.clone(), name: scheme.name.clone(), json, scheme })
}
