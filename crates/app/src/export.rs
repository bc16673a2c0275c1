//! Exports: a table of the system as typed columns and rows, handed to a row sink as they are read (the
//! large tables page by page), so that a million rows never sit in memory. Two callers: the operator who
//! holds the database (`jiqun export --db`, where the database is the credential, as for a backup) exports
//! everything; a logged-in user (`GET /api/v1/exports/{table}`) exports what the list use cases show that
//! user, through those use cases and the registry's read rule (`RegistryReader`), never a rule of its own.
//! Every export is in the audit trail with its table, format, row count and who.
//!
//! Tables: `indicators`, `observations`, `reports`, `enterprises` (with the year's figures, opened only for
//! a reader of them), `evaluations` (one run's results per firm), `projects`, `bases`, `chains` (one row a
//! chain node), `challenges` and `matches` (the chip–terminal candidate pairs).

use std::collections::HashMap;

use jiqun_domain::Lang;
use jiqun_domain::audit::AuditAction;
use jiqun_domain::enterprise::METRICS;
pub use jiqun_office::table::{
    Cell, Collected, Column, Kind, RowSink, TableError, TableFormat, TableWriter, push_csv_cell,
};
use jiqun_store::{Actor, EnterpriseFilter, EnterpriseRow, ProjectFilter};
use serde_json::{Value, json};

use crate::authz::Action;
use crate::{App, AppError, AppResult, Code, Session};

/// The tables that can be exported, in the order the command's help and the refusal name them.
pub const EXPORT_TABLES: &[&str] = &[
    "indicators",
    "observations",
    "reports",
    "enterprises",
    "evaluations",
    "projects",
    "bases",
    "chains",
    "challenges",
    "matches",
];

/// Rows read from the database at a time for the large tables.
const PAGE: i64 = 1000;

/// Who exports.
#[derive(Clone, Copy)]
pub enum Exporter<'a> {
    /// The operator holding the database (`jiqun export --db`): every row, sealed figures opened.
    Operator,
    /// A logged-in user: what the user may see.
    User(&'a Session),
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub table: String,
    /// Said in the audit record (the sink writes it).
    pub format: TableFormat,
    /// The language of labels (and of the sink's headers).
    pub lang: Lang,
    /// `evaluations`: the run (the latest year's newest run when absent).
    pub run: Option<i64>,
    /// `enterprises`: the figures' year (the latest year with figures when absent).
    pub year: Option<i64>,
    /// The client's address, for the audit record.
    pub ip: String,
}

impl ExportRequest {
    pub fn new(table: &str, format: TableFormat, lang: Lang) -> ExportRequest {
        ExportRequest { table: table.to_string(), format, lang, run: None, year: None, ip: String::new() }
    }
}

/// An export's file name: the table and the day, `enterprises-2026-12-07.xlsx`.
pub fn export_file_name(table: &str, format: TableFormat) -> String {
    let (y, m, d) = crate::snapshot::today_in_china();
    format!("{table}-{y:04}-{m:02}-{d:02}.{}", format.as_str())
}

/// A sink's failure in the catalogue's words.
pub fn sink_error(e: TableError) -> AppError {
    match e {
        TableError::TooManyRows { limit } => AppError::new(
            Code::TooLarge,
            format!("Excel 工作表至多 {limit} 行，请改用 CSV 导出或缩小范围"),
            format!("an Excel sheet holds at most {limit} rows: export as CSV, or fewer rows"),
        ),
        TableError::Io(e) => AppError::new(Code::Io, "写出导出文件失败", "writing the export failed").caused_by(e),
        other => AppError::internal(other),
    }
}

/// The sink and the rows written to it.
struct Out<'s> {
    sink: &'s mut (dyn RowSink + Send),
    rows: u64,
}

impl Out<'_> {
    fn begin(&mut self, columns: &[Column]) -> AppResult<()> {
        self.sink.begin(columns).map_err(sink_error)
    }

    fn row(&mut self, cells: &[Cell]) -> AppResult<()> {
        self.sink.row(cells).map_err(sink_error)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows given as JSON objects, each cell read from the key of its column.
    fn json_rows(&mut self, columns: &[Column], rows: impl IntoIterator<Item = Value>) -> AppResult<()> {
        self.begin(columns)?;
        for v in rows {
            let cells: Vec<Cell> = columns.iter().map(|c| json_cell(v.get(c.key), c.kind)).collect();
            self.row(&cells)?;
        }
        Ok(())
    }
}

/// A JSON value as the cell of a column of this kind.
fn json_cell(v: Option<&Value>, kind: Kind) -> Cell {
    match v {
        None | Some(Value::Null) => Cell::Empty,
        Some(Value::Bool(b)) => Cell::Bool(*b),
        Some(Value::Number(n)) => match (kind, n.as_i64()) {
            (Kind::Timestamp, Some(ms)) => Cell::Time(ms),
            (Kind::Id | Kind::Integer | Kind::Text, Some(i)) => Cell::Int(i),
            _ => n.as_f64().map_or(Cell::Empty, Cell::Num),
        },
        Some(Value::String(s)) if kind == Kind::Date => Cell::Date(s.clone()),
        Some(Value::String(s)) => Cell::Text(s.clone()),
        Some(Value::Array(a)) => Cell::List(
            a.iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
        ),
        Some(other) => Cell::Text(other.to_string()),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> AppResult<Value> {
    serde_json::to_value(v).map_err(AppError::internal)
}

use Kind::{Date as D, Id, Integer as N, Money as W, Percent as P, Text as T, Timestamp as At};

const fn col(key: &'static str, zh: &'static str, en: &'static str, kind: Kind) -> Column {
    Column::new(key, zh, en, kind)
}

const PROJECT_COLUMNS: &[Column] = &[
    col("id", "编号", "ID", Id),
    col("name", "项目名称", "Project", T),
    col("owner_uscc", "业主统一社会信用代码", "Owner USCC", T),
    col("owner_name", "业主单位", "Owner", T),
    col("city", "地市", "City", T),
    col("stage", "阶段代码", "Stage code", T),
    col("stage_label", "阶段", "Stage", T),
    col("suspended_from", "暂停前阶段", "Suspended from", T),
    col("libraries", "所在项目库", "Libraries", T),
    col("plan_items", "对应计划条目", "Plan items", T),
    col("chain_nodes", "产业链环节", "Chain nodes", T),
    col("total_investment_wan", "总投资（万元）", "Total investment (10k yuan)", W),
    col("completed_investment_wan", "累计完成投资（万元）", "Investment completed (10k yuan)", W),
    col("physical_percent", "形象进度（%）", "Physical progress (%)", Kind::Number(1)),
    col("planned_start", "计划开工", "Planned start", D),
    col("planned_finish", "计划竣工", "Planned finish", D),
    col("fast_lane", "绿色通道", "Fast lane", T),
    col("source", "来源", "Source", T),
    col("synthetic", "示例数据", "Synthetic", T),
    col("open_problems", "未办结问题", "Open problems", N),
    col("overdue_problems", "逾期问题", "Overdue problems", N),
    col("slipping_milestones", "滞后节点", "Slipping milestones", N),
    col("admission_id", "准入评估编号", "Admission check", Id),
];

const BASE_COLUMNS: &[Column] = &[
    col("id", "编号", "ID", Id),
    col("name", "名称", "Name", T),
    col("kind", "类型代码", "Kind code", T),
    col("kind_label", "类型", "Kind", T),
    col("level", "级别代码", "Level code", T),
    col("level_label", "级别", "Level", T),
    col("city", "地市", "City", T),
    col("host_name", "依托单位", "Host", T),
    col("host_uscc", "依托单位统一社会信用代码", "Host USCC", T),
    col("recognised_by", "认定部门", "Recognised by", T),
    col("recognised_on", "认定日期", "Recognised on", D),
    col("withdrawn_on", "撤销日期", "Withdrawn on", D),
    col("withdrawn_reason", "撤销原因", "Withdrawal reason", T),
    col("source", "来源", "Source", T),
    col("synthetic", "示例数据", "Synthetic", T),
    col("counts_for", "计入指标", "Counts for indicators", T),
];

const CHAIN_COLUMNS: &[Column] = &[
    col("chain", "产业链代码", "Chain code", T),
    col("chain_name", "产业链", "Chain", T),
    col("node", "环节代码", "Node code", T),
    col("node_name", "环节", "Node", T),
    col("tier", "层级", "Tier", T),
    col("segment", "链段", "Segment", T),
    col("firms", "企业数", "Firms", N),
    col("backbone", "骨干企业数", "Backbone firms", N),
    col("in_library", "在库企业数", "Firms in a library", N),
    col("projects", "项目数", "Projects", N),
    col("bases", "平台基地数", "Bases", N),
    col("revenue_wan", "营业收入（万元）", "Revenue (10k yuan)", W),
    col("revenue_share", "营收占全链比重", "Share of the chain's revenue", P),
    col("output_wan", "产值（万元）", "Output (10k yuan)", W),
    col("output_share", "产值占全链比重", "Share of the chain's output", P),
    col("strength", "实力得分", "Strength", Kind::Number(1)),
    col("outside_dependency", "省外依赖", "Outside dependency", T),
    col("gaps", "短板", "Gaps", T),
    col("figures_year", "数据年份", "Figures' year", Id),
];

const CHALLENGE_COLUMNS: &[Column] = &[
    col("id", "编号", "ID", Id),
    col("title", "榜单名称", "Title", T),
    col("state", "状态代码", "State code", T),
    col("state_label", "状态", "State", T),
    col("department", "发榜部门", "Department", T),
    col("chain_node", "产业链环节", "Chain node", T),
    col("gap_rule", "短板规则", "Gap rule", T),
    col("funding_wan", "支持资金（万元）", "Funding (10k yuan)", W),
    col("reward", "奖励", "Reward", T),
    col("eligibility", "申报条件", "Eligibility", T),
    col("apply_by", "申报截止", "Apply by", D),
    col("finish_by", "完成期限", "Finish by", D),
    col("applications", "申报数", "Applications", N),
    col("winner_id", "揭榜申报编号", "Winning application", Id),
    col("outcome_note", "结果说明", "Outcome", T),
    col("synthetic", "示例数据", "Synthetic", T),
    col("created_at", "创建时间", "Created", At),
    col("updated_at", "更新时间", "Updated", At),
];

/// The chip–terminal pairs, ranked, each component's points in a column of its own.
const MATCH_COLUMNS: &[Column] = &[
    col("rank", "排名", "Rank", N),
    col("score", "匹配得分", "Score", Kind::Number(1)),
    col("category", "品类代码", "Category code", T),
    col("category_label", "品类", "Category", T),
    col("product_id", "产品编号", "Product ID", Id),
    col("product_name", "芯片产品", "Chip product", T),
    col("chip_uscc", "芯片企业统一社会信用代码", "Chip firm USCC", T),
    col("chip_firm", "芯片企业", "Chip firm", T),
    col("chip_city", "芯片企业地市", "Chip firm's city", T),
    col("maturity_label", "成熟度", "Maturity", T),
    col("need_id", "需求编号", "Need ID", Id),
    col("need_name", "终端需求", "Terminal need", T),
    col("terminal_uscc", "终端企业统一社会信用代码", "Terminal firm USCC", T),
    col("terminal_firm", "终端企业", "Terminal firm", T),
    col("terminal_city", "终端企业地市", "Terminal firm's city", T),
    col("needed_by", "需求时间", "Needed by", D),
    col("points_category", "品类得分", "Points: category", Kind::Number(1)),
    col("points_maturity", "成熟度得分", "Points: maturity", Kind::Number(1)),
    col("points_volume", "量级得分", "Points: volume", Kind::Number(1)),
    col("points_proximity", "地缘得分", "Points: proximity", Kind::Number(1)),
    col("points_cooperation", "合作得分", "Points: cooperation", Kind::Number(1)),
    col("points_substitution", "替代得分", "Points: substitution", Kind::Number(1)),
    col("meetings", "对接会次数", "Meetings", N),
    col("outcome", "对接结果代码", "Outcome code", T),
    col("outcome_label", "对接结果", "Outcome", T),
    col("synthetic", "示例数据", "Synthetic", T),
];

const INDICATOR_COLUMNS: &[Column] = &[
    col("plan_id", "计划编号", "Plan ID", Id),
    col("plan", "计划", "Plan", T),
    col("id", "指标编号", "Indicator ID", Id),
    col("item", "计划条目", "Plan item", T),
    col("name", "指标名称", "Indicator", T),
    col("unit", "单位", "Unit", T),
    col("direction", "方向", "Direction", T),
    col("frequency", "频次", "Frequency", T),
    col("baseline_period", "基期", "Baseline period", T),
    col("baseline_value", "基期值", "Baseline", Kind::Number(2)),
    col("target_cmp", "目标比较", "Target comparison", T),
    col("target_value", "目标值", "Target", Kind::Number(2)),
    col("target_value_max", "目标上限", "Target (upper)", Kind::Number(2)),
    col("target_year", "目标年份", "Target year", Id),
    col("latest_period", "最新期", "Latest period", T),
    col("latest_value", "最新值", "Latest value", Kind::Number(2)),
    col("status", "状态代码", "Status code", T),
    col("status_label", "状态", "Status", T),
    col("overridden", "人工认定", "Overridden", T),
    col("derived_from", "计算来源", "Computed from", T),
    col("method", "统计口径", "Method", T),
];

const OBSERVATION_COLUMNS: &[Column] = &[
    col("id", "编号", "ID", Id),
    col("plan_id", "计划编号", "Plan ID", Id),
    col("indicator_id", "指标编号", "Indicator ID", Id),
    col("indicator", "指标名称", "Indicator", T),
    col("unit", "单位", "Unit", T),
    col("period", "期别", "Period", T),
    col("region", "地区", "Region", T),
    col("value", "数值", "Value", Kind::Number(2)),
    col("source", "来源", "Source", T),
    col("entered_by", "录入人", "Entered by", T),
    col("entered_at", "录入时间", "Entered at", At),
];

const REPORT_COLUMNS: &[Column] = &[
    col("id", "编号", "ID", Id),
    col("plan_id", "计划编号", "Plan ID", Id),
    col("assignment_id", "任务编号", "Assignment ID", Id),
    col("item", "计划条目", "Plan item", T),
    col("item_title", "任务", "Task", T),
    col("agency", "责任单位", "Department", T),
    col("role", "牵头/配合", "Lead or co", T),
    col("period", "报送期", "Period", T),
    col("version", "版本", "Version", N),
    col("state", "审核状态代码", "Review state code", T),
    col("state_label", "审核状态", "Review state", T),
    col("status", "进展代码", "Progress code", T),
    col("status_label", "进展", "Progress", T),
    col("percent", "完成比例（%）", "Percent done", Kind::Number(1)),
    col("narrative", "进展情况", "Progress narrative", T),
    col("problems", "存在问题", "Problems", T),
    col("help_needed", "需协调事项", "Help needed", T),
    col("review_comment", "审核意见", "Review comment", T),
    col("created_by", "填报人", "Filed by", T),
    col("submitted_at", "提交时间", "Submitted at", At),
    col("reviewed_at", "审核时间", "Reviewed at", At),
];

const ENTERPRISE_COLUMNS: &[Column] = &[
    col("id", "编号", "ID", Id),
    col("uscc", "统一社会信用代码", "USCC", T),
    col("name", "企业名称", "Enterprise", T),
    col("city", "地市", "City", T),
    col("county", "县区", "County", T),
    col("industry", "行业代码", "Industry code", T),
    col("scale", "规模", "Scale", T),
    col("founded_year", "成立年份", "Founded", Id),
    col("listed", "上市", "Listed", T),
    col("chain_nodes", "产业链环节", "Chain nodes", T),
    col("tags", "标签", "Tags", T),
    col("figures_year", "数据年份", "Figures' year", Id),
];

const EVALUATION_COLUMNS: &[Column] = &[
    col("evaluation_id", "评价编号", "Evaluation ID", Id),
    col("year", "评价年份", "Year", Id),
    col("scheme", "评价方案", "Scheme", T),
    col("enterprise_id", "企业编号", "Enterprise ID", Id),
    col("uscc", "统一社会信用代码", "USCC", T),
    col("name", "企业名称", "Enterprise", T),
    col("city", "地市", "City", T),
    col("scale", "规模", "Scale", T),
    col("class", "评价类别", "Class", T),
    col("reason", "说明", "Reason", T),
    col("score", "得分", "Score", Kind::Number(2)),
    col("rank", "组内排名", "Rank in group", N),
    col("group_size", "组内企业数", "Firms in group", N),
];

/// The enterprise table's columns: the record, then each metric of the catalogue with its unit.
fn enterprise_columns() -> Vec<Column> {
    let mut out = ENTERPRISE_COLUMNS.to_vec();
    for m in METRICS {
        // The catalogue says a metric in running text ("revenue"); a header starts with a capital.
        let mut chars = m.en.chars();
        let en: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        let (zh, en) = if m.unit_zh.is_empty() {
            (m.zh.to_string(), en)
        } else {
            (format!("{}（{}）", m.zh, m.unit_zh), format!("{en} ({})", m.unit_en))
        };
        let kind = if m.flag {
            N
        } else if m.unit_zh == "万元" {
            W
        } else {
            Kind::Number(2)
        };
        out.push(Column::named(m.key, zh, en, kind));
    }
    out
}

fn text_list(v: &[String]) -> Cell {
    Cell::List(v.to_vec())
}

impl App {
    /// Exports a table into `sink`, as `who` may see it, and records the export in the audit trail. Returns
    /// the number of rows. An unknown table is refused naming the known ones; a user who may read none of a
    /// table's rows gets 403 before any row is read.
    pub async fn export(
        &self,
        who: Exporter<'_>,
        request: &ExportRequest,
        sink: &mut (dyn RowSink + Send),
    ) -> AppResult<u64> {
        let lang = request.lang;
        let mut out = Out { sink, rows: 0 };
        let table = request.table.as_str();
        match table {
            "indicators" => self.export_indicators(who, lang, &mut out).await?,
            "observations" => self.export_observations(who, &mut out).await?,
            "reports" => self.export_reports(who, lang, &mut out).await?,
            "enterprises" => self.export_enterprises(who, request.year, &mut out).await?,
            "evaluations" => self.export_evaluations(who, request.run, &mut out).await?,
            "projects" => {
                let views = match who {
                    Exporter::Operator => {
                        let rows = self.store.projects(&ProjectFilter::default()).await?;
                        self.project_views(rows, lang).await?
                    }
                    Exporter::User(s) => self.projects(s, &ProjectFilter::default(), lang).await?,
                };
                let rows = views.iter().map(to_json).collect::<AppResult<Vec<_>>>()?;
                out.json_rows(PROJECT_COLUMNS, rows)?;
            }
            "bases" => {
                let views = match who {
                    Exporter::Operator => self.base_views(lang).await?,
                    Exporter::User(s) => self.bases(s, lang).await?,
                };
                let rows = views.iter().map(to_json).collect::<AppResult<Vec<_>>>()?;
                out.json_rows(BASE_COLUMNS, rows)?;
            }
            "chains" => {
                if let Exporter::User(s) = who {
                    s.require(&Action::ReadChains)?;
                }
                out.json_rows(CHAIN_COLUMNS, self.chain_export_rows(lang).await?)?;
            }
            "challenges" => {
                // A user's are those the challenge list shows the user (drafts only to their managers).
                let visible: Option<Vec<i64>> = match who {
                    Exporter::Operator => None,
                    Exporter::User(s) => Some(self.challenges(s, lang).await?.iter().map(|c| c.id).collect()),
                };
                let rows = self
                    .challenge_rows_for_export()
                    .await?
                    .into_iter()
                    .filter(|(c, _)| visible.as_ref().is_none_or(|ids| ids.contains(&c.id)))
                    .map(|(c, applications)| {
                        json!({
                            "id": c.id,
                            "title": c.title,
                            "state": c.state.as_str(),
                            "state_label": c.state.label(lang),
                            "department": c.department,
                            "chain_node": c.chain_node,
                            "gap_rule": c.gap_rule,
                            "funding_wan": c.funding_wan,
                            "reward": c.reward,
                            "eligibility": c.eligibility,
                            "apply_by": c.apply_by.map(|d| d.to_string()),
                            "finish_by": c.finish_by.map(|d| d.to_string()),
                            "applications": applications,
                            "winner_id": c.winner_id,
                            "outcome_note": c.outcome_note,
                            "synthetic": c.synthetic,
                            "created_at": c.created_at,
                            "updated_at": c.updated_at,
                        })
                    });
                out.json_rows(CHALLENGE_COLUMNS, rows)?;
            }
            "matches" => {
                let filter = crate::matching::MatchFilter::default();
                let pairs = match who {
                    Exporter::Operator => self.ranked_pairs(&filter, lang, |_, _| true).await?,
                    Exporter::User(s) => self.match_pairs(s, &filter, lang).await?,
                };
                let mut rows = Vec::with_capacity(pairs.len());
                for p in pairs {
                    let mut v = to_json(&p)?;
                    if let Some(o) = v.as_object_mut() {
                        for c in &p.components {
                            o.insert(format!("points_{}", c.component), json!(c.points));
                        }
                    }
                    rows.push(v);
                }
                out.json_rows(MATCH_COLUMNS, rows)?;
            }
            other => {
                if let Exporter::User(s) = who {
                    // Nothing to say to a caller who may read nothing at all.
                    s.unrestricted()?;
                }
                return Err(AppError::new(
                    Code::InvalidArgument,
                    format!("不能导出表“{other}”，可选：{}", EXPORT_TABLES.join("、")),
                    format!("the table “{other}” cannot be exported; one of: {}", EXPORT_TABLES.join(", ")),
                ));
            }
        }
        let rows = out.rows;
        let (actor, scope) = match who {
            Exporter::Operator => (Actor::system("cli"), "all"),
            Exporter::User(s) => (s.actor(&request.ip), "user"),
        };
        let detail = json!({
            "table": table,
            "format": request.format.as_str(),
            "rows": rows,
            "scope": scope,
            "run": request.run,
            "year": request.year,
        });
        self.store.audit_event(&actor, AuditAction::DataExport, "export", table, true, &detail).await?;
        Ok(rows)
    }

    async fn export_indicators(&self, who: Exporter<'_>, lang: Lang, out: &mut Out<'_>) -> AppResult<()> {
        if let Exporter::User(s) = who {
            s.require(&Action::ReadPlan)?;
        }
        out.begin(INDICATOR_COLUMNS)?;
        let snap = self.snapshot().await?;
        for p in &snap.plans {
            for iv in &p.indicators {
                let r = &iv.row;
                let v = json!({
                    "plan_id": p.plan.id,
                    "plan": p.plan.name,
                    "id": r.id,
                    "item": r.item,
                    "name": r.name,
                    "unit": r.unit,
                    "direction": r.direction,
                    "frequency": r.frequency,
                    "baseline_period": r.baseline_period,
                    "baseline_value": r.baseline_value,
                    "target_cmp": r.target_cmp,
                    "target_value": r.target_value,
                    "target_value_max": r.target_value_max,
                    "target_year": r.target_year,
                    "latest_period": iv.latest.as_ref().map(|l| l.period.to_string()),
                    "latest_value": iv.latest.as_ref().map(|l| l.value),
                    "status": iv.status.as_str(),
                    "status_label": iv.status.label(lang),
                    "overridden": iv.overridden,
                    "derived_from": r.derived_from,
                    "method": r.method,
                });
                let cells: Vec<Cell> = INDICATOR_COLUMNS.iter().map(|c| json_cell(v.get(c.key), c.kind)).collect();
                out.row(&cells)?;
            }
        }
        Ok(())
    }

    /// The current values of every indicator, read a page at a time.
    async fn export_observations(&self, who: Exporter<'_>, out: &mut Out<'_>) -> AppResult<()> {
        if let Exporter::User(s) = who {
            s.require(&Action::ReadPlan)?;
        }
        out.begin(OBSERVATION_COLUMNS)?;
        let mut indicators: HashMap<i64, (i64, String, String)> = HashMap::new();
        for p in self.store.plans().await? {
            for i in self.store.indicators(p.id).await? {
                indicators.insert(i.id, (p.id, i.name, i.unit));
            }
        }
        let mut after = 0;
        loop {
            let page = self.store.current_observations_after(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for o in &page {
                let (plan_id, name, unit) = match indicators.get(&o.indicator_id) {
                    Some((p, n, u)) => (Cell::Int(*p), Cell::text(n.as_str()), Cell::text(u.as_str())),
                    None => (Cell::Empty, Cell::Empty, Cell::Empty),
                };
                let region = if o.region.is_empty() { Cell::Empty } else { Cell::text(o.region.as_str()) };
                out.row(&[
                    Cell::Int(o.id),
                    plan_id,
                    Cell::Int(o.indicator_id),
                    name,
                    unit,
                    Cell::text(o.period.as_str()),
                    region,
                    Cell::Num(o.value),
                    Cell::text(o.source.as_str()),
                    Cell::opt_text(o.entered_by_name.clone()),
                    Cell::Time(o.entered_at),
                ])?;
            }
        }
        Ok(())
    }

    /// The current version of each report of every plan, with its assignment.
    async fn export_reports(&self, who: Exporter<'_>, lang: Lang, out: &mut Out<'_>) -> AppResult<()> {
        if let Exporter::User(s) = who {
            s.require(&Action::ReadPlan)?;
        }
        out.begin(REPORT_COLUMNS)?;
        for p in self.store.plans().await? {
            let assignments: HashMap<i64, jiqun_store::AssignmentRow> =
                self.store.assignments(Some(p.id), None).await?.into_iter().map(|a| (a.id, a)).collect();
            for r in self.store.reports(p.id, true).await? {
                let a = assignments.get(&r.assignment_id);
                out.row(&[
                    Cell::Int(r.id),
                    Cell::Int(p.id),
                    Cell::Int(r.assignment_id),
                    Cell::opt_text(a.map(|a| a.item.clone())),
                    Cell::opt_text(a.map(|a| a.item_title.clone())),
                    Cell::opt_text(a.map(|a| a.agency.as_str().to_string())),
                    Cell::opt_text(a.map(|a| a.role.clone())),
                    Cell::text(r.period.as_str()),
                    Cell::Int(r.version),
                    Cell::text(r.state.as_str()),
                    Cell::text(r.state.label(lang)),
                    Cell::text(r.status.as_str()),
                    Cell::text(r.status.label(lang)),
                    Cell::Num(r.percent),
                    Cell::text(r.narrative.as_str()),
                    Cell::text(r.problems.as_str()),
                    Cell::text(r.help_needed.as_str()),
                    Cell::opt_text(r.review_comment.clone()),
                    Cell::opt_text(r.created_by_name.clone()),
                    r.submitted_at.map_or(Cell::Empty, Cell::Time),
                    r.reviewed_at.map_or(Cell::Empty, Cell::Time),
                ])?;
            }
        }
        Ok(())
    }

    /// The directory as the reader may list it (the directory's own use case, a page at a time), each firm
    /// with its figures of the year where the reader may read them.
    async fn export_enterprises(&self, who: Exporter<'_>, year: Option<i64>, out: &mut Out<'_>) -> AppResult<()> {
        let reader = self.registry_reader(who).await?;
        let year = match year {
            Some(y) => Some(y),
            None => self.store.figure_years().await?.into_iter().next(),
        };
        let columns = enterprise_columns();
        out.begin(&columns)?;
        let mut offset = 0;
        loop {
            let page: Vec<EnterpriseRow> = match who {
                Exporter::Operator => self.store.enterprises(&EnterpriseFilter::default(), offset, PAGE).await?.0,
                Exporter::User(s) => self.enterprises(s, EnterpriseFilter::default(), offset, PAGE).await?.0,
            };
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            let readable: Vec<i64> = page.iter().filter(|e| reader.reads_figures(e)).map(|e| e.id).collect();
            let mut figures: HashMap<(i64, &str), f64> = HashMap::new();
            if let Some(y) = year {
                // Oldest set first within a firm: a newer value replaces an older one.
                for set in self.store.current_figures_of(&readable, y).await? {
                    for (metric, value) in self.open_set(&set)? {
                        if let Some(m) = METRICS.iter().find(|m| m.key == metric) {
                            figures.insert((set.enterprise_id, m.key), value);
                        }
                    }
                }
            }
            for e in &page {
                let mut cells = vec![
                    Cell::Int(e.id),
                    Cell::text(e.uscc.as_str()),
                    Cell::text(e.name.as_str()),
                    Cell::text(e.city.as_str()),
                    Cell::text(e.county.as_str()),
                    Cell::text(e.industry.as_str()),
                    Cell::text(e.scale.as_str()),
                    Cell::Int(e.founded_year),
                    Cell::Bool(e.listed),
                    text_list(&e.chain_nodes),
                    text_list(&e.tags),
                    if readable.contains(&e.id) { Cell::opt_int(year) } else { Cell::Empty },
                ];
                for m in METRICS {
                    cells.push(Cell::opt_num(figures.get(&(e.id, m.key)).copied()));
                }
                out.row(&cells)?;
            }
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        Ok(())
    }

    /// One run's results, a page at a time, as the registry's read rule shows them: the class to every
    /// reader of the firm, score and rank only to readers of its figures.
    async fn export_evaluations(&self, who: Exporter<'_>, run: Option<i64>, out: &mut Out<'_>) -> AppResult<()> {
        let reader = self.registry_reader(who).await?;
        out.begin(EVALUATION_COLUMNS)?;
        let evaluation = match run {
            Some(id) => Some(self.evaluation(id).await?),
            None => self.store.evaluations().await?.into_iter().max_by_key(|r| (r.year, r.id)),
        };
        let Some(evaluation) = evaluation else { return Ok(()) };
        let mut after = 0;
        loop {
            let page = self.store.evaluation_results_after(evaluation.id, after, PAGE).await?;
            let Some((last, _)) = page.last() else { break };
            after = *last;
            let results: Vec<_> = page.into_iter().map(|(_, r)| r).collect();
            for (e, v) in self.readable_results(&reader, &results, false).await? {
                out.row(&[
                    Cell::Int(evaluation.id),
                    Cell::Int(evaluation.year),
                    Cell::text(evaluation.scheme_name.as_str()),
                    Cell::Int(e.id),
                    Cell::text(e.uscc.as_str()),
                    Cell::text(e.name.as_str()),
                    Cell::text(v.city.as_str()),
                    Cell::text(v.scale.as_str()),
                    Cell::text(v.class.as_str()),
                    Cell::text(v.reason.as_str()),
                    Cell::opt_num(v.score),
                    Cell::opt_int(v.rank),
                    Cell::Int(v.group_size),
                ])?;
            }
        }
        Ok(())
    }
}
