//! 揭榜挂帅 (open challenges): the states a challenge goes through and the workflow — which moves exist and
//! which roles may make each — held as configuration. The shipped `data/challenges/workflow-example.json` is
//! an example of how a province may run it, not official rules (none were found; see docs/challenges.md).
//! Roles are named as the application's role table names them (`plan_owner`, `agency_reporter`, `expert`,
//! `enterprise`, …). The expert-review engine is `jiqun_eval::challenges`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Lang;
use crate::datafile::{FieldError, Text, check_nonempty, check_text, parse_json};

crate::labelled_enum! {
    /// Where a challenge stands. `accepted` and `failed` are final.
    pub enum ChallengeState {
        Draft = "draft", "草拟", "draft";
        Published = "published", "已发榜", "published";
        ApplicationsOpen = "applications_open", "揭榜申报中", "applications open";
        Review = "review", "评审中", "under review";
        Awarded = "awarded", "已定榜", "awarded";
        InProgress = "in_progress", "攻关实施中", "in progress";
        Accepted = "accepted", "已验收", "accepted";
        Failed = "failed", "未通过验收", "failed";
    }
}

impl ChallengeState {
    pub fn is_final(self) -> bool {
        matches!(self, ChallengeState::Accepted | ChallengeState::Failed)
    }
}

/// One move and who may make it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: ChallengeState,
    pub to: ChallengeState,
    /// Role names (the application's), at least one.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    pub version: String,
    /// What the file is: says it is an example where it is one.
    pub note: Text,
    /// How people call the roles, for the messages (`plan_owner` → 计划管理(牵头处室) / plan owner).
    pub role_labels: BTreeMap<String, Text>,
    pub transitions: Vec<Transition>,
}

/// Why a move is refused, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The roles that may make the move; empty when the move does not exist.
    pub allowed: Vec<String>,
    pub zh: String,
    pub en: String,
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkflow {
    version: String,
    note: Text,
    #[serde(default)]
    role_labels: BTreeMap<String, Text>,
    transitions: Vec<RawTransition>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    from: String,
    to: String,
    roles: Vec<String>,
}

const EXAMPLE: &str = include_str!("../../../data/challenges/workflow-example.json");

impl Workflow {
    /// The shipped example workflow.
    pub fn example() -> &'static Workflow {
        static W: std::sync::OnceLock<Workflow> = std::sync::OnceLock::new();
        // Part of the build and checked by a test: a failure is a build defect.
        W.get_or_init(|| {
            Workflow::parse(EXAMPLE).unwrap_or_else(|e| {
                let list: Vec<String> = e.iter().map(|e| e.message(Lang::En)).collect();
                panic!("example challenge workflow: {}", list.join("; "))
            })
        })
    }

    pub fn example_json() -> &'static str {
        EXAMPLE
    }

    /// Reads and checks a workflow: known states, no move from a final state or to the same state, no move
    /// twice, at least one role per move, role names as the role table writes them.
    pub fn parse(text: &str) -> Result<Workflow, Vec<FieldError>> {
        let raw: RawWorkflow = parse_json(text)?;
        let mut errors = Vec::new();
        check_nonempty(&raw.version, "version", &mut errors);
        check_text(&raw.note, "note", &mut errors);
        for (name, label) in &raw.role_labels {
            check_role(name, &format!("role_labels.{name}"), &mut errors);
            check_text(label, &format!("role_labels.{name}"), &mut errors);
        }
        let state = |s: &str, path: String, errors: &mut Vec<FieldError>| {
            let st = ChallengeState::parse(s);
            if st.is_none() {
                let known: Vec<&str> = ChallengeState::ALL.iter().map(|s| s.as_str()).collect();
                errors.push(FieldError::new(
                    path,
                    format!("“{s}”不是榜单的状态，可选：{}", known.join("、")),
                    format!("\"{s}\" is not a challenge state; one of: {}", known.join(", ")),
                ));
            }
            st
        };
        let mut transitions: Vec<Transition> = Vec::new();
        let mut seen: BTreeMap<(ChallengeState, ChallengeState), usize> = BTreeMap::new();
        for (i, t) in raw.transitions.into_iter().enumerate() {
            let p = format!("transitions[{i}]");
            let from = state(&t.from, format!("{p}.from"), &mut errors);
            let to = state(&t.to, format!("{p}.to"), &mut errors);
            if t.roles.is_empty() {
                errors.push(FieldError::new(format!("{p}.roles"), "至少要有一个角色", "at least one role is required"));
            }
            for (j, r) in t.roles.iter().enumerate() {
                check_role(r, &format!("{p}.roles[{j}]"), &mut errors);
            }
            let (Some(from), Some(to)) = (from, to) else { continue };
            if from.is_final() {
                errors.push(FieldError::new(
                    format!("{p}.from"),
                    format!("“{}”是终态，不能再流转", from.label(Lang::Zh)),
                    format!("\"{from}\" is final: no move leaves it"),
                ));
            }
            if from == to {
                errors.push(FieldError::new(format!("{p}.to"), "不能流转到原状态", "a move must change the state"));
            }
            if let Some(first) = seen.insert((from, to), i) {
                errors.push(FieldError::new(
                    p.clone(),
                    format!("{from} → {to} 与 transitions[{first}] 重复"),
                    format!("{from} → {to} repeats transitions[{first}]"),
                ));
            }
            transitions.push(Transition { from, to, roles: t.roles });
        }
        if errors.is_empty() {
            Ok(Workflow { version: raw.version, note: raw.note, role_labels: raw.role_labels, transitions })
        } else {
            Err(errors)
        }
    }

    /// The moves that leave a state.
    pub fn moves_from(&self, from: ChallengeState) -> impl Iterator<Item = &Transition> {
        self.transitions.iter().filter(move |t| t.from == from)
    }

    /// Whether a user holding `role` may move a challenge from `from` to `to`; the refusal names the roles
    /// that may, or says that the move does not exist (and which moves leave `from`).
    pub fn check(&self, from: ChallengeState, to: ChallengeState, role: &str) -> Result<(), Refusal> {
        self.check_any(from, to, &[role])
    }

    /// As [`Workflow::check`] for a user with several roles: any one of them suffices.
    pub fn check_any(&self, from: ChallengeState, to: ChallengeState, roles: &[&str]) -> Result<(), Refusal> {
        let Some(t) = self.transitions.iter().find(|t| t.from == from && t.to == to) else {
            let next: Vec<ChallengeState> = self.moves_from(from).map(|t| t.to).collect();
            let (zh_next, en_next) = if next.is_empty() {
                ("该状态没有后续流转".to_string(), "no move leaves that state".to_string())
            } else {
                (
                    format!("可流转到：{}", next.iter().map(|s| s.label(Lang::Zh)).collect::<Vec<_>>().join("、")),
                    format!(
                        "it may move to: {}",
                        next.iter().map(|s| s.label(Lang::En)).collect::<Vec<_>>().join(", ")
                    ),
                )
            };
            return Err(Refusal {
                allowed: vec![],
                zh: format!("没有从“{}”到“{}”的流转；{zh_next}", from.label(Lang::Zh), to.label(Lang::Zh)),
                en: format!("there is no move from {} to {}; {en_next}", from.label(Lang::En), to.label(Lang::En)),
            });
        };
        if roles.iter().any(|r| t.roles.iter().any(|a| a == r.trim())) {
            return Ok(());
        }
        let name = |r: &String, lang: Lang| match self.role_labels.get(r) {
            Some(l) => match lang {
                Lang::Zh => format!("{}（{r}）", l.zh),
                Lang::En => format!("{} ({r})", l.en),
            },
            None => r.clone(),
        };
        let zh: Vec<String> = t.roles.iter().map(|r| name(r, Lang::Zh)).collect();
        let en: Vec<String> = t.roles.iter().map(|r| name(r, Lang::En)).collect();
        Err(Refusal {
            allowed: t.roles.clone(),
            zh: format!("从“{}”到“{}”只能由以下角色操作：{}", from.label(Lang::Zh), to.label(Lang::Zh), zh.join("、")),
            en: format!(
                "only these roles may move a challenge from {} to {}: {}",
                from.label(Lang::En),
                to.label(Lang::En),
                en.join(", ")
            ),
        })
    }
}

/// A role name as the role table writes them: 1 to 40 lower-case letters, digits or underscores.
fn check_role(r: &str, path: &str, errors: &mut Vec<FieldError>) {
    let ok =
        !r.is_empty() && r.len() <= 40 && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        errors.push(FieldError::new(
            path,
            format!("角色名“{r}”无效：1 至 40 个小写字母、数字或下划线"),
            format!("invalid role name \"{r}\": 1 to 40 lower-case letters, digits or underscores"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_parses_and_final_states_are_final() {
        let w = Workflow::example();
        assert!(w.note.zh.contains("示例"));
        assert!(w.transitions.iter().all(|t| !t.from.is_final()));
        assert_eq!(w.check(ChallengeState::Draft, ChallengeState::Published, "plan_owner"), Ok(()));
    }
}
