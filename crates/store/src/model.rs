//! Rows as the store hands them out. They serialise to the API's JSON.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::{Result, get};

/// A value read from a column by name: what the database decodes, plus Jiqun's two conventions (a flag is
/// an integer 0 or 1; a short list is comma-separated text).
pub(crate) trait Column: Sized {
    fn read(r: &AnyRow, name: &str) -> Result<Self>;
}

macro_rules! decoded {
    ($($t:ty),*) => {
        $(impl Column for $t {
            fn read(r: &AnyRow, name: &str) -> Result<Self> {
                get(r, name)
            }
        })*
    };
}
decoded!(i64, f64, String, Option<i64>, Option<f64>, Option<String>, Vec<u8>);

impl Column for bool {
    fn read(r: &AnyRow, name: &str) -> Result<Self> {
        Ok(get::<i64>(r, name)? != 0)
    }
}

/// A value of a closed list (a state, a comparator, a scale, a city) or of a checked type (an agency's
/// name), read by the type's own parser: an unknown or malformed string in the database is a fault, never
/// a silent default. A nullable column reads as an `Option` of it.
pub(crate) trait Parsed: Sized {
    fn from_text(text: &str) -> Option<Self>;
}

impl<T: Parsed> Column for T {
    fn read(r: &AnyRow, name: &str) -> Result<Self> {
        parsed(name, get(r, name)?)
    }
}

impl<T: Parsed> Column for Option<T> {
    fn read(r: &AnyRow, name: &str) -> Result<Self> {
        get::<Option<String>>(r, name)?.map(|text| parsed(name, text)).transpose()
    }
}

fn parsed<T: Parsed>(name: &str, text: String) -> Result<T> {
    T::from_text(&text).ok_or_else(|| crate::StoreError::Corrupt(format!("{name}: unknown value “{text}”")))
}

macro_rules! listed {
    ($($t:ty),*) => { $(impl Parsed for $t { fn from_text(text: &str) -> Option<Self> { <$t>::parse(text) } })* };
}
listed!(
    jiqun_domain::report::ReportStatus,
    jiqun_domain::report::ReviewState,
    jiqun_domain::plan::Cmp,
    jiqun_domain::Scale,
    jiqun_domain::CityCode,
    jiqun_domain::bases::BaseKind,
    jiqun_domain::bases::BaseLevel,
    jiqun_domain::projects::ProjectStage,
    jiqun_domain::projects::ProblemKind,
    jiqun_domain::projects::ProblemState,
    jiqun_domain::projects::TrackingKind,
    jiqun_domain::chains::FirmRole,
    jiqun_domain::challenges::ChallengeState,
    jiqun_domain::matching::Maturity,
    jiqun_domain::matching::MatchOutcome,
    jiqun_domain::jobs::JobKind,
    jiqun_domain::jobs::JobState
);

impl Parsed for jiqun_domain::AgencyName {
    fn from_text(text: &str) -> Option<Self> {
        jiqun_domain::AgencyName::parse(text).ok()
    }
}

/// Money is stored in 万元 (the columns say so: `…_wan`), the registry's and the forms' unit.
impl Column for Option<jiqun_domain::Money> {
    fn read(r: &AnyRow, name: &str) -> Result<Self> {
        get::<Option<f64>>(r, name)?
            .map(|v| {
                jiqun_domain::Money::wan(v)
                    .ok_or_else(|| crate::StoreError::Corrupt(format!("{name}: {v} is not an amount")))
            })
            .transpose()
    }
}
impl Parsed for jiqun_domain::date::Date {
    fn from_text(text: &str) -> Option<Self> {
        jiqun_domain::date::Date::parse(text).ok()
    }
}

impl Column for Vec<String> {
    fn read(r: &AnyRow, name: &str) -> Result<Self> {
        let text: String = get(r, name)?;
        Ok(text.split(',').map(str::trim).filter(|x| !x.is_empty()).map(String::from).collect())
    }
}

/// A row type: how it is read from a result row (see `Store::all` and `Store::one`).
pub(crate) trait FromRow: Sized {
    fn from_row(r: &AnyRow) -> Result<Self>;
}

/// A row type and its `from_row`, written once: each field is read from the column of its name, or of the
/// name after `=`; `= default` fields are filled later (a report's attachments). With `table "name";` first,
/// the row is that table's: the macro also writes its `Table` (the columns its queries select are the
/// fields' columns).
macro_rules! row {
    (table $table:literal; $(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty $(= $src:literal)?,)* }) => {
        $crate::model::row! { $(#[$m])* pub struct $name { $($(#[$fm])* pub $f: $t $(= $src)?,)* } }

        impl $crate::model::Table for $name {
            const TABLE: &'static str = $table;
            const COLUMNS: &'static str =
                $crate::model::column_list(concat!($($crate::model::row!(@column $f $(, $src)?), ", ",)*));
        }
    };
    (@column $f:ident) => { stringify!($f) };
    (@column $f:ident, $col:literal) => { $col };
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty $(= $src:tt)?,)* }) => {
        $(#[$m])*
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
        }

        impl $crate::model::FromRow for $name {
            fn from_row(r: &sqlx::any::AnyRow) -> $crate::Result<$name> {
                Ok($name { $($f: row!(@read r $f $t $(, $src)?),)* })
            }
        }
    };
    (@read $r:ident $f:ident $t:ty) => { <$t as $crate::model::Column>::read($r, stringify!($f))? };
    (@read $r:ident $f:ident $t:ty, default) => { Default::default() };
    (@read $r:ident $f:ident $t:ty, $col:literal) => { <$t as $crate::model::Column>::read($r, $col)? };
}
pub(crate) use row;

/// A row type that is one table's (`row! { table "…"; … }`).
pub(crate) trait Table: FromRow {
    const TABLE: &'static str;
    /// What its queries select: the column each field is read from.
    const COLUMNS: &'static str;
    /// Its id column as its queries name it (qualified where `TABLE` joins another table).
    const ID: &'static str = "id";

    /// `SELECT` its columns `FROM` its table, then `rest` (SQL text, never input).
    fn select(rest: &str) -> crate::Query<'static> {
        crate::select(Self::COLUMNS, Self::TABLE, rest)
    }
}

/// `a, b, c, ` as `a, b, c` (for `row!`'s `COLUMNS`).
pub(crate) const fn column_list(joined: &'static str) -> &'static str {
    let bytes = joined.as_bytes();
    if bytes.len() < 2 {
        return joined;
    }
    match std::str::from_utf8(bytes.split_at(bytes.len() - 2).0) {
        Ok(list) => list,
        Err(_) => joined,
    }
}

row! {
    table "plans";
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
}

row! {
    table "items";
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
}

row! {
    table "indicators";
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
        pub target_cmp: jiqun_domain::plan::Cmp,
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

row! {
    #[derive(Debug, Clone, Serialize)]
    pub struct ObservationRow {
        pub id: i64,
        pub indicator_id: i64,
        pub period: String,
        /// Empty for the province-wide figure, else a city's name.
        pub region: String,
        pub value: f64,
        pub source: String,
        pub current: bool = "is_current",
        pub entered_by: Option<i64>,
        pub entered_by_name: Option<String>,
        pub entered_at: i64,
    }
}

/// An observation with the name of who entered it.
impl Table for ObservationRow {
    const TABLE: &'static str = "observations o LEFT JOIN users u ON u.id = o.entered_by";
    const COLUMNS: &'static str = "o.id, o.indicator_id, o.period, o.region, o.value, o.source, o.is_current, o.entered_by, u.username AS entered_by_name, o.entered_at";
    const ID: &'static str = "o.id";
}

row! {
    #[derive(Debug, Clone, Serialize)]
    pub struct AssignmentRow {
        pub id: i64,
        pub plan_id: i64,
        pub item: String,
        pub item_title: String,
        pub agency: jiqun_domain::AgencyName,
        /// `lead` or `co`.
        pub role: String,
    }
}

impl AssignmentRow {}

row! {
    #[derive(Debug, Clone, Serialize)]
    pub struct RoundRow {
        pub id: i64,
        pub plan_id: i64,
        pub period: String,
        /// `YYYY-MM-DD`.
        pub deadline: String,
    }
}

row! {
    #[derive(Debug, Clone, Serialize)]
    pub struct ReportRow {
        pub id: i64,
        pub assignment_id: i64,
        pub period: String,
        pub version: i64,
        pub current: bool = "is_current",
        pub state: jiqun_domain::report::ReviewState,
        pub status: jiqun_domain::report::ReportStatus,
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
        pub attachments: Vec<AttachmentMeta> = default,
    }
}

/// A report with the name of who filed it (its attachments are read apart).
impl Table for ReportRow {
    const TABLE: &'static str = "reports r LEFT JOIN users u ON u.id = r.created_by";
    const COLUMNS: &'static str = "r.id, r.assignment_id, r.period, r.version, r.is_current, r.state, r.status, r.percent, r.narrative, r.problems, r.help_needed, r.review_comment, r.created_at, r.created_by, u.username AS created_by_name, r.submitted_at, r.reviewed_at";
    const ID: &'static str = "r.id";
}

row! {
    #[derive(Debug, Clone, Serialize)]
    pub struct AttachmentMeta {
        pub id: i64,
        pub report_id: i64,
        pub filename: String,
        pub content_type: String,
        pub size: i64,
    }
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
    /// The version of the period's current report the writer read (0: there was none); another version
    /// there now is a conflict (`Clash::Stale`). `None` files without the check.
    pub based_on: Option<i64>,
}

row! {
    table "users";
    #[derive(Debug, Clone, Serialize)]
    pub struct UserRow {
        pub id: i64,
        pub username: String,
        pub display_name: String,
        #[serde(skip)]
        pub password_hash: String,
        pub roles: Vec<String>,
        pub agency: Option<jiqun_domain::AgencyName>,
        pub city: Option<jiqun_domain::CityCode>,
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
}

impl UserRow {
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
    pub agency: Option<jiqun_domain::AgencyName>,
    pub city: Option<jiqun_domain::CityCode>,
    pub uscc: Option<String>,
    pub must_change_password: bool,
}

row! {
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
}

row! {
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
}

impl AuditRow {}

#[cfg(test)]
mod tests {
    use super::Table;

    #[test]
    fn a_tables_columns_are_its_fields_columns() {
        assert_eq!(super::column_list("a, b, "), "a, b");
        assert_eq!(
            crate::FigureSetRow::COLUMNS,
            "id, enterprise_id, year, metrics, sealed, source, is_current, entered_by, entered_at"
        );
    }
}
