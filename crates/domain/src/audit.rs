//! What the audit trail records: one list of actions, each with the stable string stored in
//! `audit_log.action` and its label in Chinese and English. The store writes only these (its `audit`
//! takes an `AuditAction`), so every action a person can see has a label.

use crate::Lang;

crate::labelled_enum! {
    /// An action of the audit trail.
    pub enum AuditAction {
        AuthLogin = "auth.login", "登录", "logged in";
        AuthLogout = "auth.logout", "退出登录", "logged out";
        UserCreate = "user.create", "新建用户", "created a user";
        UserRoles = "user.roles", "修改用户角色", "changed a user's roles";
        UserPassword = "user.password", "修改密码", "changed a password";
        UserContact = "user.contact", "修改联系方式", "changed contact details";
        TotpEnrol = "totp.enrol", "开始绑定动态口令", "began enrolling a one-time code";
        TotpEnable = "totp.enable", "启用动态口令", "enabled the one-time code";
        TotpRemove = "totp.remove", "解除动态口令", "removed the one-time code";
        SettingSet = "setting.set", "修改设置", "changed a setting";
        RoleSet = "role.set", "修改角色定义", "changed a role definition";
        PlanImport = "plan.import", "导入计划", "imported a plan";
        PlanClose = "plan.close", "关闭计划", "closed a plan";
        IndicatorCreate = "indicator.create", "新增指标", "added an indicator";
        IndicatorUpdate = "indicator.update", "修改指标", "edited an indicator";
        IndicatorOverride = "indicator.override", "人工调整指标状态", "overrode an indicator's status";
        ObservationAdd = "observation.add", "录入数据", "entered a value";
        ObservationCorrect = "observation.correct", "更正数据", "corrected a value";
        ObservationBulk = "observation.bulk", "批量载入数据", "loaded values in bulk";
        RoundSet = "round.set", "设置报送轮次", "set a reporting round";
        ReportDraft = "report.draft", "保存报告草稿", "saved a draft report";
        ReportSubmit = "report.submit", "提交进展报告", "submitted a report";
        ReportAccept = "report.accept", "审核通过报告", "accepted a report";
        ReportReturn = "report.return", "退回报告", "returned a report";
        AttachmentAdd = "attachment.add", "上传附件", "attached a file";
        EnterpriseCreate = "enterprise.create", "新增企业", "added an enterprise";
        EnterpriseUpdate = "enterprise.update", "修改企业信息", "edited an enterprise";
        EnterpriseFigures = "enterprise.figures", "填报企业数据", "entered an enterprise's figures";
        EnterpriseImport = "enterprise.import", "导入企业数据", "imported enterprise data";
        FileImport = "import.file", "导入填报文件", "imported a filled-in file";
        EnterpriseContact = "enterprise.contact", "修改企业联系人", "changed an enterprise's contact";
        EnterpriseAssignExpert = "enterprise.assign_expert", "指派评审专家", "assigned an expert";
        EvaluationRun = "evaluation.run", "开展亩均评价", "ran a per-mu evaluation";
        JobTakeOver = "job.take_over", "接续中断的任务", "took over a job an ended server left unfinished";
        SchemeCreate = "scheme.create", "新建评价方案", "created an evaluation scheme";
        SchemeUpdate = "scheme.update", "修改评价方案", "edited an evaluation scheme";
        LibraryDesignate = "library.designate", "列入培育库", "designated an enterprise in a library";
        LibraryWithdraw = "library.withdraw", "移出培育库", "withdrew an enterprise from a library";
        ProjectAssess = "project.assess", "项目准入评估", "assessed a project for admission";
        ProjectCreate = "project.create", "登记重点项目", "registered a key project";
        ProjectUpdate = "project.update", "修改重点项目", "edited a key project";
        ProjectStage = "project.stage", "变更项目阶段", "changed a project's stage";
        ProblemRaise = "problem.raise", "提出项目问题", "raised a project problem";
        ProblemRoute = "problem.route", "改派项目问题", "routed a project problem to another department";
        ProblemAnswer = "problem.answer", "答复项目问题", "answered a project problem";
        ProblemClose = "problem.close", "办结项目问题", "closed a project problem";
        ProblemReopen = "problem.reopen", "重新办理项目问题", "reopened a project problem";
        ProjectProgress = "project.progress", "填报项目进度", "reported a project's progress";
        ProjectProgressAccept = "project.progress_accept", "审核通过项目进度", "accepted a project's progress";
        ProjectProgressReturn = "project.progress_return", "退回项目进度", "returned a project's progress";
        MilestoneAdd = "milestone.add", "新增项目节点", "added a project milestone";
        MilestoneDone = "milestone.done", "项目节点完成", "marked a project milestone done";
        ProjectLog = "project.log", "记录跟踪服务", "recorded a tracking-log entry";
        ProjectLibraryTrackers = "project_library.trackers", "设置项目库跟踪服务部门和人员", "set who tracks a project library";
        BaseRecognise = "base.recognise", "登记认定平台或基地", "registered a recognised base";
        BaseUpdate = "base.update", "修改平台或基地", "edited a base";
        BaseWithdraw = "base.withdraw", "撤销平台或基地认定", "withdrew a base's recognition";
        ChainVocabulary = "chain.vocabulary", "修改产业链环节表", "changed the chain vocabulary";
        ChainTextMap = "chain.text_map", "认定产业链环节名称", "decided which chain node a name means";
        ChainDependency = "chain.dependency", "记录环节省外依赖", "recorded a node's outside dependency";
        ChainSettings = "chain.settings", "修改补链分析设置", "changed the gap-analysis settings";
        ChainFirm = "chain.firm", "设置企业所在环节", "set a firm's place on a chain node";
        ChainBase = "chain.base", "设置平台基地所在环节", "set a base's chain node";
        ChallengeCreate = "challenge.create", "起草揭榜挂帅榜单", "drafted an open challenge";
        ChallengeUpdate = "challenge.update", "修改揭榜挂帅榜单", "edited an open challenge";
        ChallengeMove = "challenge.move", "榜单状态流转", "moved an open challenge to another state";
        ChallengeApply = "challenge.apply", "揭榜申报", "applied for an open challenge";
        ChallengeAttach = "challenge.attach", "上传揭榜申报附件", "attached a file to a challenge application";
        ChallengeExpert = "challenge.expert", "指派榜单评审专家", "assigned an expert to an open challenge";
        ChallengeReview = "challenge.review", "评审揭榜申报", "reviewed a challenge application";
        ChallengeMilestone = "challenge.milestone", "记录攻关里程碑", "recorded a challenge milestone";
        MatchProductCreate = "match_product.create", "登记芯片产品", "listed a chip product";
        MatchProductUpdate = "match_product.update", "修改芯片产品", "edited a chip product";
        MatchNeedCreate = "match_need.create", "登记终端需求", "listed a terminal need";
        MatchNeedUpdate = "match_need.update", "修改终端需求", "edited a terminal need";
        MatchMeetingCreate = "match_meeting.create", "记录对接会", "recorded a matchmaking meeting";
        MatchMeetingOutcome = "match_meeting.outcome", "记录对接结果", "recorded a matchmaking outcome";
        MatchSettings = "match.settings", "设定对接评分权重", "set the matchmaking weights";
        IndicatorDerivation = "indicator.derivation", "设置指标计算来源", "set what an indicator is computed from";
        ObservationDerive = "observation.derive", "自动计算指标数据", "computed indicator values from a registry";
        KeysReseal = "keys.reseal", "更换密钥并重新加密", "re-sealed data with a new key";
        AuditPrune = "audit.prune", "清理过期审计记录", "pruned old audit records";
        DataExport = "export.table", "导出数据", "exported a table";
    }
}

impl AuditAction {
    /// The label of a stored string; one that is not in the list (written by another version) is shown
    /// as "其他操作" with the string, never bare.
    pub fn label_of(s: &str, lang: Lang) -> String {
        match AuditAction::parse(s) {
            Some(a) => a.label(lang).to_string(),
            None => format!("{}{s}{}", lang.pick("其他操作（", "other action ("), lang.pick("）", ")")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_label_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.as_str()), "{a} twice");
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            let (zh, en) = (a.label(Lang::Zh), a.label(Lang::En));
            assert!(zh.chars().all(|c| !c.is_ascii_alphabetic()), "{a}: English in “{zh}”");
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{a}: “{zh}”");
            assert!(!en.is_empty() && en.is_ascii(), "{a}: “{en}”");
            assert_ne!(en, a.as_str(), "{a}: the English label is the raw name");
        }
        assert_eq!(AuditAction::label_of("project.assess", Lang::Zh), "项目准入评估");
        assert_eq!(AuditAction::label_of("x.y", Lang::Zh), "其他操作（x.y）");
    }
}
