//! Rows as the store hands them out. They serialise to the API's JSON.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{Result, get};

#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub title: Option<String>,
    pub doc_number: Option<String>,
    pub issued_on: Option<String>,
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    /// The year the plan's targets aim at: the period's end, else the targets' latest year.
    pub target_year: Option<i64>,
    pub source_name: String,
    /// `active` or `closed`.
    pub status: String,
    pub final_assessment: Option<String>,
    pub successor_id: Option<i64>,
    pub created_at: i64,
}

impl PlanRow {
    pub(crate) const COLUMNS: &'static str = "id, name, title, doc_number, issued_on, period_start, period_end, target_year, source_name, status, final_assessment, successor_id, created_at";

    pub(crate) fn from_row(r: &AnyRow) -> Result<PlanRow> {
        Ok(PlanRow {
            id: get(r, "id")?,
            name: get(r, "name")?,
            title: get(r, "title")?,
            doc_number: get(r, "doc_number")?,
            issued_on: get(r, "issued_on")?,
            period_start: get(r, "period_start")?,
            period_end: get(r, "period_end")?,
            target_year: get(r, "target_year")?,
            source_name: get(r, "source_name")?,
            status: get(r, "status")?,
            final_assessment: get(r, "final_assessment")?,
            successor_id: get(r, "successor_id")?,
            created_at: get(r, "created_at")?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub id: i64,
    pub plan_id: i64,
    pub item: String,
    pub parent: Option<String>,
    pub section_no: i64,
    pub section_title: String,
    pub section_kind: String,
    pub title: String,
    pub body: String,
    pub cities: Vec<String>,
    pub position: i64,
}

impl ItemRow {
    pub(crate) const COLUMNS: &'static str =
        "id, plan_id, item, parent, section_no, section_title, section_kind, title, body, cities, position";

    pub(crate) fn from_row(r: &AnyRow) -> Result<ItemRow> {
        let cities: String = get(r, "cities")?;
        Ok(ItemRow {
            id: get(r, "id")?,
            plan_id: get(r, "plan_id")?,
            item: get(r, "item")?,
            parent: get(r, "parent")?,
            section_no: get(r, "section_no")?,
            section_title: get(r, "section_title")?,
            section_kind: get(r, "section_kind")?,
            title: get(r, "title")?,
            body: get(r, "body")?,
            cities: cities.split(',').filter(|c| !c.is_empty()).map(String::from).collect(),
            position: get(r, "position")?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    pub id: i64,
    pub plan_id: i64,
    pub item: Option<String>,
    pub name: String,
    pub unit: String,
    /// `up` or `down`.
    pub direction: String,
    /// `growth` or `linear`.
    pub method: String,
    /// `annual`, `quarterly` or `monthly`.
    pub frequency: String,
    pub baseline_period: Option<String>,
    pub baseline_value: Option<f64>,
    pub target_cmp: String,
    pub target_value: f64,
    pub target_value_max: Option<f64>,
    pub target_year: i64,
    pub source_text: String,
    /// A registry the value is derived from (for example `bases:国家级制造业创新中心`), when it is not entered.
    pub derived_from: Option<String>,
    pub override_status: Option<String>,
    pub override_reason: Option<String>,
    pub override_by: Option<i64>,
    pub override_at: Option<i64>,
    pub by_city: bool,
    pub position: i64,
    pub updated_at: i64,
}

impl IndicatorRow {
    pub(crate) const COLUMNS: &'static str = "id, plan_id, item, name, unit, direction, method, frequency, baseline_period, baseline_value, target_cmp, target_value, target_value_max, target_year, source_text, derived_from, override_status, override_reason, override_by, override_at, by_city, position, updated_at";

    pub(crate) fn from_row(r: &AnyRow) -> Result<IndicatorRow> {
        Ok(IndicatorRow {
            id: get(r, "id")?,
            plan_id: get(r, "plan_id")?,
            item: get(r, "item")?,
            name: get(r, "name")?,
            unit: get(r, "unit")?,
            direction: get(r, "direction")?,
            method: get(r, "method")?,
            frequency: get(r, "frequency")?,
            baseline_period: get(r, "baseline_period")?,
            baseline_value: get(r, "baseline_value")?,
            target_cmp: get(r, "target_cmp")?,
            target_value: get(r, "target_value")?,
            target_value_max: get(r, "target_value_max")?,
            target_year: get(r, "target_year")?,
            source_text: get(r, "source_text")?,
            derived_from: get(r, "derived_from")?,
            override_status: get(r, "override_status")?,
            override_reason: get(r, "override_reason")?,
            override_by: get(r, "override_by")?,
            override_at: get(r, "override_at")?,
            by_city: get::<i64>(r, "by_city")? != 0,
            position: get(r, "position")?,
            updated_at: get(r, "updated_at")?,
        })
    }
}

/// What the plan owner may set on an indicator (and what a new one needs).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct IndicatorEdit {
    pub item: Option<String>,
    pub name: String,
    pub unit: String,
    pub direction: String,
    pub method: String,
    pub frequency: String,
    pub baseline_period: Option<String>,
    pub baseline_value: Option<f64>,
    pub target_cmp: String,
    pub target_value: f64,
    pub target_value_max: Option<f64>,
    pub target_year: i64,
    pub by_city: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObservationRow {
    pub id: i64,
    pub indicator_id: i64,
    pub period: String,
    /// Empty for the province-wide figure, else a city's name.
    pub region: String,
    pub value: f64,
    pub source: String,
    pub current: bool,
    pub entered_by: Option<i64>,
    pub entered_by_name: Option<String>,
    pub entered_at: i64,
}

impl ObservationRow {
    pub(crate) const COLUMNS: &'static str = "o.id, o.indicator_id, o.period, o.region, o.value, o.source, o.is_current, o.entered_by, u.username AS entered_by_name, o.entered_at";

    pub(crate) fn from_row(r: &AnyRow) -> Result<ObservationRow> {
        Ok(ObservationRow {
            id: get(r, "id")?,
            indicator_id: get(r, "indicator_id")?,
            period: get(r, "period")?,
            region: get(r, "region")?,
            value: get(r, "value")?,
            source: get(r, "source")?,
            current: get::<i64>(r, "is_current")? != 0,
            entered_by: get(r, "entered_by")?,
            entered_by_name: get(r, "entered_by_name")?,
            entered_at: get(r, "entered_at")?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AssignmentRow {
    pub id: i64,
    pub plan_id: i64,
    pub item: String,
    pub item_title: String,
    pub agency: String,
    /// `lead` or `co`.
    pub role: String,
}

impl AssignmentRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<AssignmentRow> {
        Ok(AssignmentRow {
            id: get(r, "id")?,
            plan_id: get(r, "plan_id")?,
            item: get(r, "item")?,
            item_title: get(r, "item_title")?,
            agency: get(r, "agency")?,
            role: get(r, "role")?,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundRow {
    pub id: i64,
    pub plan_id: i64,
    pub period: String,
    /// `YYYY-MM-DD`.
    pub deadline: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub assignment_id: i64,
    pub period: String,
    pub version: i64,
    pub current: bool,
    /// `draft`, `submitted`, `returned` or `accepted`.
    pub state: String,
    /// `not_started`, `on_schedule`, `behind` or `done`.
    pub status: String,
    pub percent: f64,
    pub narrative: String,
    pub problems: String,
    pub help_needed: String,
    pub review_comment: Option<String>,
    pub created_at: i64,
    pub created_by: Option<i64>,
    pub created_by_name: Option<String>,
    pub submitted_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub attachments: Vec<AttachmentMeta>,
}

impl ReportRow {
    pub(crate) const COLUMNS: &'static str = "r.id, r.assignment_id, r.period, r.version, r.is_current, r.state, r.status, r.percent, r.narrative, r.problems, r.help_needed, r.review_comment, r.created_at, r.created_by, u.username AS created_by_name, r.submitted_at, r.reviewed_at";

    pub(crate) fn from_row(r: &AnyRow) -> Result<ReportRow> {
        Ok(ReportRow {
            id: get(r, "id")?,
            assignment_id: get(r, "assignment_id")?,
            period: get(r, "period")?,
            version: get(r, "version")?,
            current: get::<i64>(r, "is_current")? != 0,
            state: get(r, "state")?,
            status: get(r, "status")?,
            percent: get(r, "percent")?,
            narrative: get(r, "narrative")?,
            problems: get(r, "problems")?,
            help_needed: get(r, "help_needed")?,
            review_comment: get(r, "review_comment")?,
            created_at: get(r, "created_at")?,
            created_by: get(r, "created_by")?,
            created_by_name: get(r, "created_by_name")?,
            submitted_at: get(r, "submitted_at")?,
            reviewed_at: get(r, "reviewed_at")?,
            attachments: Vec::new(),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentMeta {
    pub id: i64,
    pub report_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// A progress report as a department files it.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub period: String,
    pub status: String,
    pub percent: f64,
    pub narrative: String,
    pub problems: String,
    pub help_needed: String,
    /// Submit now, or keep as a draft.
    pub submit: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub roles: Vec<String>,
    pub agency: Option<String>,
    pub city: Option<String>,
    pub uscc: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
    pub prev_login_at: Option<i64>,
    pub created_at: i64,
    /// The TOTP secret, sealed with SM4 (never shown).
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    #[serde(skip)]
    pub totp_last_step: i64,
    pub password_changed_at: Option<i64>,
    /// A phone number or e-mail, sealed with SM4 (personal information).
    #[serde(skip)]
    pub contact: Option<String>,
}

impl UserRow {
    pub(crate) const COLUMNS: &'static str = "id, username, display_name, password_hash, roles, agency, city, uscc, must_change_password, disabled, failed_logins, locked_until, last_login_at, prev_login_at, created_at, totp_secret, totp_enabled, totp_last_step, password_changed_at, contact";

    pub(crate) fn from_row(r: &AnyRow) -> Result<UserRow> {
        let roles: String = get(r, "roles")?;
        Ok(UserRow {
            id: get(r, "id")?,
            username: get(r, "username")?,
            display_name: get(r, "display_name")?,
            password_hash: get(r, "password_hash")?,
            roles: roles.split(',').filter(|x| !x.is_empty()).map(String::from).collect(),
            agency: get(r, "agency")?,
            city: get(r, "city")?,
            uscc: get(r, "uscc")?,
            must_change_password: get::<i64>(r, "must_change_password")? != 0,
            disabled: get::<i64>(r, "disabled")? != 0,
            failed_logins: get(r, "failed_logins")?,
            locked_until: get(r, "locked_until")?,
            last_login_at: get(r, "last_login_at")?,
            prev_login_at: get(r, "prev_login_at")?,
            created_at: get(r, "created_at")?,
            totp_secret: get(r, "totp_secret")?,
            totp_enabled: get::<i64>(r, "totp_enabled")? != 0,
            totp_last_step: get(r, "totp_last_step")?,
            password_changed_at: get(r, "password_changed_at")?,
            contact: get(r, "contact")?,
        })
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: Vec<String>,
    pub agency: Option<String>,
    pub city: Option<String>,
    pub uscc: Option<String>,
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub csrf: String,
    pub kind: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub ip: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub success: bool,
    pub detail: String,
}

impl AuditRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<AuditRow> {
        Ok(AuditRow {
            id: get(r, "id")?,
            at: get(r, "at")?,
            actor: get(r, "actor")?,
            actor_id: get(r, "actor_id")?,
            ip: get(r, "ip")?,
            action: get(r, "action")?,
            object_type: get(r, "object_type")?,
            object_id: get(r, "object_id")?,
            success: get::<i64>(r, "success")? != 0,
            detail: get(r, "detail")?,
        })
    }
}
