//! The error catalogue and the error every use case returns.
//!
//! `Code` is the one list of what can go wrong: each code has its HTTP status, the stable snake_case string
//! clients see (`{"error": {"code": …}}`), a message in Chinese and English, and a hint saying what the
//! user may do instead. The web server and the CLI both speak from it. An `AppError` is a code with,
//! where the catalogue's words are too general, a message of its own in both languages, the fields that
//! were wrong, and the technical cause (in the words of the library that raised it) for the server's log.
//! The language is applied once, where the error leaves: `message(lang)`, `details(lang)`.
//!
//! What libraries say in English never reaches a user as it is: a malformed JSON body becomes
//! `invalid_json` with the field, line and column in the user's language (`parse_json`), and database
//! errors become a sentence in both languages (`From<StoreError>`).

use jiqun_domain::Lang;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub field: String,
    pub message: String,
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $status:literal, [$zh:literal, $en:literal], [$hint_zh:literal, $hint_en:literal]; )*) => {
        /// An error code: its HTTP status, its stable string, its message and a hint in both languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in the order of the catalogue.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable string clients see.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The HTTP status.
            pub fn status(self) -> u16 {
                match self { $(Code::$variant => $status,)* }
            }

            /// What went wrong, in general.
            pub fn message(self, lang: Lang) -> &'static str {
                match self { $(Code::$variant => lang.pick($zh, $en),)* }
            }

            /// What the user may do instead.
            pub fn hint(self, lang: Lang) -> &'static str {
                match self { $(Code::$variant => lang.pick($hint_zh, $hint_en),)* }
            }
        }
    };
}

catalogue! {
    /// A request body that is not JSON, or not JSON of the expected shape.
    InvalidJson = "invalid_json", 400,
        ["请求体不是有效的 JSON", "the body is not valid JSON"],
        ["请按接口文档修正请求体后重试。", "Correct the body as the API document describes and try again."];
    /// A path or query parameter that does not parse.
    InvalidParameter = "invalid_parameter", 400,
        ["网址中的参数有误", "a parameter in the address is wrong"],
        ["请检查网址，或从导航栏重新进入。", "Check the address, or go there again from the navigation."];
    /// A command-line argument or setting that is wrong (an address, a database URL, a range).
    InvalidArgument = "invalid_argument", 400,
        ["参数有误", "an argument is wrong"],
        ["请按 --help 的说明修正参数。", "Correct the argument as --help describes."];
    /// A PostgreSQL database without `JIQUN_KEY_FILE`.
    NoKeyFile = "no_key_file", 400,
        ["未指定密钥文件", "no key file given"],
        ["请用环境变量 JIQUN_KEY_FILE 指定密钥文件。", "Set JIQUN_KEY_FILE to the key file."];
    Unauthorized = "unauthorized", 401,
        ["请先登录", "please log in"],
        ["请登录后再试。", "Log in and try again."];
    BadCredentials = "bad_credentials", 401,
        ["用户名或密码不正确", "wrong username or password"],
        ["请检查用户名和密码；多次输错后账户会被暂时锁定。", "Check the username and password; repeated failures lock the account for a while."];
    TotpRequired = "totp_required", 401,
        ["请输入动态口令", "the one-time code is required"],
        ["请在登录表单中填写动态口令（6 位数字）。", "Enter the six-digit one-time code in the login form."];
    BadTotp = "bad_totp", 401,
        ["动态口令不正确", "the one-time code is wrong"],
        ["请等待下一个动态口令后重试。", "Wait for the next one-time code and try again."];
    Forbidden = "forbidden", 403,
        ["无权执行此操作", "you may not do this"],
        ["如需此权限，请联系系统管理员；您可以返回总览，查看您有权查看的内容。", "Ask a system administrator if you need this permission; the dashboard shows what you may see."];
    /// A cookie-authenticated write without the session's CSRF token.
    Csrf = "csrf", 403,
        ["表单已过期或来源不明", "the form is stale or forged"],
        ["请刷新页面后重试。", "Reload the page and try again."];
    SelfGrant = "self_grant", 403,
        ["不能给自己授予角色", "you cannot grant yourself a role"],
        ["请由另一名安全管理员授予。", "Another security administrator must grant it."];
    PasswordChangeRequired = "password_change_required", 403,
        ["请先修改密码", "change your password first"],
        ["请在“账户”页修改密码。", "Change it on the account page."];
    TotpEnrollmentRequired = "totp_enrollment_required", 403,
        ["管理员账户须先绑定动态口令（TOTP）", "an administrator must enrol a second factor (TOTP) first"],
        ["请在“账户”页绑定动态口令。", "Enrol it on the account page."];
    NotFound = "not_found", 404,
        ["未找到", "not found"],
        ["请检查网址，或从导航栏进入要找的页面。", "Check the address, or find the page from the navigation."];
    MethodNotAllowed = "method_not_allowed", 405,
        ["不支持此请求方法", "this method is not allowed here"],
        ["请从页面上的链接或按钮进入。", "Use the links and buttons on the pages."];
    Conflict = "conflict", 409,
        ["操作冲突", "conflict"],
        ["数据可能已被他人修改：请刷新页面，查看最新状态后再操作。", "Someone may have changed it meanwhile: reload the page and look at the current state first."];
    /// A hand-typed value for an indicator Jiqun computes from a registry.
    DerivedIndicator = "derived_indicator", 409,
        ["该指标由系统根据登记数据自动计算，不能手工填报", "this indicator is computed from a registry and cannot be entered by hand"],
        ["请在对应的登记库中登记或更正数据；如需人工认定完成情况，请使用“人工认定状态”并说明理由。", "Register or correct the data in the registry it is computed from; to set its status by hand, use the status override with a reason."];
    /// Two of the three administrator roles on one account (三员分立).
    SeparationOfDuties = "separation_of_duties", 409,
        ["违反三员分立：系统管理员、安全管理员、审计管理员不能由同一账户兼任", "separation of duties: no account may hold two of the system, security and audit administrator roles"],
        ["请为每种管理员角色分别建立账户。", "Give each administrator role its own account."];
    /// A challenge moved to a state the workflow has no move to from where it stands.
    ChallengeMove = "challenge_move", 409,
        ["榜单不能这样流转", "the challenge cannot move that way"],
        ["请按页面上列出的可选流转操作；流转方式见榜单页的流程说明。", "Use one of the moves the page lists; the workflow is shown on the challenge's page."];
    /// A move of a challenge the workflow gives to other roles (the message names them).
    ChallengeRole = "challenge_role", 403,
        ["此流转须由其他角色操作", "another role makes this move"],
        ["请联系提示中所列角色的人员办理。", "Ask someone holding one of the roles named to make it."];
    /// An expert asked for an application they must stand aside from (or are not assigned to).
    ChallengeRecused = "challenge_recused", 403,
        ["您须回避或未被指派评审此申报", "you stand aside from this application or are not assigned to it"],
        ["回避的申报对您不可见；如有疑问，请联系发榜部门。", "An application you stand aside from is not shown to you; ask the issuing department if in doubt."];
    TooLarge = "too_large", 413,
        ["内容过大", "too large"],
        ["请缩小文件后重试。", "Make the file smaller and try again."];
    UnsupportedMediaType = "unsupported_media_type", 415,
        ["请求体的类型不受支持", "the body's media type is not supported"],
        ["表单请用 application/x-www-form-urlencoded，接口请用 application/json。", "Send forms as application/x-www-form-urlencoded and API bodies as application/json."];
    Invalid = "invalid", 422,
        ["输入有误", "invalid input"],
        ["请按提示修改后重新提交。", "Correct what is marked and submit again."];
    InvalidDocument = "invalid_document", 422,
        ["无法读取计划文件", "the plan document cannot be read"],
        ["请上传 .txt（UTF-8 或 GBK）、.docx 或 .html 格式的计划文件。", "Upload the plan as .txt (UTF-8 or GBK), .docx or .html."];
    InvalidFile = "invalid_file", 422,
        ["文件内容有误", "the file has errors"],
        ["请按所列行号和列名修正文件后重新上传。", "Correct the file at the lines and columns listed and upload it again."];
    Locked = "locked", 423,
        ["账户已暂时锁定", "the account is locked for a while"],
        ["请稍后再试，或请系统管理员解锁。", "Try again later, or ask a system administrator to unlock it."];
    /// A file the CLI cannot read or write.
    Io = "io", 500,
        ["无法读写文件", "cannot read or write a file"],
        ["请检查文件路径和权限。", "Check the path and its permissions."];
    /// The audit chain does not verify.
    AuditChainBroken = "audit_chain_broken", 500,
        ["审计链已断开", "the audit chain is broken"],
        ["请保留现场，并从备份中核对审计记录。", "Keep the database as it is and compare the audit records with a backup."];
    KeyFile = "key_file", 500,
        ["密钥文件无法使用", "the key file cannot be used"],
        ["请检查密钥文件的路径、权限和内容。", "Check the key file's path, permissions and content."];
    /// The database cannot be reached, takes no writes, or its disk is full; the service resumes by itself
    /// when the database does.
    Unavailable = "unavailable", 503,
        ["数据库暂时无法使用", "the database is unavailable"],
        ["请稍后刷新页面，核对后重试；如持续出现，请联系系统管理员。", "Reload shortly, check, and try again; tell a system administrator if it persists."];
    Internal = "internal", 500,
        ["服务器内部错误", "internal server error"],
        ["请稍后重试；如仍出错，请联系系统管理员。", "Try again later; if it persists, tell a system administrator."];
}

impl Code {
    /// The code of a stable string, if it is one.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct AppError {
    pub code: Code,
    /// The message in both languages when the catalogue's is too general; empty for the catalogue's.
    pub zh: String,
    pub en: String,
    /// The fields that were wrong: (field, Chinese, English).
    pub details: Vec<(String, String, String)>,
    /// The technical cause as the library that raised it put it, for the server's log and the CLI's
    /// second line; never part of an HTTP response.
    pub cause: Option<String>,
    /// The record as it stands now, when a write was refused because the writer read an older version
    /// (409): the caller shows it so that the writer can compare and try again.
    pub current: Option<Box<Current>>,
}

/// A record sent back with a conflict over a stale version.
#[derive(Debug, Clone)]
pub enum Current {
    Report(Box<jiqun_store::ReportRow>),
    /// The write was refused as stale; the record is not attached yet. Whoever answers knows how the
    /// resource is shown and attaches it as `View` (the web layer's `kit::api::or_current`).
    Stale,
    /// The record as its resource's GET answers it now.
    View(serde_json::Value),
}

impl AppError {
    pub fn new(code: Code, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError { code, zh: zh.into(), en: en.into(), details: Vec::new(), cause: None, current: None }
    }

    /// The catalogue's message alone.
    /// The same error, carrying the record as it stands now.
    pub fn with_current(mut self, current: Current) -> AppError {
        self.current = Some(Box::new(current));
        self
    }

    pub fn of(code: Code) -> AppError {
        AppError::new(code, "", "")
    }

    pub fn not_found(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new(Code::NotFound, zh, en)
    }

    pub fn forbidden() -> AppError {
        AppError::of(Code::Forbidden)
    }

    pub fn unauthorized() -> AppError {
        AppError::of(Code::Unauthorized)
    }

    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new(Code::Conflict, zh, en)
    }

    /// Bad input in one field.
    pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        let (zh, en) = (zh.into(), en.into());
        let mut e = AppError::new(Code::Invalid, format!("输入有误：{zh}"), format!("invalid input: {en}"));
        e.details.push((field.to_string(), zh, en));
        e
    }

    /// A fault users cannot mend: the catalogue's message; `what` goes to the log.
    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError::of(Code::Internal).caused_by(what)
    }

    /// A file that cannot be read or written (the CLI).
    pub fn io(path: &std::path::Path, write: bool, e: &std::io::Error) -> AppError {
        use std::io::ErrorKind as K;
        let (zh, en) = match e.kind() {
            K::NotFound => ("文件或目录不存在", "no such file or directory"),
            K::PermissionDenied => ("没有权限", "permission denied"),
            K::AlreadyExists => ("文件已存在", "the file exists"),
            K::IsADirectory => ("这是一个目录", "it is a directory"),
            K::NotADirectory => ("路径中有一段不是目录", "a part of the path is not a directory"),
            K::StorageFull => ("磁盘已满", "the disk is full"),
            K::ReadOnlyFilesystem => ("文件系统只读", "the file system is read-only"),
            K::InvalidData => ("内容无效", "invalid content"),
            K::UnexpectedEof => ("文件意外结束", "the file ends too early"),
            _ => ("输入输出错误", "input/output error"),
        };
        let p = path.display();
        let (vzh, ven) = if write { ("无法写入", "cannot write") } else { ("无法读取", "cannot read") };
        AppError::new(Code::Io, format!("{vzh}文件 {p}：{zh}"), format!("{ven} {p}: {en}")).caused_by(e)
    }

    /// Records the technical cause (for the log; never in a response).
    pub fn caused_by(mut self, cause: impl std::fmt::Display) -> AppError {
        self.cause = Some(cause.to_string());
        self
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// The message in the language: the error's own, else the catalogue's.
    pub fn message(&self, lang: Lang) -> &str {
        let own = lang.pick(&self.zh, &self.en);
        if own.is_empty() { self.code.message(lang) } else { own }
    }

    /// What the user may do instead (the catalogue's hint).
    pub fn hint(&self, lang: Lang) -> &'static str {
        self.code.hint(lang)
    }

    pub fn details(&self, lang: Lang) -> Vec<Detail> {
        self.details
            .iter()
            .map(|(f, zh, en)| Detail {
                field: f.clone(),
                message: if lang == Lang::Zh { zh.clone() } else { en.clone() },
            })
            .collect()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message(Lang::En))?;
        if let Some(c) = &self.cause {
            write!(f, " ({c})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl From<jiqun_store::StoreError> for AppError {
    fn from(e: jiqun_store::StoreError) -> Self {
        use jiqun_store::{BackupFault, Clash, DbProblem, Missing, StoreError};
        match e {
            StoreError::NotFound(m) => {
                let (zh, en) = match &m {
                    Missing::Plan(id) => (format!("计划 {id} 不存在"), format!("no plan {id}")),
                    Missing::Indicator(id) => (format!("指标 {id} 不存在"), format!("no indicator {id}")),
                    Missing::Report(id) => (format!("报告 {id} 不存在"), format!("no report {id}")),
                    Missing::User(id) => (format!("用户 {id} 不存在"), format!("no user {id}")),
                    Missing::Enterprise(id) => (format!("企业 {id} 不存在"), format!("no enterprise {id}")),
                    Missing::Designation { uscc, library, chain } => (
                        format!("企业 {uscc} 未列入培育库 {library}（{chain}）"),
                        format!("{uscc} is not designated in the library {library} ({chain})"),
                    ),
                    Missing::Base(id) => (format!("平台或基地 {id} 不存在"), format!("no base {id}")),
                    Missing::Project(id) => (format!("项目 {id} 不存在"), format!("no project {id}")),
                    Missing::Problem(id) => (format!("问题 {id} 不存在"), format!("no problem {id}")),
                    Missing::Progress { project, period } => (
                        format!("项目 {project} 没有 {period} 的进度"),
                        format!("project {project} has no progress for {period}"),
                    ),
                    Missing::Milestone(id) => (format!("项目节点 {id} 不存在"), format!("no milestone {id}")),
                    Missing::Challenge(id) => (format!("榜单 {id} 不存在"), format!("no challenge {id}")),
                    Missing::ChallengeApplication(id) => {
                        (format!("揭榜申报 {id} 不存在"), format!("no challenge application {id}"))
                    }
                    Missing::ChallengeAttachment(id) => (format!("附件 {id} 不存在"), format!("no attachment {id}")),
                    Missing::MatchProduct(id) => (format!("芯片产品 {id} 不存在"), format!("no chip product {id}")),
                    Missing::MatchNeed(id) => (format!("终端需求 {id} 不存在"), format!("no terminal need {id}")),
                    Missing::MatchMeeting(id) => (format!("对接会记录 {id} 不存在"), format!("no meeting {id}")),
                };
                AppError::not_found(zh, en)
            }
            StoreError::Conflict(c) => {
                let (zh, en) = match &c {
                    Clash::ReportAccepted => (
                        "该期报告已审核通过，不能再修改".to_string(),
                        "the report of this period has been accepted and can no longer change".to_string(),
                    ),
                    Clash::ReportNotSubmitted { state } => {
                        let (szh, sen) = match state.as_str() {
                            "draft" => ("草稿", "a draft"),
                            "accepted" => ("已通过", "accepted"),
                            "returned" => ("已退回", "returned"),
                            _ => ("其他状态", "in another state"),
                        };
                        (
                            format!("该报告当前为“{szh}”，不在待审核状态"),
                            format!("the report is {sen}, not waiting for review"),
                        )
                    }
                    Clash::UserExists(name) => (format!("用户“{name}”已存在"), format!("the user “{name}” exists")),
                    Clash::AlreadyDesignated { uscc, library, chain } => (
                        format!("企业 {uscc} 已列入培育库 {library}（{chain}）"),
                        format!("{uscc} is already designated in the library {library} ({chain})"),
                    ),
                    Clash::BaseExists { name, id } => (
                        format!("“{name}”已登记（编号 {id}），同一类别和级别不能重复登记"),
                        format!("“{name}” is registered already (id {id}) with that kind and level"),
                    ),
                    Clash::BaseWithdrawn { on } => {
                        (format!("该平台或基地已于 {on} 撤销认定"), format!("its recognition was withdrawn on {on}"))
                    }
                    Clash::ProblemMoved => (
                        "该问题已被他人处理，请刷新后查看".to_string(),
                        "someone has moved the problem on meanwhile; reload it".to_string(),
                    ),
                    Clash::CumulativeOrder { submitted, period, accepted, later: false } => (
                        format!(
                            "累计完成投资 {submitted} 万元低于 {period} 已审核通过的累计 {accepted} 万元：累计数不能下降"
                        ),
                        format!(
                            "the cumulative investment {submitted} (10k yuan) is below {accepted} accepted for {period}: a cumulative does not go down"
                        ),
                    ),
                    Clash::CumulativeOrder { submitted, period, accepted, later: true } => (
                        format!(
                            "累计完成投资 {submitted} 万元高于其后 {period} 已审核通过的累计 {accepted} 万元：累计数不能下降"
                        ),
                        format!(
                            "the cumulative investment {submitted} (10k yuan) is above {accepted} accepted for the later {period}: a cumulative does not go down"
                        ),
                    ),
                    Clash::OwnReport => (
                        "不能审核通过本人报送的进度，请由其他有权人员审核".to_string(),
                        "nobody accepts a report they filed; someone else with the right reviews it".to_string(),
                    ),
                    Clash::MilestoneDone { on } => {
                        (format!("该节点已于 {on} 完成"), format!("the milestone was done on {on}"))
                    }
                    Clash::ChallengeState { state } => {
                        let st = jiqun_domain::challenges::ChallengeState::parse(state);
                        let zh = st.map(|s| s.label(Lang::Zh)).unwrap_or(state.as_str());
                        let en = st.map(|s| s.label(Lang::En)).unwrap_or(state.as_str());
                        (
                            format!("榜单当前为“{zh}”，不能进行此操作"),
                            format!("the challenge is {en} now: this cannot be done in that state"),
                        )
                    }
                    Clash::AlreadyApplied => (
                        "该单位已申报此榜单".to_string(),
                        "this organisation has applied for the challenge already".to_string(),
                    ),
                    Clash::ExpertOnPanel => (
                        "该专家已在此榜单的评审专家组中".to_string(),
                        "the expert is on the challenge's panel already".to_string(),
                    ),
                    Clash::ReviewSubmitted => (
                        "评审意见已提交，不能再修改".to_string(),
                        "the review has been handed in and no longer changes".to_string(),
                    ),
                    Clash::Stale { current } => (
                        format!("记录已被他人修改（当前版本 {current}），请刷新后再改"),
                        format!("the record changed meanwhile (now version {current}); reload it and edit again"),
                    ),
                    Clash::JobTakenOver { job } => (
                        format!("任务 {job} 已由另一台服务器接续执行，本次结果未提交"),
                        format!("job {job} was taken over by another server; this result was not committed"),
                    ),
                };
                let e = AppError::conflict(zh, en);
                if matches!(c, Clash::Stale { .. }) { e.with_current(Current::Stale) } else { e }
            }
            StoreError::Backup(f) => match f {
                BackupFault::NotEmpty => AppError::conflict(
                    "目标数据库不是空的，请恢复到一个新的数据库",
                    "the target database is not empty; restore into a new one",
                ),
                BackupFault::Write(io) => AppError::new(
                    Code::Io,
                    "无法写出备份（磁盘已满或没有权限？）",
                    "cannot write the backup (disk full or no permission?)",
                )
                .caused_by(io),
                BackupFault::Malformed { line, cause } => AppError::new(
                    Code::InvalidFile,
                    format!("备份文件第 {line} 行格式有误"),
                    format!("the backup is malformed at line {line}"),
                )
                .caused_by(cause),
                BackupFault::NotABackup => AppError::new(
                    Code::InvalidFile,
                    "这不是集群的备份文件（或文件为空）",
                    "this is not a Jiqun backup (or it is empty)",
                ),
                BackupFault::Schema { found, want } => AppError::new(
                    Code::InvalidFile,
                    format!("备份的数据库版本为 {found}，与本程序的 {want} 不符"),
                    format!("the backup's schema version {found} does not match this build's {want}"),
                ),
            },
            StoreError::BadUrl(url) => AppError::new(
                Code::InvalidArgument,
                format!("数据库地址“{url}”无效，应为 sqlite://路径 或 postgres://…"),
                format!("the database URL “{url}” is neither sqlite://PATH nor postgres://…"),
            ),
            StoreError::Corrupt(what) => AppError::internal(what),
            db @ StoreError::Db(_) => {
                // The database away, read-only or full is the service's state, not a fault: 503.
                let (code, zh, en) = match db.db_problem() {
                    Some(DbProblem::Unreachable) => (
                        Code::Unavailable,
                        "无法连接数据库，操作未完成；如在提交时中断，请刷新核对是否已保存",
                        "cannot reach the database; the operation did not complete (if cut off while committing, reload to see whether it was saved)",
                    ),
                    Some(DbProblem::ReadOnly) => (
                        Code::Unavailable,
                        "数据库当前为只读，本次操作未写入",
                        "the database is read-only just now; nothing was written",
                    ),
                    Some(DbProblem::CannotOpen) => (
                        Code::Unavailable,
                        "无法以读写方式打开数据库文件：所在文件夹不存在、无写权限，或文件系统为只读",
                        "cannot open the database file for writing: its folder is missing or not writable, or the file system is read-only",
                    ),
                    Some(DbProblem::Full) => (
                        Code::Unavailable,
                        "数据库所在磁盘已满，本次操作未写入；腾出空间后即可恢复",
                        "the database's disk is full; nothing was written; it resumes once there is space",
                    ),
                    Some(DbProblem::Configuration) => {
                        (Code::Internal, "数据库地址或配置有误", "the database URL or its settings are wrong")
                    }
                    Some(DbProblem::Migration) => {
                        (Code::Internal, "数据库结构升级失败", "the database schema could not be upgraded")
                    }
                    Some(DbProblem::Constraint) => (
                        Code::Internal,
                        "数据库拒绝了这次写入（违反约束）",
                        "the database refused the write (a constraint)",
                    ),
                    _ => (Code::Internal, "数据库出错", "database error"),
                };
                AppError::new(code, zh, en).caused_by(db)
            }
        }
    }
}

/// Parses a JSON request body; a malformed one is `invalid_json` with the field, the line and the
/// column, and what was wrong, in both languages.
/// Several wrong fields at once: one 422 that names each (its details), in both languages.
pub(crate) fn invalid_fields(errors: &[jiqun_eval::definition::FieldError]) -> AppError {
    let zh: Vec<String> = errors.iter().map(|e| e.zh.clone()).collect();
    let en: Vec<String> = errors.iter().map(|e| e.en.clone()).collect();
    let mut e = AppError::new(
        Code::Invalid,
        format!("输入有误：{}", zh.join("；")),
        format!("invalid input: {}", en.join("; ")),
    );
    e.details = errors.iter().map(|x| (x.path.clone(), x.zh.clone(), x.en.clone())).collect();
    e
}

pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        json_error(e.inner(), if path == "." { "" } else { &path })
    });
    match parsed {
        Ok(value) => {
            de.end().map_err(|e| json_error(&e, ""))?;
            Ok(value)
        }
        // JSON has one number type: `3.0` is the integer 3 (JSON Schema and the OpenAPI document agree),
        // but serde refuses it for an integer field. Such a body is read again with every number that is
        // a whole number within 64 bits written as an integer; anything else keeps the first error.
        Err(first) => {
            let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) else { return Err(first) };
            if !integral_floats_as_integers(&mut v) {
                return Err(first);
            }
            serde_json::from_value(v).map_err(|_| first)
        }
    }
}

/// Writes each number of `v` that is a float with a whole value within i64 or u64 as an integer; true when
/// any was.
fn integral_floats_as_integers(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // 2^63 and 2^64 are exact as f64; the bounds are exclusive above.
            let whole = f.is_finite() && f.fract() == 0.0;
            if whole && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
                *v = Value::from(f as i64);
                true
            } else if whole && (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                *v = Value::from(f as u64);
                true
            } else {
                false
            }
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, x| integral_floats_as_integers(x) | any),
        Value::Object(map) => map.values_mut().fold(false, |any, x| integral_floats_as_integers(x) | any),
        _ => false,
    }
}

/// A serde_json error as the catalogue's `invalid_json`, said in both languages.
pub fn json_error(e: &serde_json::Error, field: &str) -> AppError {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    // serde_json appends " at line L column C" to the message.
    let msg = full.rfind(" at line ").map_or(full.as_str(), |i| &full[..i]);
    let (zh, en) = match e.classify() {
        serde_json::error::Category::Data => serde_problem(msg),
        _ => syntax_problem(msg),
    };
    let (wzh, wen) = if field.is_empty() {
        (format!("第 {line} 行第 {column} 列"), format!("line {line}, column {column}"))
    } else {
        (format!("字段 {field}（第 {line} 行第 {column} 列）"), format!("field {field} (line {line}, column {column})"))
    };
    let mut err = AppError::new(
        Code::InvalidJson,
        format!("请求体不是有效的 JSON：{wzh}：{zh}"),
        format!("the body is not valid JSON: {wen}: {en}"),
    )
    .caused_by(e);
    let name = if field.is_empty() { "body".to_string() } else { field.to_string() };
    err.details.push((name, format!("{wzh}：{zh}"), format!("{wen}: {en}")));
    err
}

/// A form field or a query parameter that does not deserialize (serde's message, said in both languages):
/// `invalid` for a form, `invalid_parameter` for the address.
pub fn field_error(code: Code, field: &str, msg: &str) -> AppError {
    let (zh, en) = serde_problem(msg);
    let (zh, en) =
        if field.is_empty() || field == "." { (zh, en) } else { (format!("{field}：{zh}"), format!("{field}: {en}")) };
    let mut err =
        AppError::new(code, format!("{}：{zh}", code.message(Lang::Zh)), format!("{}: {en}", code.message(Lang::En)))
            .caused_by(msg);
    err.details.push((field.trim_start_matches('.').to_string(), zh, en));
    err
}

/// What serde (or a parser it calls) found wrong with a value, in both languages. serde says it in
/// English only, from a fixed set of phrases, which are recognised here; anything else is said in general
/// terms.
pub fn serde_problem(msg: &str) -> (String, String) {
    let tick = |s: &str| -> String {
        let Some(a) = s.find('`') else { return String::new() };
        let b = s[a + 1..].find('`').unwrap_or(0);
        s[a + 1..a + 1 + b].to_string()
    };
    if let Some(rest) = msg.strip_prefix("invalid type: ").or_else(|| msg.strip_prefix("invalid value: ")) {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let (fzh, fen) = unexpected(found);
        let (ezh, een) = expected_kind(expected);
        return (format!("应为{ezh}，实际为{fzh}"), format!("expected {een}, found {fen}"));
    }
    if msg.starts_with("missing field") {
        let f = tick(msg);
        return (format!("缺少字段 {f}"), format!("the field {f} is missing"));
    }
    if msg.starts_with("unknown field") {
        let f = tick(msg);
        return (format!("不认识的字段 {f}"), format!("unknown field {f}"));
    }
    if msg.starts_with("duplicate field") {
        let f = tick(msg);
        return (format!("字段 {f} 重复"), format!("the field {f} appears twice"));
    }
    if msg.starts_with("unknown variant") {
        let v = tick(msg);
        let choices: Vec<String> = msg
            .split_once("expected ")
            .map(|(_, r)| r.split('`').skip(1).step_by(2).map(String::from).collect())
            .unwrap_or_default();
        return (
            format!("“{v}”不是可选的值（可选：“{}”）", choices.join("”、“")),
            format!("“{v}” is not one of {}", choices.join(", ")),
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid length ") {
        let (n, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let (ezh, een) = expected_kind(expected);
        return (format!("长度为 {n}，应为{ezh}"), format!("length {n}, expected {een}"));
    }
    let (zh, en) = match msg {
        "invalid digit found in string" => ("不是有效的整数", "not a valid integer"),
        "cannot parse integer from empty string" | "cannot parse float from empty string" => {
            ("不能为空", "cannot be empty")
        }
        "invalid float literal" => ("不是有效的数字", "not a valid number"),
        "number too large to fit in target type" | "number too small to fit in target type" => {
            ("数字超出范围", "the number is out of range")
        }
        "provided string was not `true` or `false`" => ("应为 true 或 false", "expected true or false"),
        _ => ("内容不符合要求", "the value does not fit"),
    };
    (zh.to_string(), en.to_string())
}

/// serde_json's syntax errors in both languages.
fn syntax_problem(msg: &str) -> (String, String) {
    let (zh, en) = match msg {
        m if m.starts_with("EOF while parsing") => ("内容不完整，在此处意外结束", "the text ends too early"),
        "expected value" | "expected ident" => ("此处应为一个值", "a value was expected here"),
        "trailing characters" | "trailing comma" => ("此处有多余的字符", "there is more text after the value"),
        "key must be a string" => ("对象的键须为带引号的字符串", "an object key must be a quoted string"),
        "expected `:`" => ("此处缺少冒号", "a colon is missing here"),
        "expected `,` or `}`" => ("此处缺少逗号或右花括号", "a comma or a closing brace is missing here"),
        "expected `,` or `]`" => ("此处缺少逗号或右方括号", "a comma or a closing bracket is missing here"),
        "invalid number" => ("数字无效", "invalid number"),
        "number out of range" => ("数字超出范围", "the number is out of range"),
        "recursion limit exceeded" => ("嵌套过深", "nested too deeply"),
        m if m.contains("escape") || m.contains("surrogate") || m.contains("unicode") => {
            ("字符串中的转义无效", "an invalid escape in a string")
        }
        m if m.contains("control character") => {
            ("字符串中有未转义的控制字符", "an unescaped control character in a string")
        }
        m if m.contains("UTF-8") || m.contains("utf-8") => ("含有无效的 UTF-8 编码", "invalid UTF-8"),
        _ => ("格式有误", "malformed"),
    };
    (zh.to_string(), en.to_string())
}

/// serde's "unexpected" part (`string "lots"`, `integer `5``, `null`…) in both languages.
fn unexpected(s: &str) -> (String, String) {
    let after = |p: &str| s.strip_prefix(p).map(|r| r.trim_matches('`').to_string());
    if let Some(v) = s.strip_prefix("string ") {
        return (format!("字符串 {v}"), format!("the string {v}"));
    }
    if let Some(v) = after("integer ") {
        return (format!("整数 {v}"), format!("the integer {v}"));
    }
    if let Some(v) = after("floating point ") {
        return (format!("数字 {v}"), format!("the number {v}"));
    }
    if let Some(v) = after("boolean ") {
        return (format!("布尔值 {v}"), format!("the boolean {v}"));
    }
    if let Some(v) = after("character ") {
        return (format!("字符 {v}"), format!("the character {v}"));
    }
    let (zh, en) = match s {
        "null" | "unit value" | "Option value" => ("空值 null", "null"),
        "sequence" => ("数组", "an array"),
        "map" => ("对象", "an object"),
        _ => ("其他类型的值", "another kind of value"),
    };
    (zh.to_string(), en.to_string())
}

/// serde's "expected" part (a visitor's `expecting`: `f64`, `a string`, `struct X`…) in both languages.
pub fn expected_kind(s: &str) -> (String, String) {
    let s = s.trim();
    let (zh, en) = match s {
        "f64" | "f32" => ("数字", "a number"),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => ("整数", "an integer"),
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => ("非负整数", "a non-negative integer"),
        "a string" | "a borrowed string" | "string" | "a string or a number" => ("字符串", "a string"),
        "a boolean" => ("布尔值 true 或 false", "true or false"),
        "a character" | "char" => ("单个字符", "one character"),
        "a sequence" | "a tuple" => ("数组", "an array"),
        "unit" => ("空值 null", "null"),
        "any valid JSON value" => ("一个 JSON 值", "a JSON value"),
        s if s.starts_with("struct ") || s.starts_with("a map") || s == "map" => ("对象", "an object"),
        s if s.starts_with("tuple") || s.starts_with("an array") || s.starts_with("a sequence") => ("数组", "an array"),
        s if s.starts_with("one of") || s.starts_with("variant") || s.starts_with("enum ") => {
            ("可选值之一", "one of the allowed values")
        }
        _ => ("其他类型的值", "another kind of value"),
    };
    (zh.to_string(), en.to_string())
}

pub type AppResult<T> = Result<T, AppError>;

/// For tests: the English words in a Chinese text, which should have none. Identifiers (inside backticks
/// or “”, or written with `_`, digits, `.`, `/` or `-`), acronyms (JSON, TOTP, CSV…), JSON's literals and
/// the names given in `allowed` do not count.
pub fn english_words<'a>(zh: &'a str, allowed: &[&str]) -> Vec<&'a str> {
    const KNOWN: &[&str] = &[
        "JSON",
        "TOTP",
        "CSV",
        "API",
        "UTF",
        "GBK",
        "URL",
        "USCC",
        "HTTP",
        "SQLite",
        "PostgreSQL",
        "null",
        "true",
        "false",
        "txt",
        "docx",
        "html",
        "help",
        "application",
        "x-www-form-urlencoded",
        "json",
        "sqlite",
        "postgres",
        "JIQUN_KEY_FILE",
    ];
    let mut out = Vec::new();
    let mut quoted = false;
    for piece in zh.split(|c: char| !(c.is_ascii_alphanumeric() || "_-./:`“”\"".contains(c))) {
        for word in piece.split_inclusive(['`', '“', '”', '"']) {
            let toggles = word.ends_with(['`', '“', '”', '"']);
            let w = word.trim_matches(|c: char| "`“”\".:/-".contains(c));
            let identifier =
                w.contains(['_', '.', '/', '-']) || word.starts_with("--") || w.chars().any(|c| c.is_ascii_digit());
            if !quoted
                && w.chars().filter(|c| c.is_ascii_alphabetic()).count() >= 2
                && !identifier
                && !KNOWN.contains(&w)
                && !allowed.contains(&w)
            {
                out.push(w);
            }
            if toggles {
                quoted = !quoted;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_status_a_string_and_both_messages() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c}: twice");
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'), "{c}: snake_case");
            assert_eq!(Code::parse(c.as_str()), Some(c));
            assert!((400..600).contains(&c.status()), "{c}: {}", c.status());
            for lang in [Lang::Zh, Lang::En] {
                assert!(!c.message(lang).trim().is_empty(), "{c}: no message in {lang:?}");
                assert!(!c.hint(lang).trim().is_empty(), "{c}: no hint in {lang:?}");
            }
            for zh in [c.message(Lang::Zh), c.hint(Lang::Zh)] {
                assert!(zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{c}: not Chinese: {zh}");
                assert_eq!(english_words(zh, &[]), Vec::<&str>::new(), "{c}: English in “{zh}”");
            }
            for en in [c.message(Lang::En), c.hint(Lang::En)] {
                assert!(!en.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{c}: Chinese in “{en}”");
            }
        }
        // The codes clients have seen keep their strings and statuses.
        for (s, status) in [
            ("invalid_json", 400),
            ("no_key_file", 400),
            ("unauthorized", 401),
            ("bad_credentials", 401),
            ("totp_required", 401),
            ("bad_totp", 401),
            ("forbidden", 403),
            ("csrf", 403),
            ("self_grant", 403),
            ("password_change_required", 403),
            ("totp_enrollment_required", 403),
            ("not_found", 404),
            ("conflict", 409),
            ("separation_of_duties", 409),
            ("too_large", 413),
            ("invalid", 422),
            ("invalid_document", 422),
            ("invalid_file", 422),
            ("locked", 423),
            ("key_file", 500),
            ("internal", 500),
        ] {
            assert_eq!(Code::parse(s).map(Code::status), Some(status), "{s}");
        }
    }

    /// Every message a use case or a handler writes by hand (`AppError::new`, `not_found`, `conflict`,
    /// `invalid`) is Chinese without English words in its Chinese half: the sources are read, so a new
    /// mixed message fails here.
    #[test]
    fn hand_written_messages_are_chinese_in_their_chinese_half() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        // Every source file under these folders, their subfolders included (the web crate's resources).
        let mut dirs: Vec<std::path::PathBuf> =
            ["app/src", "web/src", "cli/src"].iter().map(|d| root.join(d)).collect();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|e| e == "rs") {
                    files.push(p);
                }
            }
        }
        assert!(files.len() > 20, "{}", files.len());
        let mut checked = 0;
        let mut bad = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            for (call, skip) in [
                ("AppError::new(", 0),
                ("AppError::not_found(", 0),
                ("AppError::conflict(", 0),
                ("AppError::invalid(", 1),
            ] {
                for (at, _) in text.match_indices(call) {
                    let Some(zh) = string_literals(&text[at + call.len()..]).nth(skip) else { continue };
                    if !zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
                        continue;
                    }
                    checked += 1;
                    // Format arguments (`{id}`) are filled in with data, not words.
                    let mut text = String::new();
                    for (i, part) in zh.split(['{', '}']).enumerate() {
                        if i % 2 == 0 {
                            text.push_str(part);
                        }
                    }
                    // Names Chinese text writes as they are: units, programs and file formats.
                    let names = ["MB", "Excel", "Word", "PDF", "LibreOffice", "CSV", "xlsx", "csv", "json", "xls"];
                    let words: Vec<String> = english_words(&text, &names).into_iter().map(String::from).collect();
                    if !words.is_empty() {
                        bad.push(format!("{}: {zh} {words:?}", f.display()));
                    }
                }
            }
        }
        assert!(checked > 100, "{checked} messages found");
        assert!(bad.is_empty(), "English in Chinese messages:\n{}", bad.join("\n"));
    }

    /// The string literals at the start of a call's arguments (up to its closing parenthesis).
    fn string_literals(args: &str) -> impl Iterator<Item = String> + '_ {
        let mut depth = 0i32;
        let end = args
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth < 0
            })
            .map_or(args.len(), |(i, _)| i);
        args[..end].split('"').skip(1).step_by(2).map(String::from)
    }

    #[test]
    fn the_english_word_finder() {
        assert_eq!(english_words("操作冲突：report already accepted", &[]), vec!["report", "already", "accepted"]);
        assert!(english_words("字段 value（第 1 行第 10 列）：应为数字", &["value"]).is_empty());
        assert!(english_words("请用 `plan_id` 与“abc def”和 JSON", &[]).is_empty());
        assert_eq!(english_words("invalid type: string", &[]), vec!["invalid", "type", "string"]);
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Obs {
        period: String,
        value: f64,
        #[serde(default)]
        count: Option<u32>,
        #[serde(default)]
        status: Option<State>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "snake_case")]
    #[allow(dead_code)]
    enum State {
        NotStarted,
        Done,
    }

    /// Every kind of malformed body comes out in the user's language, with where it went wrong.
    #[test]
    fn json_errors_are_said_in_both_languages() {
        let cases: &[(&str, &str, &str)] = &[
            (
                r#"{"period":"2025","value":"lots"}"#,
                "应为数字，实际为字符串 \"lots\"",
                "expected a number, found the string \"lots\"",
            ),
            (r#"{"period":"2025"}"#, "缺少字段 value", "the field value is missing"),
            (
                r#"{"period":"2025","value":1,"status":"halfway"}"#,
                "“halfway”不是可选的值（可选：“not_started”、“done”）",
                "“halfway” is not one of not_started, done",
            ),
            (r#"{"period":"2025","value":1,"count":-1}"#, "应为非负整数", "expected a non-negative integer"),
            (
                r#"{"period":2025,"value":1}"#,
                "应为字符串，实际为整数 2025",
                "expected a string, found the integer 2025",
            ),
            (r#"{"period":"2025","value":null}"#, "空值 null", "found null"),
            (r#"{"period":"2025","value":1,"tags":"a"}"#, "应为数组", "expected an array"),
            (r#""abc""#, "应为对象", "expected an object"),
            ("{not json", "对象的键须为带引号的字符串", "an object key must be a quoted string"),
            (r#"{"period":"2025","value":1"#, "内容不完整", "the text ends too early"),
            (r#"{"period":"2025","value":1} x"#, "多余的字符", "there is more text after the value"),
            (r#"{"period":"2025" "value":1}"#, "缺少逗号或右花括号", "a comma or a closing brace is missing"),
            (r#"{"period":"2025","value":1e999}"#, "数字超出范围", "out of range"),
            ("", "内容不完整", "the text ends too early"),
            ("\u{1}", "此处应为一个值", "a value was expected here"),
            (r#"{"period":"\x","value":1}"#, "转义无效", "an invalid escape"),
        ];
        for (body, zh, en) in cases {
            let e = parse_json::<Obs>(body.as_bytes()).unwrap_err();
            assert_eq!(e.code, Code::InvalidJson);
            let (mz, me) = (e.message(Lang::Zh), e.message(Lang::En));
            assert!(mz.contains(zh), "{body}: {mz}");
            assert!(me.contains(en), "{body}: {me}");
            assert!(mz.contains(" 行第 ") && me.contains("line "), "{body}: {mz} / {me}");
            assert_eq!(english_words(mz, &["period", "value", "count", "status", "tags"]), Vec::<&str>::new(), "{mz}");
            let d = e.details(Lang::Zh);
            assert_eq!(
                english_words(&d[0].message, &["period", "value", "count", "status", "tags"]),
                Vec::<&str>::new()
            );
            assert!(e.cause.is_some(), "the original stays for the log");
        }
        let e = parse_json::<Obs>(br#"{"period":"2025","value":"lots"}"#).unwrap_err();
        assert_eq!(e.details[0].0, "value", "the field is named");
        assert_eq!(
            e.message(Lang::Zh),
            "请求体不是有效的 JSON：字段 value（第 1 行第 31 列）：应为数字，实际为字符串 \"lots\""
        );
    }

    #[test]
    fn store_errors_are_said_in_both_languages() {
        use jiqun_store::{BackupFault, Clash, Missing, StoreError};
        let errors = [
            StoreError::NotFound(Missing::Report(5)),
            StoreError::NotFound(Missing::Plan(1)),
            StoreError::NotFound(Missing::Indicator(1)),
            StoreError::NotFound(Missing::User(1)),
            StoreError::NotFound(Missing::Enterprise(1)),
            StoreError::NotFound(Missing::Designation {
                uscc: "91440300MA5XXXXX1X".into(),
                library: "specialized".into(),
                chain: "ic".into(),
            }),
            StoreError::Conflict(Clash::ReportAccepted),
            StoreError::Conflict(Clash::ReportNotSubmitted { state: "draft".into() }),
            StoreError::Conflict(Clash::UserExists("kjt".into())),
            StoreError::Conflict(Clash::AlreadyDesignated {
                uscc: "91440300MA5XXXXX1X".into(),
                library: "specialized".into(),
                chain: "ic".into(),
            }),
            StoreError::NotFound(Missing::Base(3)),
            StoreError::Conflict(Clash::BaseExists { name: "Demo".into(), id: 3 }),
            StoreError::Conflict(Clash::BaseWithdrawn { on: "2025-01-01".into() }),
            StoreError::Conflict(Clash::Stale { current: 4 }),
            StoreError::Conflict(Clash::ProblemMoved),
            StoreError::NotFound(Missing::Project(3)),
            StoreError::NotFound(Missing::Problem(3)),
            StoreError::NotFound(Missing::Progress { project: 3, period: "2025Q2".into() }),
            StoreError::NotFound(Missing::Milestone(3)),
            StoreError::NotFound(Missing::MatchProduct(3)),
            StoreError::NotFound(Missing::MatchNeed(3)),
            StoreError::NotFound(Missing::MatchMeeting(3)),
            StoreError::Conflict(Clash::CumulativeOrder {
                submitted: "100".into(),
                period: "2025Q1".into(),
                accepted: "120".into(),
                later: false,
            }),
            StoreError::Conflict(Clash::MilestoneDone { on: "2025-01-01".into() }),
            StoreError::Conflict(Clash::OwnReport),
            StoreError::NotFound(Missing::Challenge(3)),
            StoreError::NotFound(Missing::ChallengeApplication(3)),
            StoreError::NotFound(Missing::ChallengeAttachment(3)),
            StoreError::Conflict(Clash::ChallengeState { state: "review".into() }),
            StoreError::Conflict(Clash::AlreadyApplied),
            StoreError::Conflict(Clash::ExpertOnPanel),
            StoreError::Conflict(Clash::ReviewSubmitted),
            StoreError::Conflict(Clash::JobTakenOver { job: 7 }),
            StoreError::Backup(BackupFault::NotEmpty),
            StoreError::Backup(BackupFault::NotABackup),
            StoreError::Backup(BackupFault::Malformed { line: 3, cause: "expected value".into() }),
            StoreError::Backup(BackupFault::Schema { found: "3".into(), want: 4 }),
            StoreError::Backup(BackupFault::Write("No space left on device".into())),
            StoreError::BadUrl("mysql://x".into()),
            StoreError::Corrupt("seal: bad key".into()),
        ];
        for e in errors {
            let shown = format!("{e}");
            let a = AppError::from(e);
            let zh = a.message(Lang::Zh);
            assert_eq!(english_words(zh, &["kjt", "specialized", "ic", "Demo"]), Vec::<&str>::new(), "{shown}: {zh}");
            assert!(!a.message(Lang::En).chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{shown}");
        }
        assert_eq!(
            AppError::from(StoreError::Conflict(Clash::ReportAccepted)).message(Lang::Zh),
            "该期报告已审核通过，不能再修改"
        );
    }

    #[test]
    fn io_errors_are_said_in_both_languages() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        let a = AppError::io(std::path::Path::new("/tmp/x.csv"), false, &e);
        assert_eq!(a.message(Lang::Zh), "无法读取文件 /tmp/x.csv：文件或目录不存在");
        assert_eq!(a.message(Lang::En), "cannot read /tmp/x.csv: no such file or directory");
        assert_eq!(a.code, Code::Io);
    }
}
