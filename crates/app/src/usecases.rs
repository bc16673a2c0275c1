//! The writes users make, each checking permission first, then validating its input, then storing.

use jiqun_domain::RegionModel;
use jiqun_domain::period::Period;
use jiqun_store::{Actor, AuditRow, IndicatorEdit, NewUser, ReportInput, ReportRow};

use crate::auth::{ADMIN_ROLES, check_password_rules, hash_password};
use crate::authz::Action;
use crate::{App, AppError, AppResult, Session};

pub const REPORT_STATUSES: &[&str] = &["not_started", "on_schedule", "behind", "done"];
pub const FREQUENCIES: &[&str] = &["annual", "quarterly", "monthly"];
pub const CMPS: &[&str] = &[">", ">=", "=", "<=", "<", "range"];
/// The security policy's settings, with bounds: (key, min, max). `totp_required_roles` is a role list.
pub const SECURITY_POLICY_SETTINGS: &[(&str, i64, i64)] = &[
    ("lockout_failures", 3, 20),
    ("lockout_minutes", 1, 1440),
    ("idle_minutes", 5, 480),
    ("password_max_age_days", 0, 3650),
    // At least six months (网络安全法 Art. 21(3)).
    ("audit_retention_days", 183, 36500),
    ("totp_required_roles", 0, 0),
];

/// The largest attachment accepted.
pub const MAX_ATTACHMENT: usize = 10 << 20;

fn need(session: &Session, action: Action) -> AppResult<()> {
    if session.can(&action) { Ok(()) } else { Err(AppError::forbidden()) }
}

fn parse_period(field: &str, s: &str) -> AppResult<Period> {
    Period::parse(s).map_err(|_| {
        AppError::invalid(
            field,
            format!("“{s}”不是有效的期别，应形如 2025、2025Q2 或 2025-06"),
            format!("“{s}” is not a period such as 2025, 2025Q2 or 2025-06"),
        )
    })
}

/// Refuses a period that has not begun yet (contract §3): nobody reports or observes the future.
fn begun(field: &str, period: Period) -> AppResult<()> {
    if period.has_begun(crate::snapshot::today_in_china()) {
        return Ok(());
    }
    let (y, m, d) = period.first_day();
    Err(AppError::invalid(
        field,
        format!("期别 {period} 尚未开始（{y} 年 {m} 月 {d} 日开始），不能填报"),
        format!("the period {period} has not begun yet (it begins on {y:04}-{m:02}-{d:02})"),
    ))
}

/// The plan setting that lets departments report for periods with no reporting round.
pub fn outside_rounds_key(plan_id: i64) -> String {
    format!("plan.{plan_id}.reports_outside_rounds")
}

fn limit_text(field: &str, s: &str, max: usize) -> AppResult<()> {
    if s.chars().count() > max {
        return Err(AppError::invalid(field, format!("不能超过 {max} 字"), format!("at most {max} characters")));
    }
    Ok(())
}

/// A new user as an administrator or the CLI describes it.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<String>,
    pub agency: Option<String>,
    pub city: Option<String>,
    pub uscc: Option<String>,
}

/// No account holds two of the three administrator roles (三员分立).
pub fn check_role_combination(roles: &[String], table: &crate::authz::RoleTable) -> AppResult<()> {
    let names = table.names();
    for r in roles {
        if !names.contains(&r.as_str()) {
            return Err(AppError::invalid(
                "role",
                format!("未知角色“{r}”，可选：{}", names.join(", ")),
                format!("unknown role “{r}”; one of: {}", names.join(", ")),
            ));
        }
    }
    if roles.iter().filter(|r| ADMIN_ROLES.contains(&r.as_str())).count() > 1 {
        return Err(AppError::new(
            crate::Code::SeparationOfDuties,
            "三员分立：系统管理员、安全管理员、审计管理员不能由同一账户兼任",
            "separation of duties: no account may hold two of the system, security and audit administrator roles",
        ));
    }
    Ok(())
}

impl App {
    /// Imports a plan document (compiled here); returns the new plan's id.
    pub async fn import_plan(&self, session: &Session, bytes: &[u8], source_name: &str, ip: &str) -> AppResult<i64> {
        need(session, Action::ImportPlan)?;
        let lang = jiqun_domain::Lang::Zh;
        let opts = jiqun_compiler::Options { lang, ..Default::default() };
        let plan = jiqun_compiler::compile(bytes, &opts).map_err(|e| {
            let mut err = AppError::new(
                crate::Code::InvalidDocument,
                e.message(jiqun_domain::Lang::Zh),
                e.message(jiqun_domain::Lang::En),
            );
            err.details.push(("document".into(), e.message(jiqun_domain::Lang::Zh), e.message(jiqun_domain::Lang::En)));
            err
        })?;
        Ok(self.store.insert_plan(&plan, source_name, &session.actor(ip)).await?)
    }

    // The fields of an observation as the contract names them; a struct would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_observation(
        &self,
        session: &Session,
        indicator_id: i64,
        period: &str,
        value: f64,
        region: Option<&str>,
        source: Option<&str>,
        ip: &str,
    ) -> AppResult<i64> {
        let region = region.unwrap_or("").trim();
        need(session, Action::AddObservation { region })?;
        let indicator = self.store.indicator(indicator_id).await?.ok_or_else(|| {
            AppError::not_found(format!("指标 {indicator_id} 不存在"), format!("no indicator {indicator_id}"))
        })?;
        let period = parse_period("period", period)?;
        begun("period", period)?;
        if !value.is_finite() {
            return Err(AppError::invalid("value", "数值无效", "not a number"));
        }
        if value < 0.0 && indicator.unit != "%" {
            return Err(AppError::invalid("value", "数值不能为负", "the value cannot be negative"));
        }
        if !region.is_empty() && RegionModel::guangdong().city(region).is_none() {
            return Err(AppError::invalid(
                "region",
                format!("“{region}”不是本省地级以上市"),
                format!("“{region}” is not a city of the province"),
            ));
        }
        let source = source.unwrap_or("").trim();
        limit_text("source", source, 200)?;
        Ok(self.store.add_observation(indicator_id, period, region, value, source, &session.actor(ip)).await?)
    }

    /// Files a progress report on an assignment (a draft, or a submission).
    pub async fn file_report(
        &self,
        session: &Session,
        assignment_id: i64,
        input: &ReportInput,
        ip: &str,
    ) -> AppResult<ReportRow> {
        let assignment = self.store.assignment(assignment_id).await?;
        // Permission before validation and before revealing whether the assignment exists.
        let Some(assignment) = assignment else {
            return Err(if session.can(&Action::ReadPlan) {
                AppError::not_found(
                    format!("任务分工 {assignment_id} 不存在"),
                    format!("no assignment {assignment_id}"),
                )
            } else {
                AppError::forbidden()
            });
        };
        need(session, Action::FileReport { agency: &assignment.agency })?;
        let period = parse_period("period", &input.period)?;
        begun("period", period)?;
        let rounds = self.store.rounds(assignment.plan_id).await?;
        let in_round = rounds.iter().any(|r| Period::parse(&r.period).ok() == Some(period));
        if !in_round && !self.reports_outside_rounds(assignment.plan_id).await? {
            let open: Vec<&str> = rounds.iter().map(|r| r.period.as_str()).collect();
            let (zh_open, en_open) = if open.is_empty() {
                ("本计划尚未开启填报轮次".to_string(), "the plan has no reporting round yet".to_string())
            } else {
                (format!("已开启的轮次：{}", open.join("、")), format!("rounds open: {}", open.join(", ")))
            };
            return Err(AppError::invalid(
                "period",
                format!("期别 {period} 没有填报轮次，不接受报告（{zh_open}）"),
                format!("no reporting round for {period}, so no report is taken for it ({en_open})"),
            ));
        }
        // An accepted report stands until the reviewer returns it.
        if let Some(current) = self
            .store
            .assignment_reports(assignment_id)
            .await?
            .into_iter()
            .find(|r| r.current && Period::parse(&r.period).ok() == Some(period))
            && current.state == "accepted"
        {
            return Err(AppError::conflict(
                format!("{period} 的报告已审核通过，不能再次提交；如需修改，请审核人先退回"),
                format!(
                    "the report for {period} was accepted and cannot be replaced; the reviewer must return it first"
                ),
            ));
        }
        if !REPORT_STATUSES.contains(&input.status.as_str()) {
            return Err(AppError::invalid(
                "status",
                format!("进展状态应为 {}", REPORT_STATUSES.join("、")),
                format!("status must be one of {}", REPORT_STATUSES.join(", ")),
            ));
        }
        if !(0.0..=100.0).contains(&input.percent) || !input.percent.is_finite() {
            return Err(AppError::invalid(
                "percent",
                "完成比例应在 0 到 100 之间",
                "percent must be between 0 and 100",
            ));
        }
        if input.submit && input.narrative.trim().is_empty() {
            return Err(AppError::invalid(
                "narrative",
                "提交前请填写工作进展",
                "describe the progress before submitting",
            ));
        }
        limit_text("narrative", &input.narrative, 5000)?;
        limit_text("problems", &input.problems, 5000)?;
        limit_text("help_needed", &input.help_needed, 5000)?;
        // Stored in the contract's spelling (2025Q2, not 2025q2), so one period is one key.
        let input = ReportInput { period: period.to_string(), ..input.clone() };
        Ok(self.store.save_report(assignment_id, &input, &session.actor(ip)).await?)
    }

    /// Evidence for a report, filed by the department that owns it. At most `MAX_ATTACHMENT` bytes.
    pub async fn add_attachment(
        &self,
        session: &Session,
        report_id: i64,
        filename: &str,
        content_type: &str,
        data: &[u8],
        ip: &str,
    ) -> AppResult<i64> {
        let report = self.store.report(report_id).await?;
        let assignment = match &report {
            Some(r) => self.store.assignment(r.assignment_id).await?,
            None => None,
        };
        let Some(assignment) = assignment else {
            return Err(if session.can(&Action::ReadPlan) {
                AppError::not_found(format!("报告 {report_id} 不存在"), format!("no report {report_id}"))
            } else {
                AppError::forbidden()
            });
        };
        need(session, Action::FileReport { agency: &assignment.agency })?;
        if report.as_ref().is_some_and(|r| !r.current || r.state == "accepted") {
            return Err(AppError::conflict(
                "只能给当前版本、尚未通过审核的报告添加附件",
                "only the current version of a report not yet accepted takes attachments",
            ));
        }
        let name = filename.trim();
        if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\', '\0']) {
            return Err(AppError::invalid("filename", "文件名无效", "invalid file name"));
        }
        if data.len() > MAX_ATTACHMENT {
            return Err(AppError::new(
                crate::Code::TooLarge,
                format!("附件不能超过 {} MB", MAX_ATTACHMENT >> 20),
                format!("an attachment cannot exceed {} MB", MAX_ATTACHMENT >> 20),
            ));
        }
        if data.is_empty() {
            return Err(AppError::invalid("file", "请选择要上传的文件", "choose a file to upload"));
        }
        let content_type =
            if content_type.is_empty() || content_type.len() > 100 { "application/octet-stream" } else { content_type };
        Ok(self.store.add_attachment(report_id, name, content_type, data, &session.actor(ip)).await?)
    }

    /// Whether the plan takes reports for periods with no reporting round (off unless the plan owner turns it
    /// on: a report answers a round's call, which gives it a deadline and a place on the review list).
    pub async fn reports_outside_rounds(&self, plan_id: i64) -> AppResult<bool> {
        Ok(self.store.setting(&outside_rounds_key(plan_id)).await?.as_deref() == Some("1"))
    }

    /// The plan owner's supervision settings for a plan.
    pub async fn set_reports_outside_rounds(
        &self,
        session: &Session,
        plan_id: i64,
        allow: bool,
        ip: &str,
    ) -> AppResult<()> {
        need(session, Action::ManageRounds)?;
        if self.store.plan(plan_id).await?.is_none() {
            return Err(AppError::not_found(format!("计划 {plan_id} 不存在"), format!("no plan {plan_id}")));
        }
        let value = if allow { "1" } else { "0" };
        Ok(self.store.set_setting(&outside_rounds_key(plan_id), value, &session.actor(ip)).await?)
    }

    pub async fn review_report(
        &self,
        session: &Session,
        report_id: i64,
        accept: bool,
        comment: &str,
        ip: &str,
    ) -> AppResult<()> {
        need(session, Action::ReviewReport)?;
        limit_text("comment", comment, 2000)?;
        if !accept && comment.trim().is_empty() {
            return Err(AppError::invalid("comment", "退回时请写明意见", "say why the report is returned"));
        }
        let Some(report) = self.store.report(report_id).await?.filter(|r| r.current) else {
            return Err(AppError::not_found(format!("报告 {report_id} 不存在"), format!("no report {report_id}")));
        };
        let state_zh = match report.state.as_str() {
            "draft" => "草稿",
            "submitted" => "已提交",
            "accepted" => "已通过",
            "returned" => "已退回",
            _ => "未知",
        };
        match (report.state.as_str(), accept) {
            ("submitted", _) | ("accepted", false) => {}
            (_, true) => {
                return Err(AppError::conflict(
                    format!("只有已提交的报告可以审核通过，该报告目前为“{state_zh}”"),
                    format!("only a submitted report can be accepted; this one is {}", report.state),
                ));
            }
            (_, false) => {
                return Err(AppError::conflict(
                    format!("只有已提交或已通过的报告可以退回，该报告目前为“{state_zh}”"),
                    format!("only a submitted or accepted report can be returned; this one is {}", report.state),
                ));
            }
        }
        Ok(self.store.review_report(report_id, accept, comment, &session.actor(ip)).await?)
    }

    pub async fn set_round(
        &self,
        session: &Session,
        plan_id: i64,
        period: &str,
        deadline: &str,
        ip: &str,
    ) -> AppResult<()> {
        need(session, Action::ManageRounds)?;
        parse_period("period", period)?;
        if jiqun_compiler::notice::parse_date(deadline).as_deref() != Some(deadline) {
            return Err(AppError::invalid(
                "deadline",
                "截止日期应形如 2025-04-15",
                "the deadline must look like 2025-04-15",
            ));
        }
        Ok(self.store.set_round(plan_id, period, deadline, &session.actor(ip)).await?)
    }

    fn check_indicator(e: &IndicatorEdit) -> AppResult<()> {
        if e.name.trim().is_empty() {
            return Err(AppError::invalid("name", "请填写指标名称", "the indicator needs a name"));
        }
        limit_text("name", &e.name, 200)?;
        limit_text("unit", &e.unit, 20)?;
        if !["up", "down"].contains(&e.direction.as_str()) {
            return Err(AppError::invalid(
                "direction",
                "方向应为“up”（越大越好）或“down”（越小越好）",
                "direction must be up or down",
            ));
        }
        if !["growth", "linear"].contains(&e.method.as_str()) {
            return Err(AppError::invalid(
                "method",
                "方法应为“growth”（增速）或“linear”（线性）",
                "method must be growth or linear",
            ));
        }
        if !FREQUENCIES.contains(&e.frequency.as_str()) {
            return Err(AppError::invalid(
                "frequency",
                "频率应为“annual”（年）、“quarterly”（季）或“monthly”（月）",
                "frequency must be annual, quarterly or monthly",
            ));
        }
        if !CMPS.contains(&e.target_cmp.as_str()) {
            return Err(AppError::invalid("target_cmp", "比较符无效", "unknown comparator"));
        }
        if !e.target_value.is_finite() || e.target_value_max.is_some_and(|v| !v.is_finite()) {
            return Err(AppError::invalid("target_value", "目标值无效", "the target is not a number"));
        }
        if (e.target_cmp == "range") != e.target_value_max.is_some() {
            return Err(AppError::invalid(
                "target_value_max",
                "区间目标需要上限，其他目标不需要",
                "a range needs an upper bound, other targets none",
            ));
        }
        if !(1990..=2100).contains(&e.target_year) {
            return Err(AppError::invalid("target_year", "目标年份无效", "the target year is out of range"));
        }
        if let Some(p) = &e.baseline_period {
            parse_period("baseline_period", p)?;
        }
        Ok(())
    }

    pub async fn update_indicator(&self, session: &Session, id: i64, e: &IndicatorEdit, ip: &str) -> AppResult<()> {
        need(session, Action::EditIndicator)?;
        Self::check_indicator(e)?;
        Ok(self.store.update_indicator(id, e, &session.actor(ip)).await?)
    }

    pub async fn add_indicator(&self, session: &Session, plan_id: i64, e: &IndicatorEdit, ip: &str) -> AppResult<i64> {
        need(session, Action::EditIndicator)?;
        Self::check_indicator(e)?;
        if self.store.plan(plan_id).await?.is_none() {
            return Err(AppError::not_found(format!("计划 {plan_id} 不存在"), format!("no plan {plan_id}")));
        }
        Ok(self.store.add_indicator(plan_id, e, &session.actor(ip)).await?)
    }

    /// Overrides the computed status with a reason, or clears the override (`status` = None).
    pub async fn override_status(
        &self,
        session: &Session,
        id: i64,
        status: Option<&str>,
        reason: &str,
        ip: &str,
    ) -> AppResult<()> {
        need(session, Action::OverrideStatus)?;
        if let Some(s) = status {
            if jiqun_eval::progress::Status::parse(s).is_none() {
                return Err(AppError::invalid("status", "状态无效", "unknown status"));
            }
            if reason.trim().is_empty() {
                return Err(AppError::invalid("reason", "人工调整状态须说明理由", "an override needs a reason"));
            }
            limit_text("reason", reason, 2000)?;
        }
        Ok(self.store.set_override(id, status.map(|s| (s, reason)), &session.actor(ip)).await?)
    }

    pub async fn close_plan(
        &self,
        session: &Session,
        plan_id: i64,
        assessment: &str,
        successor: Option<i64>,
        ip: &str,
    ) -> AppResult<()> {
        need(session, Action::ClosePlan)?;
        if assessment.trim().is_empty() {
            return Err(AppError::invalid("assessment", "请填写总体评估", "write the final assessment"));
        }
        limit_text("assessment", assessment, 20_000)?;
        Ok(self.store.close_plan(plan_id, assessment, successor, &session.actor(ip)).await?)
    }

    /// Creates a user. `session` is the administrator; `None` is the CLI, which holds the database itself.
    pub async fn create_user(&self, session: Option<&Session>, input: &UserInput, ip: &str) -> AppResult<i64> {
        if let Some(s) = session {
            need(s, Action::ManageUsers)?;
        }
        let name = input.username.trim();
        let valid = !name.is_empty()
            && name.chars().count() <= 64
            && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
        if !valid {
            return Err(AppError::invalid(
                "username",
                "用户名应为 1 至 64 个字母、数字或 _ - . @",
                "a username is 1 to 64 letters, digits or _ - . @",
            ));
        }
        check_role_combination(&input.roles, &*self.role_table().await?)?;
        if input.roles.is_empty() {
            return Err(AppError::invalid("role", "至少需要一个角色", "at least one role is needed"));
        }
        if input.roles.iter().any(|r| r == "agency_reporter") && input.agency.as_deref().unwrap_or("").is_empty() {
            return Err(AppError::invalid(
                "agency",
                "部门填报员须指定所属部门",
                "a department reporter needs --agency",
            ));
        }
        if input.roles.iter().any(|r| r == "city_reporter") {
            match input.city.as_deref() {
                Some(c) if RegionModel::guangdong().city(c).is_some_and(|x| !x.is_partner()) => {}
                _ => {
                    return Err(AppError::invalid(
                        "city",
                        "地市填报员须指定本省地级以上市",
                        "a city reporter needs --city, a city of the province",
                    ));
                }
            }
        }
        let uscc = input.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_string);
        if let Some(u) = &uscc {
            jiqun_domain::uscc::validate(u.as_bytes()).map_err(|e| {
                AppError::invalid(
                    "uscc",
                    format!("{u}：{}", e.message(jiqun_domain::Lang::Zh)),
                    format!("{u}: {}", e.message(jiqun_domain::Lang::En)),
                )
            })?;
        }
        if input.roles.iter().any(|r| r == "enterprise") && uscc.is_none() {
            return Err(AppError::invalid(
                "uscc",
                "企业用户须指定本企业的统一社会信用代码",
                "an enterprise user needs --uscc, its firm's unified social credit code",
            ));
        }
        check_password_rules(&input.password)?;
        let preset = self.preset().await;
        let actor = match session {
            Some(s) => s.actor(ip),
            None => Actor::system("cli"),
        };
        let agency = input.agency.as_deref().map(|a| jiqun_domain::AgencyRegistry::guangdong().resolve(a, None).name);
        Ok(self
            .store
            .create_user(
                &NewUser {
                    username: name.to_string(),
                    display_name: input.display_name.clone(),
                    password_hash: hash_password(&input.password)?,
                    roles: input.roles.clone(),
                    agency,
                    city: input.city.clone(),
                    uscc,
                    must_change_password: preset == crate::Preset::Production,
                },
                &actor,
            )
            .await?)
    }

    /// Sets (or clears) a user's contact (phone or e-mail), kept sealed with SM4 in the database.
    pub async fn set_contact(
        &self,
        session: Option<&Session>,
        user_id: i64,
        contact: Option<&str>,
        ip: &str,
    ) -> AppResult<()> {
        if let Some(s) = session
            && s.user.id != user_id
        {
            need(s, Action::ManageUsers)?;
        }
        let contact = contact.map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = contact {
            limit_text("contact", c, 100)?;
        }
        let sealed = match contact {
            Some(c) => Some(
                self.store
                    .crypto()
                    .seal(c.as_bytes(), format!("contact:{user_id}").as_bytes())
                    .map_err(|e| AppError::internal(format!("seal: {e}")))?,
            ),
            None => None,
        };
        let actor = match session {
            Some(s) => s.actor(ip),
            None => Actor::system("cli"),
        };
        Ok(self.store.set_contact(user_id, sealed.as_deref(), &actor).await?)
    }

    /// A user's contact in clear, for the people allowed to see it (the user, administrators).
    pub fn contact_of(&self, user: &jiqun_store::UserRow) -> Option<String> {
        let sealed = user.contact.as_deref()?;
        let clear = self.store.crypto().open(sealed, format!("contact:{}", user.id).as_bytes()).ok()?;
        String::from_utf8(clear).ok()
    }

    /// Re-seals every sealed field with the current (newest) field key, after a rotation.
    pub async fn reseal_secrets(&self) -> AppResult<usize> {
        let crypto = self.store.crypto();
        let mut n = 0;
        for u in self.store.users().await? {
            let actor = Actor::system("key-rotation");
            if let Some(sealed) = &u.contact {
                let ctx = format!("contact:{}", u.id);
                let clear = crypto
                    .open(sealed, ctx.as_bytes())
                    .map_err(|e| AppError::internal(format!("contact of {}: {e}", u.username)))?;
                let resealed = crypto.seal(&clear, ctx.as_bytes()).map_err(|e| AppError::internal(e.to_string()))?;
                self.store.set_contact(u.id, Some(&resealed), &actor).await?;
                n += 1;
            }
            if let Some(sealed) = &u.totp_secret {
                let ctx = format!("totp:{}", u.id);
                let clear = crypto
                    .open(sealed, ctx.as_bytes())
                    .map_err(|e| AppError::internal(format!("TOTP of {}: {e}", u.username)))?;
                let resealed = crypto.seal(&clear, ctx.as_bytes()).map_err(|e| AppError::internal(e.to_string()))?;
                self.store.set_totp(u.id, Some(&resealed), u.totp_enabled, &actor).await?;
                n += 1;
            }
        }
        n += self.store.reseal_registry(&Actor::system("key-rotation")).await?;
        Ok(n)
    }

    /// Adds a role to a user, refusing combinations the policy forbids.
    pub async fn grant_role(&self, session: Option<&Session>, username: &str, role: &str, ip: &str) -> AppResult<()> {
        if let Some(s) = session {
            need(s, Action::ManageRoles)?;
        }
        let user =
            self.store.user_by_name(username).await?.ok_or_else(|| {
                AppError::not_found(format!("用户“{username}”不存在"), format!("no user “{username}”"))
            })?;
        if session.is_some_and(|s| s.user.id == user.id) {
            // No one raises their own privileges: another security administrator must grant it.
            return Err(AppError::new(
                crate::Code::SelfGrant,
                "不能给自己授予角色，须由另一名安全管理员授予",
                "you cannot grant yourself a role; another security administrator must",
            ));
        }
        let mut roles = user.roles.clone();
        if !roles.iter().any(|r| r == role) {
            roles.push(role.to_string());
        }
        check_role_combination(&roles, &*self.role_table().await?)?;
        let actor = match session {
            Some(s) => s.actor(ip),
            None => Actor::system("cli"),
        };
        Ok(self.store.set_roles(user.id, &roles, &actor).await?)
    }

    /// The role definitions in force (security and system administrators).
    pub async fn roles(&self, session: &Session) -> AppResult<std::sync::Arc<crate::authz::RoleTable>> {
        need(session, Action::ReadUsers)?;
        self.role_table().await
    }

    /// Defines a role or changes a business role's grants (security administrator). The administrator
    /// roles are fixed and their reserved permissions cannot be granted elsewhere (三员分立).
    pub async fn set_role(&self, session: &Session, def: &crate::authz::RoleDef, ip: &str) -> AppResult<()> {
        need(session, Action::ManageRoles)?;
        crate::authz::check_role_def(def).map_err(|(field, zh, en)| AppError::invalid(field, zh, en))?;
        let mut def = def.clone();
        def.label_zh = def.label_zh.trim().to_string();
        def.label_en = def.label_en.trim().to_string();
        let mut seen = std::collections::HashSet::new();
        def.grants.retain(|g| seen.insert(*g));
        def.builtin = crate::authz::RoleTable::default().role(&def.name).is_some();
        let json = serde_json::to_string(&def).map_err(AppError::internal)?;
        Ok(self.store.set_role_def(&def.name, &json, &session.actor(ip)).await?)
    }

    /// The security policy's settings and their values.
    pub async fn security_policy(&self, session: &Session) -> AppResult<Vec<(String, String)>> {
        need(session, Action::ManageRoles)?;
        let mut out = Vec::new();
        for (key, _, _) in SECURITY_POLICY_SETTINGS {
            out.push((key.to_string(), self.store.setting(key).await?.unwrap_or_default()));
        }
        Ok(out)
    }

    /// Changes one policy setting (security administrator), within its bounds.
    pub async fn set_security_policy(&self, session: &Session, key: &str, value: &str, ip: &str) -> AppResult<()> {
        need(session, Action::ManageRoles)?;
        let Some((_, lo, hi)) = SECURITY_POLICY_SETTINGS.iter().find(|(k, _, _)| *k == key) else {
            return Err(AppError::invalid("key", format!("未知设置“{key}”"), format!("unknown setting “{key}”")));
        };
        if key == "totp_required_roles" {
            let roles: Vec<String> = value.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
            let table = self.role_table().await?;
            if let Some(bad) = roles.iter().find(|r| table.role(r).is_none()) {
                return Err(AppError::invalid("value", format!("未知角色“{bad}”"), format!("unknown role “{bad}”")));
            }
        } else {
            let n: i64 =
                value.trim().parse().map_err(|_| AppError::invalid("value", "应为整数", "must be a whole number"))?;
            if n < *lo || n > *hi {
                return Err(AppError::invalid(
                    "value",
                    format!("应在 {lo} 到 {hi} 之间"),
                    format!("must be between {lo} and {hi}"),
                ));
            }
        }
        Ok(self.store.set_setting(key, value.trim(), &session.actor(ip)).await?)
    }

    /// What changed since a moment (the user's previous login): the audit trail's writes, newest first.
    /// Kept in memory until the data changes, so the dashboard costs no query per request.
    pub async fn changes_since(&self, since: i64, limit: i64) -> AppResult<std::sync::Arc<Vec<AuditRow>>> {
        let revision = self.store.revision().await?;
        if let Ok(map) = self.changes.read()
            && let Some((rev, rows)) = map.get(&(since, limit))
            && *rev == revision
        {
            return Ok(rows.clone());
        }
        let rows = std::sync::Arc::new(self.store.audit_since(since, limit).await?);
        if let Ok(mut map) = self.changes.write() {
            map.retain(|_, (rev, _)| *rev == revision);
            if map.len() < 10_000 {
                map.insert((since, limit), (revision, rows.clone()));
            }
        }
        Ok(rows)
    }
}
