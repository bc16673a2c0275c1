//! Pieces every page uses: the session check, the frame, value and date formatting, status badges, labels,
//! links, and the CSV and JSON answers of `?format=csv` and `?format=json`.

use jiqun_domain::plan::Cmp;
use jiqun_domain::report::{ReportStatus, ReviewState};
use std::fmt::Write as _;
use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jiqun_app::snapshot::{IndicatorView, PlanView, Snapshot};
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::period::Period;
use jiqun_domain::{Lang, RegionModel};
use jiqun_eval::definition::Text;
use jiqun_eval::progress::{Method, Status};
use maud::{Markup, html};
use serde_json::Value;

use super::layout::{self, Frame};
use crate::ctx::Ctx;
use crate::error::{PageError, PageResult};

/// The region model, parsed once.
pub fn regions() -> &'static RegionModel {
    static R: OnceLock<RegionModel> = OnceLock::new();
    R.get_or_init(RegionModel::guangdong)
}

/// The built-in agency registry, read once.
pub fn agencies() -> &'static jiqun_domain::AgencyRegistry {
    static A: OnceLock<jiqun_domain::AgencyRegistry> = OnceLock::new();
    A.get_or_init(jiqun_domain::AgencyRegistry::guangdong)
}

/// The session of a user who may read the plans; 401 (to the login page) without one, 403 otherwise.
pub fn reader(ctx: &Ctx) -> PageResult<&Session> {
    ctx.page_user_for(&Action::ReadPlan)
}

/// The statuses of an indicator's progress in the order pages show them, best first.
pub const STATUSES: [Status; 7] = [
    Status::Achieved,
    Status::OnTrack,
    Status::NeedsAcceleration,
    Status::Limited,
    Status::MovingAway,
    Status::Missed,
    Status::Insufficient,
];

pub fn can(s: &Session, a: &Action) -> bool {
    s.can(a)
}

pub fn not_found(lang: Lang, zh: String, en: String) -> PageError {
    PageError(AppError::not_found(zh, en), lang)
}

/// The plan a page shows: `?plan=ID` when given, else the current one.
pub fn plan_of<'a>(ctx: &Ctx, snap: &'a Snapshot, id: Option<i64>) -> PageResult<&'a std::sync::Arc<PlanView>> {
    match id {
        Some(id) => {
            snap.plan(id).ok_or_else(|| not_found(ctx.lang, format!("计划 {id} 不存在"), format!("no plan {id}")))
        }
        None => snap
            .current_plan()
            .ok_or_else(|| not_found(ctx.lang, "尚未导入任何行动计划".into(), "no plan has been imported yet".into())),
    }
}

/// A column of a table: its header in both languages, and whether it holds numbers (aligned right).
pub struct Col {
    zh: &'static str,
    en: &'static str,
    num: bool,
}

pub const fn col(zh: &'static str, en: &'static str) -> Col {
    Col { zh, en, num: false }
}

pub const fn num_col(zh: &'static str, en: &'static str) -> Col {
    Col { zh, en, num: true }
}

/// A table's head: one row with the columns' headers.
pub fn head(lang: Lang, cols: &[Col]) -> Markup {
    html! { thead { tr { (self::cols(lang, cols)) } } }
}

/// Column headers, for a head that has other cells too (a column shown only to some readers, one per
/// period).
pub fn cols(lang: Lang, cols: &[Col]) -> Markup {
    html! {
        @for c in cols {
            @if c.num { th.num scope="col" { (lang.pick(c.zh, c.en)) } } @else { th scope="col" { (lang.pick(c.zh, c.en)) } }
        }
    }
}

/// A data table that scrolls sideways on a narrow screen: its classes besides `data` (`compact`, `matrix`, or
/// none), its caption, the cells of its head row, and its body's rows.
pub fn table(class: &str, caption: Markup, head: Markup, body: Markup) -> Markup {
    let class = if class.is_empty() { String::from("data") } else { format!("data {class}") };
    html! {
        div.scroll {
            table class=(class) {
                caption { (caption) }
                thead { tr { (head) } }
                tbody { (body) }
            }
        }
    }
}

/// The status of a page shown again with a form's error: the error's own (422 for invalid input), else 200.
pub fn form_status(error: Option<&AppError>) -> StatusCode {
    error.map_or(StatusCode::OK, |e| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY))
}

/// Errors after which a form is not shown again but answered as the error page: the user may not act.
pub const REFUSED: &[u16] = &[403];
/// The same, or the record the form acts on is not there (any more).
pub const REFUSED_OR_GONE: &[u16] = &[403, 404];
/// Only a record that is not there.
pub const GONE: &[u16] = &[404];

/// What a form's post answers once its use case has run: on success a redirect to the page `done` names; an
/// error whose status is one of `refused` as the error page; any other error, the form's page shown again with
/// it (`again`).
pub async fn after_post<F>(
    lang: Lang,
    done: Result<String, AppError>,
    refused: &[u16],
    again: impl FnOnce(AppError) -> F,
) -> PageResult<Response>
where
    F: std::future::Future<Output = PageResult<Response>>,
{
    match done {
        Ok(to) => Ok(axum::response::Redirect::to(&to).into_response()),
        Err(e) if refused.contains(&e.status()) => Err(PageError(e, lang)),
        Err(e) => again(e).await,
    }
}

/// Renders a page in the frame.
pub fn page(ctx: &Ctx, s: &Session, synthetic: bool, title: &str, body: Markup) -> Response {
    page_status(ctx, s, synthetic, StatusCode::OK, title, body)
}

pub fn page_status(ctx: &Ctx, s: &Session, synthetic: bool, status: StatusCode, title: &str, body: Markup) -> Response {
    let here = if ctx.query.is_empty() { ctx.path.clone() } else { format!("{}?{}", ctx.path, ctx.query) };
    let f = Frame { lang: ctx.lang, session: s, here: &here, synthetic };
    (status, Html(layout::page(&f, title, body).into_string())).into_response()
}

/// Which export the request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Csv,
    Json,
}

/// A table exported for the session's user as a file to download (`/api/v1/exports/{table}`, and the pages'
/// own CSV links): the application's export into a buffer, answered with the format's media type and a file
/// name of the table and the day.
pub async fn export_download(
    ctx: &Ctx,
    session: &jiqun_app::Session,
    table: &str,
    format: jiqun_app::export::TableFormat,
    run: Option<i64>,
    year: Option<i64>,
) -> Result<Response, jiqun_app::AppError> {
    use jiqun_app::export::{ExportRequest, Exporter, TableWriter, sink_error};
    let request = ExportRequest { run, year, ip: ctx.ip.clone(), ..ExportRequest::new(table, format, ctx.lang) };
    let mut sink = TableWriter::new(format, ctx.lang, table, Vec::new()).map_err(sink_error)?;
    ctx.app.export(Exporter::User(session), &request, &mut sink).await?;
    let (bytes, _) = sink.finish().map_err(sink_error)?;
    let mut r = axum::body::Body::from(bytes).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let file = jiqun_app::export::export_file_name(table, format);
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", ascii_name(&file))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// The "导出 Excel" / "导出 CSV" links of a page that shows a table: its export for the page's reader.
pub fn export_buttons(lang: Lang, table: &str, extra_query: &str) -> Markup {
    let href = |format: &str| format!("/api/v1/exports/{table}?format={format}{extra_query}");
    html! {
        p.buttons.export {
            a.button.small href=(href("xlsx")) download { (lang.pick("导出 Excel", "Export Excel")) }
            a.button.small href=(href("csv")) download { (lang.pick("导出 CSV", "Export CSV")) }
        }
    }
}

pub fn export(ctx: &Ctx) -> Option<Export> {
    if ctx.wants("csv") {
        Some(Export::Csv)
    } else if ctx.wants("json") {
        Some(Export::Json)
    } else {
        None
    }
}

/// A column of a list's CSV export: its header, and how an item's cell is written.
pub type CsvColumn<T> = (&'static str, fn(&T) -> String);

/// The exports of a page that lists items, when the request asks for one: `?format=json` gives the items
/// under `items` (the page named `page`), `?format=csv` a row per item in `columns` (the file named `file`).
pub fn list_export<T: serde::Serialize>(
    ctx: &Ctx,
    synthetic: bool,
    (page, file): (&str, &str),
    items: &[T],
    columns: &[CsvColumn<T>],
) -> Option<Response> {
    match export(ctx)? {
        Export::Json => Some(json(synthetic, page, serde_json::json!({ "items": items }))),
        Export::Csv => Some(Csv::of(columns, items).respond(file, synthetic)),
    }
}

/// A column of a CSV said in the reader's language: its header `(zh, en)`, and how an item's cell is written
/// in that language.
pub type SaidColumn<T> = ((&'static str, &'static str), fn(&T, Lang) -> String);

/// A yes-or-no cell of a CSV export: `1` or `0`.
pub fn flag(v: bool) -> String {
    String::from(if v { "1" } else { "0" })
}

/// A CSV table: UTF-8 with a byte-order mark (so Excel reads Chinese), a header row, CRLF line ends.
pub struct Csv {
    out: String,
}

impl Csv {
    pub fn new(headers: &[&str]) -> Csv {
        let mut c = Csv { out: String::from("\u{feff}") };
        c.row(headers.iter().copied());
        c
    }

    /// A CSV of `items`, a column each of `columns`.
    pub fn of<'a, T: 'a>(columns: &[CsvColumn<T>], items: impl IntoIterator<Item = &'a T>) -> Csv {
        let mut csv = Csv::new(&columns.iter().map(|(header, _)| *header).collect::<Vec<_>>());
        for item in items {
            csv.row(columns.iter().map(|(_, cell)| cell(item)));
        }
        csv
    }

    /// A CSV of `items` in the reader's language, a column each of `columns`.
    pub fn said<'a, T: 'a>(lang: Lang, columns: &[SaidColumn<T>], items: impl IntoIterator<Item = &'a T>) -> Csv {
        let mut csv = Csv::new(&columns.iter().map(|((zh, en), _)| lang.pick(zh, en)).collect::<Vec<_>>());
        for item in items {
            csv.row(columns.iter().map(|(_, cell)| cell(item, lang)));
        }
        csv
    }

    /// A CSV whose headers are said in the request's language: each `(zh, en)`.
    pub fn translated(lang: Lang, headers: &[(&str, &str)]) -> Csv {
        Csv::new(&headers.iter().map(|(zh, en)| lang.pick(zh, en)).collect::<Vec<_>>())
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_csv_cell(&mut self.out, cell.as_ref());
        }
        self.out.push_str("\r\n");
    }

    pub fn text(&self) -> &str {
        &self.out
    }

    pub fn respond(self, name: &str, synthetic: bool) -> Response {
        let file = if synthetic { format!("{name}-synthetic.csv") } else { format!("{name}.csv") };
        let mut r = self.out.into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", ascii_name(&file))) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        r
    }
}

fn push_csv_cell(out: &mut String, cell: &str) {
    // One rule for every CSV the system writes (the exports' too): quoted where needed, a cell Excel would
    // read as a formula prefixed with an apostrophe (numbers stay numbers).
    jiqun_app::export::push_csv_cell(out, cell);
}

/// A name safe in a quoted header parameter.
fn ascii_name(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

/// A JSON answer; every export says whether the data are the synthetic demo set.
pub fn json(synthetic: bool, page: &str, v: Value) -> Response {
    json_response(json_body(synthetic, page, v).into())
}

/// The bytes `json` answers with.
pub fn json_body(synthetic: bool, page: &str, mut v: Value) -> Vec<u8> {
    if let Value::Object(m) = &mut v {
        m.insert("page".into(), Value::from(page));
        m.insert("synthetic".into(), Value::from(synthetic));
    }
    v.to_string().into_bytes()
}

/// A page's JSON export (`json_body`, or a cached copy of it) as the response.
pub fn json_response(body: std::sync::Arc<Vec<u8>>) -> Response {
    let mut r = axum::body::Body::from(axum::body::Bytes::from_owner(crate::kit::api::ArcBytes(body))).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    r
}

/// The separator of a list of names: 、 in Chinese, a comma in English.
pub fn sep(lang: Lang) -> &'static str {
    lang.pick("、", ", ")
}

/// A colon after a label: full width in Chinese.
pub fn colon(lang: Lang) -> &'static str {
    lang.pick("：", ": ")
}

/// Parentheses around a note: full width in Chinese.
pub fn paren(lang: Lang, inner: &str) -> String {
    match lang {
        Lang::Zh => format!("（{inner}）"),
        Lang::En => format!(" ({inner})"),
    }
}

/// Percent-encodes a path segment or query value (everything but unreserved ASCII).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A value as officials write it, by its unit: 7万亿元, 1.8万亿元, 4.7%, 3个 (`jiqun_domain::units`; the
/// exact value is in the API).
pub fn human(v: f64, unit: &str) -> String {
    jiqun_domain::units::figure(v, unit)
}

/// The number of `human` without the unit: the lower end of a range (3–5个, 1.5万亿–2万亿元).
pub fn human_number(v: f64, unit: &str) -> String {
    jiqun_domain::units::figure_number(v, unit)
}

/// A number with at most `digits` decimals (0 to 6), trailing zeros dropped.
pub fn num(v: f64, digits: usize) -> String {
    let mut s = String::with_capacity(16);
    jiqun_domain::units::push_decimal(&mut s, v, digits);
    s
}

pub fn pct(v: f64) -> String {
    format!("{}%", num(v * 100.0, 1))
}

/// `YYYY-MM-DD HH:MM` in China Standard Time (UTC+8) from milliseconds since the epoch.
pub fn datetime(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = jiqun_app::snapshot::civil(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", rem / 3600, rem % 3600 / 60)
}

pub fn opt_datetime(ms: Option<i64>) -> String {
    ms.map(datetime).unwrap_or_default()
}

/// A reporting period as people read it: 2025年二季度 / 2025 Q2.
pub fn period_label(p: &str, lang: Lang) -> String {
    match Period::parse(p) {
        Ok(period) => period_text(period, lang),
        Err(_) => p.to_string(),
    }
}

pub fn period_text(p: Period, lang: Lang) -> String {
    match (p, lang) {
        (Period::Year(y), Lang::Zh) => format!("{y}年"),
        (Period::Year(y), Lang::En) => y.to_string(),
        (Period::Quarter(y, q), Lang::Zh) => {
            format!("{y}年{}季度", ["一", "二", "三", "四"][usize::from(q.clamp(1, 4) - 1)])
        }
        (Period::Quarter(y, q), Lang::En) => format!("{y} Q{q}"),
        (Period::Month(y, m), Lang::Zh) => format!("{y}年{m}月"),
        (Period::Month(y, m), Lang::En) => format!("{y}-{m:02}"),
    }
}

/// The status colour class: green, amber, orange, red or grey.
pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Achieved => "st-achieved",
        Status::OnTrack => "st-ontrack",
        Status::NeedsAcceleration => "st-accel",
        Status::Limited => "st-limited",
        Status::MovingAway | Status::Missed => "st-bad",
        Status::Insufficient => "st-none",
    }
}

/// A shape beside the label, so that the status does not rest on colour alone.
fn status_icon(s: Status) -> &'static str {
    match s {
        Status::Achieved => "✔",
        Status::OnTrack => "●",
        Status::NeedsAcceleration => "▲",
        Status::Limited => "◆",
        Status::MovingAway => "↘",
        Status::Missed => "✖",
        Status::Insufficient => "○",
    }
}

pub fn badge(s: Status, lang: Lang) -> Markup {
    html! { span.badge.(status_class(s)) { span.icon aria-hidden="true" { (status_icon(s)) } " " (s.label(lang)) } }
}

pub fn method_label(m: Method, lang: Lang) -> &'static str {
    match m {
        Method::Growth => lang.pick("增速比（复合年均增长率）", "growth ratio (CAGR)"),
        Method::LinearRate => lang.pick("增速比（线性年增量）", "growth ratio (linear change per year)"),
        Method::Linear => lang.pick("线性完成度（数量类）", "linear achievement (counts)"),
    }
}

pub fn method_code_label(m: &str, lang: Lang) -> &'static str {
    match m {
        "linear" => lang.pick("线性完成度", "linear achievement"),
        _ => lang.pick("增速比", "growth ratio"),
    }
}

pub fn frequency_label(f: &str, lang: Lang) -> &'static str {
    match f {
        "quarterly" => lang.pick("季度", "quarterly"),
        "monthly" => lang.pick("月度", "monthly"),
        _ => lang.pick("年度", "annual"),
    }
}

pub fn role_label(r: &str, lang: Lang) -> &'static str {
    match r {
        "lead" => lang.pick("牵头", "lead"),
        _ => lang.pick("负责", "co-responsible"),
    }
}

pub fn report_state_label(s: &ReviewState, lang: Lang) -> &'static str {
    s.label(lang)
}

pub fn report_status_label(s: &ReportStatus, lang: Lang) -> &'static str {
    s.label(lang)
}

pub fn state_chip(state: &ReviewState, lang: Lang) -> Markup {
    let class = match state {
        ReviewState::Draft => "rs-draft",
        ReviewState::Submitted => "rs-submitted",
        ReviewState::Returned => "rs-returned",
        ReviewState::Accepted => "rs-accepted",
    };
    html! { span.chip.(class) { (state.label(lang)) } }
}

/// The comparator in words: 超过 7万亿元, at least 6%.
pub fn target_text(iv: &IndicatorView, lang: Lang) -> String {
    let r = &iv.row;
    let v = human(r.target_value, &r.unit);
    let (zh, en) = match r.target_cmp {
        Cmp::Gt => ("超过", "over"),
        Cmp::Ge => ("不少于", "at least"),
        Cmp::Le => ("不超过", "at most"),
        Cmp::Lt => ("低于", "under"),
        Cmp::Range => ("", ""),
        Cmp::Eq => ("达到", "reach"),
    };
    if r.target_cmp == Cmp::Range {
        let max = r.target_value_max.map(|m| human(m, &r.unit)).unwrap_or_default();
        return format!("{}–{max}", human_number(r.target_value, &r.unit));
    }
    match lang {
        Lang::Zh => format!("{zh}{v}"),
        Lang::En => format!("{en} {v}"),
    }
}

/// Share of the target reached by the latest value, 0 to 1 (more than 1 when exceeded).
pub fn share_of_target(iv: &IndicatorView) -> Option<f64> {
    let l = iv.latest?.value;
    let t = iv.row.target_value;
    match iv.row.target_cmp.as_str() {
        "<=" | "<" => {
            if l <= t {
                Some(1.0)
            } else if l > 0.0 {
                Some(t / l)
            } else {
                None
            }
        }
        _ if t > 0.0 => Some(l / t),
        _ => None,
    }
}

/// A horizontal bar for a share (0..1), coloured like the status, with the number beside it.
pub fn bar(share: Option<f64>, s: Status, lang: Lang) -> Markup {
    match share {
        Some(v) => {
            let w = (v.clamp(0.0, 1.0) * 100.0).round();
            html! {
                span.meter {
                    svg.bar viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false" {
                        rect.track x="0" y="0" width="100" height="10" {}
                        rect.fill.(status_class(s)) x="0" y="0" width=(w) height="10" {}
                    }
                    span.num { (pct(v)) }
                }
            }
        }
        None => html! { span.muted { (lang.pick("—", "—")) } },
    }
}

/// The name of an indicator, as a link.
pub fn indicator_link(iv: &IndicatorView) -> Markup {
    html! { a href={ "/indicators/" (iv.row.id) } { (iv.row.name) } }
}

pub fn agency_link(name: &str) -> Markup {
    html! { a href={ "/agencies/" (enc(name)) } { (name) } }
}

pub fn city_link(name: &str) -> Markup {
    html! { a href={ "/cities/" (enc(name)) } { (name) } }
}

/// A hidden CSRF field for a form.
pub fn csrf(s: &Session) -> Markup {
    html! { input type="hidden" name="csrf" value=(s.csrf); }
}

/// Links to the page's data as CSV and JSON.
pub fn downloads(ctx: &Ctx, lang: Lang) -> Markup {
    let mut base = String::from(&ctx.path);
    let kept: Vec<&str> = ctx
        .query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("format=") && !kv.starts_with("lang="))
        .collect();
    base.push('?');
    for kv in &kept {
        base.push_str(kv);
        base.push('&');
    }
    html! {
        p.downloads {
            (lang.pick("下载本页数据：", "This page's data: "))
            a href={ (base) "format=csv" } download { "CSV" }
            " · "
            a href={ (base) "format=json" } { "JSON" }
        }
    }
}

/// An error box for a form that was refused, with the fields named.
pub fn form_error(e: &AppError, lang: Lang) -> Markup {
    html! {
        div.form-error role="alert" tabindex="-1" #form-error {
            p { strong { (e.message(lang)) } }
            @let details = e.details(lang);
            @if !details.is_empty() {
                ul { @for d in &details { li { (field_label(&d.field, lang)) (colon(lang)) (d.message) } } }
            }
        }
    }
}

fn field_label(f: &str, lang: Lang) -> String {
    let (zh, en) = match f {
        "period" => ("期别", "period"),
        "value" => ("数值", "value"),
        "region" => ("地区", "region"),
        "source" => ("来源", "source"),
        "status" => ("状态", "status"),
        "percent" => ("完成比例", "percent"),
        "narrative" => ("工作进展", "progress"),
        "problems" => ("存在问题", "problems"),
        "help_needed" => ("需协调事项", "help needed"),
        "comment" => ("意见", "comment"),
        "reason" => ("理由", "reason"),
        "deadline" => ("截止日期", "deadline"),
        "username" => ("用户名", "username"),
        "password" => ("密码", "password"),
        "role" => ("角色", "role"),
        "agency" => ("部门", "department"),
        "city" => ("城市", "city"),
        "document" => ("文件", "document"),
        "baseline_period" => ("基期", "baseline period"),
        "baseline_value" => ("基期值", "baseline value"),
        "target_value" => ("目标值", "target value"),
        "target_value_max" => ("目标上限", "target upper bound"),
        "target_year" => ("目标年份", "target year"),
        "target_cmp" => ("比较方式", "comparator"),
        "frequency" => ("频率", "frequency"),
        "method" => ("方法", "method"),
        _ => return f.to_string(),
    };
    lang.pick(zh, en).to_string()
}

/// Reads an amount as people write it: `7.2万亿`, `7200亿元`, `7,200,000,000,000`, `5.8%`.
pub fn parse_amount(s: &str, unit: &str) -> Option<f64> {
    let mut t: String = s.trim().chars().filter(|c| !matches!(c, ',' | '，' | ' ' | '_')).collect();
    if !unit.is_empty() && t.ends_with(unit) {
        t.truncate(t.len() - unit.len());
    }
    if t.ends_with('%') {
        t.pop();
    }
    let mut mult = 1.0;
    for (suffix, m) in [("万亿", 1e12), ("亿", 1e8), ("万", 1e4)] {
        if let Some(rest) = t.strip_suffix(suffix) {
            mult = m;
            t = rest.to_string();
            break;
        }
    }
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v * mult)
}

/// A definition's text (a library's, a scheme's, an admission table's) in the page's language.
pub fn text(t: &Text, lang: Lang) -> &str {
    t.get(lang)
}

/// The banner over Jiqun's example values (confidence X), which are not official and say so.
pub fn example_banner(lang: Lang, zh: &str, en: &str) -> Markup {
    html! { p.example role="note" { strong { (lang.pick("示例值 (example)", "Example values")) } " — " (lang.pick(zh, en)) } }
}

// ---- uploads and downloads of files (report evidence, challenge applications) ----

/// A file name as stored: the last path component, without control characters, at most 200 characters.
pub fn clean_upload_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).take(200).collect();
    let s = s.trim().to_string();
    if s.is_empty() { "attachment".into() } else { s }
}

/// A content type as stored: `type/subtype` from the header when it looks like one.
pub fn clean_upload_type(headers: &axum::http::HeaderMap) -> String {
    let v = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let v = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let ok = v.len() <= 100
        && v.split_once('/').is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && (a.chars().chain(b.chars())).all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
        });
    if ok { v } else { "application/octet-stream".into() }
}

/// Types a browser may show inline-safe as a download; everything else is `application/octet-stream`.
const SAFE_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// A stored file as a download: a safe type or `application/octet-stream`, never rendered in the site's
/// origin, its name in ASCII and in UTF-8.
pub fn download(filename: &str, content_type: &str, data: Vec<u8>) -> Response {
    let kind = if SAFE_TYPES.contains(&content_type) { content_type } else { "application/octet-stream" };
    let mut r = data.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(kind).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disp = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    if let Ok(v) = HeaderValue::from_str(&disp) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_china_time() {
        assert_eq!(datetime(0), "1970-01-01 08:00");
        // 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Beijing.
        assert_eq!(datetime(1_767_198_600_000), "2026-01-01 00:30");
    }

    #[test]
    fn values_are_written_by_their_unit() {
        assert_eq!(human(4.7412, "%"), "4.7%");
        assert_eq!(human(7.2e12, "元"), "7.2万亿元");
        assert_eq!(human(3.0, "个"), "3个");
        assert_eq!(human(5.0, "个"), jiqun_compiler::markdown::human_value(5.0, "个"), "the CLI writes the same");
        assert_eq!(num(0.9345, 1), "0.9");
        assert_eq!(num(100.0, 1), "100");
        assert_eq!(num(-0.04, 1), "0");
        assert_eq!(pct(0.66666), "66.7%");
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("7.2万亿", "元"), Some(7.2e12));
        assert_eq!(parse_amount("7200亿元", "元"), Some(7.2e11));
        assert_eq!(parse_amount("7,200", "元"), Some(7200.0));
        assert_eq!(parse_amount("6.5%", "%"), Some(6.5));
        assert_eq!(parse_amount("abc", "元"), None);
        assert_eq!(parse_amount("", "元"), None);
    }

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        let mut c = Csv::new(&["a", "b"]);
        c.row(["x,y", "=1+1"]);
        c.row(["-3.5", "say \"hi\""]);
        assert_eq!(c.text(), "\u{feff}a,b\r\n\"x,y\",\"'=1+1\"\r\n-3.5,\"say \"\"hi\"\"\"\r\n");
    }

    #[test]
    fn periods_read_naturally() {
        assert_eq!(period_label("2025Q2", Lang::Zh), "2025年二季度");
        assert_eq!(period_label("2025", Lang::En), "2025");
        assert_eq!(enc("省科技厅 a/b"), "%E7%9C%81%E7%A7%91%E6%8A%80%E5%8E%85%20a%2Fb");
    }
}
