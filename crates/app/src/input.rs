//! Checks of input shared by the use cases: a period as the contract writes it, one that has begun, text
//! within its length. Each error names its field.

use jiqun_domain::period::Period;

use crate::{AppError, AppResult};

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
