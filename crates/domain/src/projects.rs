//! Key projects (重点项目) from 谋划 to 投产: their stages and which changes between them are possible, and
//! the problems an owner raises on the enterprise through-train (企业直通车).

use crate::Lang;

crate::labelled_enum! {
    /// A project's stage (contract §3: the API's `stage` codes).
    pub enum ProjectStage {
        Planning = "planning", "谋划", "planning";
        Signed = "signed", "签约", "signed";
        Started = "started", "开工", "started";
        Building = "building", "在建", "under construction";
        Completed = "completed", "竣工", "completed";
        Operating = "operating", "投产", "in operation";
        Suspended = "suspended", "暂停", "suspended";
        Terminated = "terminated", "终止", "terminated";
    }
}

/// Why a stage change is impossible, in both languages (the message names both stages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRefusal {
    pub zh: String,
    pub en: String,
}

impl ProjectStage {
    /// The place of an open stage on the way to operation; `None` for suspended and terminated.
    fn rank(self) -> Option<u8> {
        use ProjectStage::*;
        match self {
            Planning => Some(0),
            Signed => Some(1),
            Started => Some(2),
            Building => Some(3),
            Completed => Some(4),
            Operating => Some(5),
            Suspended | Terminated => None,
        }
    }

    /// Whether a project in this stage is still being followed (not operating, not terminated).
    pub fn is_open(self) -> bool {
        !matches!(self, ProjectStage::Operating | ProjectStage::Terminated)
    }

    /// Whether a project may go from `self` to `to`. `suspended_from` is the stage a suspended project was
    /// in: resuming (恢复) goes back to it or further on. Forward moves may skip stages (signed and started
    /// the same week), but a project is completed or in operation only after it has started; nothing
    /// follows termination or operation.
    pub fn may_move(self, to: ProjectStage, suspended_from: Option<ProjectStage>) -> Result<(), StageRefusal> {
        use ProjectStage::*;
        let refuse = |why_zh: &str, why_en: &str| {
            Err(StageRefusal {
                zh: format!("项目不能从“{}”改为“{}”：{why_zh}", self.label(Lang::Zh), to.label(Lang::Zh)),
                en: format!("a project cannot go from {} to {}: {why_en}", self.label(Lang::En), to.label(Lang::En)),
            })
        };
        if self == to {
            return refuse("阶段未变", "it is already there");
        }
        match self {
            Terminated => return refuse("项目已终止", "the project is terminated"),
            Operating => return refuse("项目已投产", "the project is in operation"),
            _ => {}
        }
        if matches!(to, Suspended | Terminated) {
            return Ok(());
        }
        let from = if self == Suspended { suspended_from.unwrap_or(Planning) } else { self };
        let (a, b) = (from.rank().unwrap_or(0), to.rank().unwrap_or(0));
        if b < a {
            return match self {
                Suspended => refuse(
                    "恢复时只能回到暂停前的阶段或其后",
                    "a resumed project goes back to where it was or further on",
                ),
                _ => refuse("阶段不能倒退", "stages do not go back"),
            };
        }
        if b >= 4 && a < 2 {
            return refuse("尚未开工", "it has not started");
        }
        Ok(())
    }
}

crate::labelled_enum! {
    /// What an owner asks help with on the through-train.
    pub enum ProblemKind {
        Land = "land", "用地", "land";
        Energy = "energy", "能耗指标", "energy quota";
        Power = "power", "用电", "power supply";
        Finance = "finance", "融资", "financing";
        Approval = "approval", "审批", "approvals";
        Talent = "talent", "人才", "talent";
        Other = "other", "其他", "other";
    }
}

crate::labelled_enum! {
    /// Where a problem stands.
    pub enum ProblemState {
        Open = "open", "待办理", "open";
        Answered = "answered", "已答复", "answered";
        Closed = "closed", "已办结", "closed";
        Reopened = "reopened", "重新办理", "reopened";
    }
}

crate::labelled_enum! {
    /// An entry of a project's tracking log (跟踪服务).
    pub enum TrackingKind {
        Visit = "visit", "走访", "visit";
        Meeting = "meeting", "会商", "meeting";
        Decision = "decision", "决策", "decision";
    }
}

impl ProblemState {
    /// Waiting for the department's answer.
    pub fn awaits_answer(self) -> bool {
        matches!(self, ProblemState::Open | ProblemState::Reopened)
    }
}

impl ProblemKind {
    /// The department a problem of this kind goes to, and its deadline in days (a fast-lane project gets
    /// half, at least two): Jiqun's defaults, which the plan owner changes (the setting `project.routing`,
    /// crates/app/src/project_settings.rs); the departments are those the plan names.
    pub fn routing(self) -> (&'static str, u32) {
        match self {
            ProblemKind::Land => ("省自然资源厅", 20),
            ProblemKind::Energy => ("省发展改革委", 20),
            ProblemKind::Power => ("省能源局", 10),
            ProblemKind::Finance => ("省地方金融监管局", 15),
            ProblemKind::Approval => ("省政务服务数据管理局", 10),
            ProblemKind::Talent => ("省人力资源社会保障厅", 20),
            ProblemKind::Other => ("省工业和信息化厅", 15),
        }
    }

    pub fn deadline_days(self, fast_lane: bool) -> u32 {
        let (_, days) = self.routing();
        deadline_days(days, fast_lane)
    }
}

/// The deadline of a problem routed with `days`: half, at least two, on the fast lane.
pub fn deadline_days(days: u32, fast_lane: bool) -> u32 {
    if fast_lane { (days / 2).max(2) } else { days }
}

#[cfg(test)]
mod tests {
    use super::ProjectStage::*;
    use super::*;

    #[test]
    fn stages_move_forward_and_operation_needs_a_start() {
        assert!(Planning.may_move(Signed, None).is_ok());
        assert!(Planning.may_move(Started, None).is_ok(), "skipping forward is fine");
        assert!(Building.may_move(Completed, None).is_ok());
        assert!(Completed.may_move(Operating, None).is_ok());
        let e = Signed.may_move(Operating, None).unwrap_err();
        assert!(e.zh.contains("签约") && e.zh.contains("投产") && e.zh.contains("尚未开工"), "{e:?}");
        assert!(e.en.contains("signed") && e.en.contains("in operation"), "{e:?}");
        assert!(Building.may_move(Signed, None).is_err(), "no going back");
        assert!(Building.may_move(Building, None).is_err());
    }

    #[test]
    fn suspension_termination_and_resumption() {
        assert!(Building.may_move(Suspended, None).is_ok());
        assert!(Signed.may_move(Terminated, None).is_ok());
        assert!(Suspended.may_move(Terminated, Some(Building)).is_ok());
        assert!(Suspended.may_move(Building, Some(Building)).is_ok(), "resumed where it was");
        assert!(Suspended.may_move(Completed, Some(Building)).is_ok(), "or further on");
        assert!(Suspended.may_move(Signed, Some(Building)).is_err(), "not back before it");
        assert!(Suspended.may_move(Operating, Some(Signed)).is_err(), "not into operation without a start");
        let e = Terminated.may_move(Building, None).unwrap_err();
        assert!(e.zh.contains("终止") && e.zh.contains("在建"), "{e:?}");
        assert!(Operating.may_move(Suspended, None).is_err(), "an operating project is no longer followed");
        assert!(Operating.may_move(Terminated, None).is_err());
    }

    #[test]
    fn problems_are_routed_with_shorter_deadlines_on_the_fast_lane() {
        assert_eq!(ProblemKind::Land.deadline_days(false), 20);
        assert_eq!(ProblemKind::Land.deadline_days(true), 10);
        assert_eq!(ProblemKind::Approval.deadline_days(true), 5);
        assert!(ProblemState::Reopened.awaits_answer() && !ProblemState::Closed.awaits_answer());
        let registry = crate::AgencyRegistry::guangdong();
        for k in ProblemKind::ALL {
            let (department, _) = k.routing();
            let r = registry.resolve(department, None);
            assert!(r.known && r.name == department, "{department} is a registered department by its short name");
        }
    }
}
