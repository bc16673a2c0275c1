//! The states of supervision (督办) as types: what a department says of its progress, and where its report
//! stands in review. Parsed once at the edge; the strings are the contract's (§3).

#[cfg(test)]
use crate::Lang;

crate::labelled_enum! {
    /// A department's own account of an assignment in a period.
    pub enum ReportStatus {
        NotStarted = "not_started", "未启动", "not started";
        OnSchedule = "on_schedule", "按计划推进", "on schedule";
        Behind = "behind", "滞后", "behind";
        Done = "done", "已完成", "done";
    }
}

crate::labelled_enum! {
    /// Where a report stands: a draft is the department's alone; a submitted one waits for the plan owner,
    /// who accepts it or returns it; an accepted one stands until the reviewer returns it.
    pub enum ReviewState {
        Draft = "draft", "草稿", "draft";
        Submitted = "submitted", "待审核", "submitted";
        Accepted = "accepted", "已通过", "accepted";
        Returned = "returned", "已退回", "returned";
    }
}

impl ReviewState {
    /// Whether the reviewer may move a report in this state to `accepted` (`true`) or `returned` (`false`).
    pub fn may_review(self, accept: bool) -> bool {
        matches!((self, accept), (ReviewState::Submitted, _) | (ReviewState::Accepted, false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_and_unknown_ones_are_refused() {
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        for s in ReviewState::ALL {
            assert_eq!(ReviewState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ReportStatus::parse("sleeping"), None);
        assert_eq!(ReviewState::Returned.label(Lang::Zh), "已退回");
        assert!(ReviewState::Accepted.may_review(false) && !ReviewState::Accepted.may_review(true));
        assert!(!ReviewState::Draft.may_review(false));
    }
}
