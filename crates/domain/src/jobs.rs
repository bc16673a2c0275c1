//! Long jobs (an evaluation run today) that a server runs on behalf of a request and that another server
//! takes over when the first dies: what kind of job, and where it stands.

crate::labelled_enum! {
    /// What a job does.
    pub enum JobKind {
        Evaluation = "evaluation", "亩均评价", "per-mu evaluation";
    }
}

crate::labelled_enum! {
    /// Where a job stands. A job is made running, by the server that received the request; it ends done
    /// (its result committed in the same transaction) or failed (with the reason).
    pub enum JobState {
        Running = "running", "进行中", "running";
        Done = "done", "已完成", "done";
        Failed = "failed", "失败", "failed";
    }
}
