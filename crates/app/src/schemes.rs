//! The per-mu evaluation schemes the registry can be rated by: the ones shipped with Jiqun
//! (`data/schemes/`, compiled in) and those a jurisdiction adds (table `evaluation_schemes`), each checked
//! field by field when it is added.

use jiqun_domain::Lang;
use jiqun_eval::permu::Scheme;

use crate::authz::Action;
use crate::{App, AppError, AppResult, Session};

pub struct NamedScheme {
    pub id: String,
    pub name: String,
    /// The scheme as stored with a run (so a run can always be explained by the rules it used).
    pub json: String,
    pub scheme: Scheme,
    /// Shipped with Jiqun (not added by a jurisdiction).
    pub builtin: bool,
}

fn named(scheme: Scheme, builtin: bool) -> AppResult<NamedScheme> {
    let json = serde_json::to_string(&scheme).map_err(AppError::internal)?;
    Ok(NamedScheme { id: scheme.id.clone(), name: scheme.name.clone(), json, scheme, builtin })
}

fn scheme_error(e: &jiqun_eval::permu::SchemeError) -> AppError {
    let field = if e.path.is_empty() { "scheme".to_string() } else { e.path.clone() };
    AppError::invalid(&field, e.message(Lang::Zh), e.message(Lang::En))
}

impl App {
    /// Every scheme: the shipped ones, then the stored ones.
    pub async fn schemes(&self) -> AppResult<Vec<NamedScheme>> {
        let mut out = Vec::new();
        for id in jiqun_eval::permu::builtin_ids() {
            if let Some(s) = Scheme::builtin(id) {
                out.push(named(s, true)?);
            }
        }
        for (_, _, json, _) in self.store.stored_schemes().await? {
            // Checked when stored; a row damaged since is left out rather than used.
            if let Ok(s) = Scheme::from_json(&json) {
                out.push(named(s, false)?);
            }
        }
        Ok(out)
    }

    pub async fn scheme(&self, id: &str) -> AppResult<NamedScheme> {
        let all = self.schemes().await?;
        let ids: Vec<String> = all.iter().map(|s| s.id.clone()).collect();
        all.into_iter().find(|s| s.id == id).ok_or_else(|| {
            AppError::invalid(
                "scheme",
                format!("未知评价方案“{id}”，可选：{}", ids.join(", ")),
                format!("unknown scheme “{id}”; one of: {}", ids.join(", ")),
            )
        })
    }

    /// Adds (or replaces) a jurisdiction's scheme from its JSON file; the error names the JSON path of
    /// the first bad field. A shipped scheme's id cannot be taken.
    pub async fn put_scheme(&self, session: &Session, json: &str, ip: &str) -> AppResult<String> {
        if !session.can(&Action::RunEvaluation) {
            return Err(AppError::forbidden());
        }
        let scheme = Scheme::from_json(json).map_err(|e| scheme_error(&e))?;
        if jiqun_eval::permu::builtin_ids().any(|id| id == scheme.id) {
            return Err(AppError::invalid(
                "id",
                format!("“{}”是内置方案的标识，请另取一个", scheme.id),
                format!("“{}” is a shipped scheme's id; choose another", scheme.id),
            ));
        }
        // The file is kept as written (it is the jurisdiction's document); it was checked above.
        self.store.put_scheme(&scheme.id, &scheme.name, json, &session.actor(ip)).await?;
        Ok(scheme.id)
    }
}
