//! Checks of input shared by the use cases and the edges: a period as the contract writes it, one that has
//! begun, text within its length, and the domain's types (city, scale, department, money, USCC) read from what a
//! user wrote. Each error names its field.

use jiqun_domain::date::Date;
use jiqun_domain::period::Period;
use jiqun_domain::uscc::Uscc;
use jiqun_domain::{AgencyName, AgencyRegistry, CityCode, Lang, Money, RegionModel, Scale};
use jiqun_eval::definition::FieldError;

use crate::{AppError, AppResult, Code};

/// A city as people write it (`广州`, `广州市`, `440100`): one of the province's 21 cities.
pub fn parse_city(field: &str, s: &str) -> AppResult<CityCode> {
    CityCode::from_name(s).map_err(|e| AppError::invalid(field, e.message(Lang::Zh), e.message(Lang::En)))
}

/// `above` (规上) or `below` (规下); the labels 规上 and 规下 are read too.
pub fn parse_scale(field: &str, s: &str) -> AppResult<Scale> {
    Scale::from_text(s).ok_or_else(|| {
        AppError::invalid(
            field,
            format!("“{s}”不是规模：应为“above”（规上）或“below”（规下）"),
            format!("“{s}” is not a scale: above or below"),
        )
    })
}

/// A department, in the agency registry's short form where the registry knows it.
pub fn parse_agency(field: &str, s: &str) -> AppResult<AgencyName> {
    AgencyName::resolve(agencies(), s).map_err(|e| AppError::invalid(field, e.message(Lang::Zh), e.message(Lang::En)))
}

/// The agency registry, read once.
fn agencies() -> &'static AgencyRegistry {
    static REGISTRY: std::sync::OnceLock<AgencyRegistry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(AgencyRegistry::guangdong)
}

/// A department the agency registry knows, in the registry's short form, or the field's error.
pub(crate) fn registered_department(field: impl Into<String>, name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    let resolved = agencies().resolve(name, None);
    if name.is_empty() || !resolved.known {
        return Err(FieldError::new(
            field,
            format!("“{name}”不是已登记的部门"),
            format!("“{name}” is not a registered department"),
        ));
    }
    Ok(resolved.name)
}

/// An amount given in 万元, as the forms and the registry give money.
pub fn parse_wan(field: &str, v: f64) -> AppResult<Money> {
    Money::wan(v).ok_or_else(|| {
        AppError::invalid(field, format!("“{v}”不是有效的金额（万元）"), format!("“{v}” is not an amount (10k yuan)"))
    })
}

/// An optional parameter of an address (a filter): absent or empty is `None`; a value that does not parse
/// is `invalid_parameter`, never a filter that silently matches nothing.
pub fn parameter<T>(
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str, &str) -> AppResult<T>,
) -> AppResult<Option<T>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse(field, v).map(Some).map_err(|e| AppError { code: Code::InvalidParameter, ..e }),
    }
}

pub(crate) fn parse_period(field: &str, s: &str) -> AppResult<Period> {
    Period::parse(s).map_err(|_| {
        AppError::invalid(
            field,
            format!("“{s}”不是有效的期别，应形如 2025、2025Q2 或 2025-06"),
            format!("“{s}” is not a period such as 2025, 2025Q2 or 2025-06"),
        )
    })
}

/// Refuses a period that has not begun yet (contract §3): nobody reports or observes the future.
pub(crate) fn begun(field: &str, period: Period) -> AppResult<()> {
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

pub(crate) fn limit_text(field: &str, s: &str, max: usize) -> AppResult<()> {
    if s.chars().count() > max {
        return Err(AppError::invalid(field, format!("不能超过 {max} 字"), format!("at most {max} characters")));
    }
    Ok(())
}

/// Today in China (UTC+8), the calendar dates are checked against.
pub(crate) fn today() -> Date {
    Date::from_tuple(crate::snapshot::today_in_china())
}

/// A text of 1 to `max` characters (trimmed; line breaks allowed, other control characters not), or the
/// field's error added to `errors`.
pub(crate) fn text_field(field: &str, s: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(FieldError::new(field, format!("应为 1 至 {max} 字"), format!("1 to {max} characters")));
    }
    t.to_string()
}

/// A calendar day (`2025-06-30`), not after today when `not_after_today`, or the field's error added to
/// `errors`.
pub(crate) fn date_field(field: &str, s: &str, not_after_today: bool, errors: &mut Vec<FieldError>) -> Option<Date> {
    match Date::parse(s) {
        Ok(d) if not_after_today && d > today() => {
            errors.push(FieldError::new(field, format!("{d} 晚于今天"), format!("{d} is after today")));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            let s = s.trim();
            errors.push(FieldError::new(
                field,
                format!("“{s}”不是有效日期，应形如 2025-06-30"),
                format!("“{s}” is not a date such as 2025-06-30"),
            ));
            None
        }
    }
}

/// A city of the province as a form gives it (`广州` or `广州市`): its name without `市` (empty when
/// `optional` and none is given), or the field's error added to `errors`. A partner region is not one.
pub(crate) fn city_field(field: &str, s: &str, optional: bool, errors: &mut Vec<FieldError>) -> String {
    let city = s.trim().trim_end_matches('市').to_string();
    if !(optional && city.is_empty()) && RegionModel::guangdong().city(&city).is_none_or(|c| c.is_partner()) {
        errors.push(FieldError::new(
            field,
            format!("“{city}”不是本省地级以上市"),
            format!("“{city}” is not a city of the province"),
        ));
    }
    city
}

/// A unified social credit code where one is given (absent or blank is `None`), or the field's error added
/// to `errors`.
pub(crate) fn uscc_field(field: &str, s: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    match Uscc::parse(s) {
        Ok(u) => Some(u.to_string()),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("“{s}”不是有效的统一社会信用代码（GB 32100）"),
                format!("“{s}” is not a valid unified social credit code (GB 32100)"),
            ));
            None
        }
    }
}

/// An uploaded file's name and type as stored, checked: a name of 1 to 200 characters with no path in it, at
/// most `max` bytes and not empty; a type that is missing or too long becomes `application/octet-stream`.
pub(crate) fn check_upload<'a>(
    filename: &'a str,
    content_type: &'a str,
    data: &[u8],
    max: usize,
) -> AppResult<(&'a str, &'a str)> {
    let name = filename.trim();
    if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\', '\0']) {
        return Err(AppError::invalid("filename", "文件名无效", "invalid file name"));
    }
    if data.len() > max {
        return Err(AppError::new(
            crate::Code::TooLarge,
            format!("附件不能超过 {} MB", max >> 20),
            format!("an attachment cannot exceed {} MB", max >> 20),
        ));
    }
    if data.is_empty() {
        return Err(AppError::invalid("file", "请选择要上传的文件", "choose a file to upload"));
    }
    let content_type =
        if content_type.is_empty() || content_type.len() > 100 { "application/octet-stream" } else { content_type };
    Ok((name, content_type))
}
