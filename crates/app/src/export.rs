//! `jiqun export --db URL --table NAME`: a table of the database as rows of named columns, for the operator
//! who holds the database (the database is the credential, as for a backup). The command line writes them
//! as CSV or JSON. Tables so far: `projects`, `bases`, `chains` (one row a chain node), `challenges` and `matches`
//! (the chip–terminal candidate pairs).

use jiqun_domain::Lang;
use jiqun_domain::projects::ProblemState;
use jiqun_store::ProjectFilter;
use serde_json::{Map, Value, json};

use crate::snapshot::today_in_china;
use crate::{App, AppError, AppResult, Code};

/// The tables `jiqun export` writes.
pub const EXPORT_TABLES: &[&str] = &["projects", "bases", "chains", "challenges", "matches"];

/// A table: its columns in order, and its rows, each an object with those keys.
#[derive(Debug, Clone)]
pub struct Exported {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Map<String, Value>>,
}

impl Exported {
    /// One cell as text: strings as they are, numbers and booleans written out, lists joined with `;`,
    /// null empty.
    pub fn cell(v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(a) => a.iter().map(Exported::cell).collect::<Vec<_>>().join(";"),
            other => other.to_string(),
        }
    }
}

fn row(columns: &[&'static str], v: Value) -> Map<String, Value> {
    let mut out = Map::new();
    for c in columns {
        out.insert((*c).to_string(), v.get(*c).cloned().unwrap_or(Value::Null));
    }
    out
}

const PROJECT_COLUMNS: &[&str] = &[
    "id",
    "name",
    "owner_uscc",
    "owner_name",
    "city",
    "stage",
    "stage_label",
    "suspended_from",
    "libraries",
    "plan_items",
    "chain_nodes",
    "total_investment_wan",
    "planned_start",
    "planned_finish",
    "fast_lane",
    "source",
    "synthetic",
    "open_problems",
    "overdue_problems",
    "admission_id",
    "created_at",
    "updated_at",
];

const CHAIN_COLUMNS: &[&str] = &[
    "chain",
    "chain_name",
    "node",
    "node_name",
    "tier",
    "segment",
    "firms",
    "backbone",
    "in_library",
    "projects",
    "bases",
    "revenue_wan",
    "revenue_share",
    "output_wan",
    "output_share",
    "strength",
    "outside_dependency",
    "gaps",
    "figures_year",
];

const BASE_COLUMNS: &[&str] = &[
    "id",
    "name",
    "kind",
    "kind_label",
    "level",
    "level_label",
    "city",
    "host_name",
    "host_uscc",
    "recognised_by",
    "recognised_on",
    "withdrawn_on",
    "withdrawn_reason",
    "source",
    "synthetic",
    "counts_for",
];

/// Bases as a table: the operator's export, and the registry page's CSV (of the bases its reader sees).
pub fn base_table(bases: &[crate::bases::BaseView]) -> AppResult<Exported> {
    let rows = bases
        .iter()
        .map(|b| serde_json::to_value(b).map(|v| row(BASE_COLUMNS, v)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::internal)?;
    Ok(Exported { columns: BASE_COLUMNS.to_vec(), rows })
}

const CHALLENGE_COLUMNS: &[&str] = &[
    "id",
    "title",
    "state",
    "state_label",
    "department",
    "chain_node",
    "gap_rule",
    "funding_wan",
    "reward",
    "eligibility",
    "apply_by",
    "finish_by",
    "applications",
    "winner_id",
    "outcome_note",
    "synthetic",
    "created_at",
    "updated_at",
];

/// The chip–terminal pairs, ranked, each component's points in a column of its own.
const MATCH_COLUMNS: &[&str] = &[
    "rank",
    "score",
    "category",
    "category_label",
    "product_id",
    "product_name",
    "chip_uscc",
    "chip_firm",
    "chip_city",
    "maturity_label",
    "need_id",
    "need_name",
    "terminal_uscc",
    "terminal_firm",
    "terminal_city",
    "needed_by",
    "points_category",
    "points_maturity",
    "points_volume",
    "points_proximity",
    "points_cooperation",
    "points_substitution",
    "meetings",
    "outcome",
    "outcome_label",
    "synthetic",
];

impl App {
    /// A table for the operator's export; labels in `lang`. An unknown table is refused naming the known
    /// ones.
    pub async fn export_table(&self, table: &str, lang: Lang) -> AppResult<Exported> {
        match table {
            "projects" => self.export_projects(lang).await,
            "bases" => base_table(&self.base_views(lang).await?),
            "chains" => {
                let rows = self.chain_export_rows(lang).await?.into_iter().map(|v| row(CHAIN_COLUMNS, v)).collect();
                Ok(Exported { columns: CHAIN_COLUMNS.to_vec(), rows })
            }
            "challenges" => {
                let rows = self
                    .challenge_rows_for_export()
                    .await?
                    .into_iter()
                    .map(|(c, applications)| {
                        let v = json!({
                            "id": c.id,
                            "title": c.title,
                            "state": c.state.as_str(),
                            "state_label": c.state.label(lang),
                            "department": c.department,
                            "chain_node": c.chain_node,
                            "gap_rule": c.gap_rule,
                            "funding_wan": c.funding_wan,
                            "reward": c.reward,
                            "eligibility": c.eligibility,
                            "apply_by": c.apply_by.map(|d| d.to_string()),
                            "finish_by": c.finish_by.map(|d| d.to_string()),
                            "applications": applications,
                            "winner_id": c.winner_id,
                            "outcome_note": c.outcome_note,
                            "synthetic": c.synthetic,
                            "created_at": c.created_at,
                            "updated_at": c.updated_at,
                        });
                        row(CHALLENGE_COLUMNS, v)
                    })
                    .collect();
                Ok(Exported { columns: CHALLENGE_COLUMNS.to_vec(), rows })
            }
            "matches" => {
                let pairs = self.ranked_pairs(&crate::matching::MatchFilter::default(), lang, |_, _| true).await?;
                let mut rows = Vec::new();
                for p in pairs {
                    let mut v = serde_json::to_value(&p).map_err(AppError::internal)?;
                    if let Some(o) = v.as_object_mut() {
                        for c in &p.components {
                            o.insert(format!("points_{}", c.component), json!(c.points));
                        }
                    }
                    rows.push(row(MATCH_COLUMNS, v));
                }
                Ok(Exported { columns: MATCH_COLUMNS.to_vec(), rows })
            }
            other => Err(AppError::new(
                Code::InvalidArgument,
                format!("尚不能导出表“{other}”，可选：{}", EXPORT_TABLES.join("、")),
                format!("the table “{other}” cannot be exported yet; one of: {}", EXPORT_TABLES.join(", ")),
            )),
        }
    }

    async fn export_projects(&self, lang: Lang) -> AppResult<Exported> {
        let memberships = self.store.project_memberships().await?;
        let problems = self.store.problems(None).await?;
        let today = jiqun_domain::date::Date::from_tuple(today_in_china());
        let mut rows = Vec::new();
        for p in self.store.projects(&ProjectFilter::default()).await? {
            let mine: Vec<_> = problems.iter().filter(|x| x.project_id == p.id).collect();
            let libraries: Vec<&str> =
                memberships.iter().filter(|(_, id)| *id == p.id).map(|(l, _)| l.as_str()).collect();
            let v = json!({
                "id": p.id,
                "name": p.name,
                "owner_uscc": p.owner_uscc,
                "owner_name": p.owner_name,
                "city": p.city,
                "stage": p.stage.as_str(),
                "stage_label": p.stage.label(lang),
                "suspended_from": p.suspended_from.map(|s| s.as_str()),
                "libraries": libraries,
                "plan_items": p.plan_items,
                "chain_nodes": p.chain_nodes,
                "total_investment_wan": p.total_investment_wan,
                "planned_start": p.planned_start.map(|d| d.to_string()),
                "planned_finish": p.planned_finish.map(|d| d.to_string()),
                "fast_lane": p.fast_lane,
                "source": p.source,
                "synthetic": p.synthetic,
                "open_problems": mine.iter().filter(|x| x.state != ProblemState::Closed).count(),
                "overdue_problems": mine.iter().filter(|x| x.state.awaits_answer() && x.deadline < today).count(),
                "admission_id": p.admission_id,
                "created_at": p.created_at,
                "updated_at": p.updated_at,
            });
            rows.push(row(PROJECT_COLUMNS, v));
        }
        Ok(Exported { columns: PROJECT_COLUMNS.to_vec(), rows })
    }
}
