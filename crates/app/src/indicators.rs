//! Indicators: adding and editing them, entering observations (a correction keeps the old value), the
//! plan owner's status override; an indicator's observation history. Their computed status lives in the
//! snapshot (`snapshot.rs`) and the progress engine (`jiqun_eval::progress`).

use jiqun_domain::RegionModel;
use jiqun_domain::period::Period;
use jiqun_store::{IndicatorEdit, ObservationRow};

use crate::input::{begun, limit_text, parse_period};
use crate::{Action, App, AppError, AppResult, Session};

impl App {
    /// Every observation of an indicator, corrections included (the replaced values no longer current).
    pub async fn observation_history(&self, session: &Session, indicator_id: i64) -> AppResult<Vec<ObservationRow>> {
        session.require(&Action::ReadPlan)?;
        Ok(self.store.observation_history(indicator_id).await?)
    }

    /// A page of an indicator's observations, newest first (at most 1,000), with how many there are.
    pub async fn observation_history_page(
        &self,
        session: &Session,
        indicator_id: i64,
        offset: i64,
        limit: i64,
    ) -> AppResult<(Vec<ObservationRow>, i64)> {
        session.require(&Action::ReadPlan)?;
        Ok(self.store.observation_history_page(indicator_id, offset.max(0), limit.clamp(1, 1000)).await?)
    }

    /// The user name of whoever set an indicator's status override.
    pub async fn override_author(&self, session: &Session, user_id: i64) -> AppResult<Option<String>> {
        session.require(&Action::ReadPlan)?;
        Ok(self.store.user(user_id).await?.map(|u| u.username))
    }
}

pub const FREQUENCIES: &[&str] = &["annual", "quarterly", "monthly"];

impl App {
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
        let (period, region, source) =
            self.check_observation(session, indicator_id, period, value, region, source).await?;
        Ok(self.store.add_observation(indicator_id, period, &region, value, &source, &session.actor(ip)).await?)
    }

    /// The indicator with this id, or 404.
    pub(crate) async fn existing_indicator(&self, id: i64) -> AppResult<jiqun_store::IndicatorRow> {
        self.store
            .indicator(id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("指标 {id} 不存在"), format!("no indicator {id}")))
    }

    /// The checks of `add_observation` (permission first), without writing: the period, region and
    /// source as they are stored. An import checks each row with this.
    pub(crate) async fn check_observation(
        &self,
        session: &Session,
        indicator_id: i64,
        period: &str,
        value: f64,
        region: Option<&str>,
        source: Option<&str>,
    ) -> AppResult<(Period, String, String)> {
        let region = region.unwrap_or("").trim();
        session.require(&Action::AddObservation { region })?;
        let indicator = self.existing_indicator(indicator_id).await?;
        if let Some(d) = indicator.derived_from.as_deref().and_then(|t| jiqun_domain::bases::Derivation::parse(t).ok())
        {
            return Err(AppError::new(
                crate::Code::DerivedIndicator,
                format!(
                    "“{}”由系统根据{}自动计算，不能手工填报",
                    indicator.name,
                    crate::bases::derivation_label(&d, jiqun_domain::Lang::Zh)
                ),
                format!(
                    "“{}” is computed from the {}; it cannot be entered by hand",
                    indicator.name,
                    crate::bases::derivation_label(&d, jiqun_domain::Lang::En)
                ),
            ));
        }
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
        Ok((period, region.to_string(), source.to_string()))
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
        let Some(cmp) = jiqun_domain::plan::Cmp::parse(&e.target_cmp) else {
            let list = jiqun_domain::plan::Cmp::ALL.map(|c| c.as_str()).join(" ");
            return Err(AppError::invalid(
                "target_cmp",
                format!("比较符“{}”无效，应为 {list} 之一", e.target_cmp),
                format!("unknown comparator “{}”; one of {list}", e.target_cmp),
            ));
        };
        if !e.target_value.is_finite() || e.target_value_max.is_some_and(|v| !v.is_finite()) {
            return Err(AppError::invalid("target_value", "目标值无效", "the target is not a number"));
        }
        if (cmp == jiqun_domain::plan::Cmp::Range) != e.target_value_max.is_some() {
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
        session.require(&Action::EditIndicator)?;
        Self::check_indicator(e)?;
        Ok(self.store.update_indicator(id, e, &session.actor(ip)).await?)
    }

    pub async fn add_indicator(&self, session: &Session, plan_id: i64, e: &IndicatorEdit, ip: &str) -> AppResult<i64> {
        session.require(&Action::EditIndicator)?;
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
        session.require(&Action::OverrideStatus)?;
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
}
