//! The progress bulletin (督办通报) as a printable HTML document of its own: A4 pages, official headings, the
//! tables repeating their heads across pages (print CSS in `app.css`, `body.bulletin`). `/plans/{id}/bulletin`
//! shows it; `jiqun report --format html` writes the same document to a file.

use axum::response::{Html, IntoResponse, Response};
use jiqun_app::AppError;
use jiqun_app::bulletin::Bulletin;
use jiqun_domain::Lang;
use jiqun_domain::report::ReviewState;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use crate::ctx::Ctx;
use crate::error::{ApiResult, PageResult, WithLang};
use crate::extract::Path;
use crate::kit::ui;

/// How a department's report for the period stands, as the bulletin says it.
fn state_text(state: Option<ReviewState>, lang: Lang) -> &'static str {
    match state {
        None => lang.pick("未报送", "missing"),
        Some(s) => s.label(lang),
    }
}

/// The bulletin as a whole HTML document. Served, it links the site's style sheet; `standalone` (a file
/// written by `jiqun report`) carries the style sheet inside, so that it prints the same anywhere.
pub fn document(b: &Bulletin, lang: Lang, standalone: bool) -> String {
    let t = |zh, en| lang.pick(zh, en);
    let title =
        format!("{}{}{}", b.plan_name, t(" 实施进展通报 ", " — progress bulletin, "), ui::period_text(b.period, lang));
    let missing = b.matrix.iter().flat_map(|(_, cells)| cells.iter()).filter(|c| c.state.is_none()).count();
    let cells = b.matrix.iter().map(|(_, c)| c.len()).sum::<usize>();
    let page: Markup = html! {
        (DOCTYPE)
        html lang=(t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                title { (title) }
                @if standalone { style { (maud::PreEscaped(crate::kit::assets::CSS)) } } @else { link rel="stylesheet" href="/assets/app.css"; }
            }
            body.bulletin {
                header.cover {
                    @if b.synthetic {
                        p.stamp { (t("示例数据（合成），非官方统计", "Synthetic demo data, not official statistics")) }
                    }
                    @if !b.issuers.is_empty() { p.issuer { (b.issuers.join(ui::sep(lang))) } }
                    h1 { (b.plan_name) br; (t("实施进展通报", "Progress bulletin")) }
                    p.period { (ui::period_text(b.period, lang)) }
                    @if let Some(n) = &b.doc_number { p.docno { (t("依据：", "Under ")) (n) } }
                    p.date { (t("生成日期：", "Made on ")) (b.made_on.to_string()) }
                    @if !standalone {
                        p.download { a href={ "/plans/" (b.plan_id) "/bulletin.docx?period=" (b.period) } { (t("下载 Word 版（.docx）", "Download as Word (.docx)")) } }
                    }
                }
                section {
                    h2 { (t("一、目标完成情况", "1. Targets")) }
                    p {
                        (t("共 ", "")) (b.targets.len()) (t(" 项指标。", " indicators. "))
                        @for (label, n) in status_counts(b, lang) { (label) " " (n) (t(" 项；", "; ")) }
                    }
                    table.data {
                        (ui::head(lang, &[ui::col("序号", "No."), ui::col("指标", "Indicator"), ui::col("目标", "Target"), ui::num_col("基期值", "Baseline"), ui::num_col("最新值", "Latest"), ui::col("状态", "Status")]))
                        tbody { @for (i, l) in b.targets.iter().enumerate() { tr {
                            td { (i + 1) }
                            th scope="row" { (l.name) }
                            td { (l.source_text) }
                            td.numcell { @if let Some((p, v)) = &l.baseline { (ui::human(*v, &l.unit)) " (" (p) ")" } @else { "—" } }
                            td.numcell { @if let Some((p, v)) = &l.latest { (ui::human(*v, &l.unit)) " (" (p) ")" } @else { "—" } }
                            td { @match l.status { Some(s) => { (s.label(lang)) }, None => { (t("尚无数据", "no data")) } } }
                        } } }
                    }
                    // A chart per target with a value: the same drawing the Word document carries.
                    div.targetcharts {
                        @for l in &b.targets { @if let Some(c) = super::bulletin_docx::chart_of(l, lang) {
                            figure { (maud::PreEscaped(jiqun_office::chart::target_chart(&c))) }
                        } }
                    }
                }
                section {
                    h2 { (t("二、各单位报送情况", "2. Reports by department")) }
                    p {
                        (t("本期应报 ", "")) (cells) (t(" 项任务，未报送 ", " assignments due this period; missing: ")) (missing) (t(" 项。", "."))
                        @if let Some(d) = &b.deadline { (t("截止日期 ", " Deadline ")) (d) (t("。", ".")) }
                    }
                    table.data {
                        (ui::head(lang, &[ui::col("单位", "Department"), ui::col("任务", "Task"), ui::col("角色", "Role"), ui::col("本期报告", "This period's report"), ui::num_col("完成比例", "Percent")]))
                        tbody { @for (agency, list) in &b.matrix { @for (i, c) in list.iter().enumerate() { tr.(if c.state.is_none() { "missing" } else { "" }) {
                            @if i == 0 { th scope="row" rowspan=(list.len()) { (agency) } }
                            td { (c.item) " " (c.item_title) }
                            td { (ui::role_label(&c.role, lang)) }
                            td { (state_text(c.state, lang)) }
                            td.numcell { @if let Some(p) = c.percent { (ui::num(p, 0)) "%" } @else { "—" } }
                        } } } }
                    }
                }
                section {
                    h2 { (t("三、逾期与停滞事项", "3. Overdue and stalled")) }
                    @if b.flagged.is_empty() { p { (t("无。", "None.")) } } @else {
                        table.data {
                            (ui::head(lang, &[ui::col("单位", "Department"), ui::col("任务", "Task"), ui::col("情况", "What")]))
                            tbody { @for f in &b.flagged { tr {
                                th scope="row" { (f.agency) }
                                td { (f.item) " " (f.item_title) }
                                td {
                                    @if !f.overdue.is_empty() { (t("逾期未报：", "overdue: ")) (f.overdue.join(ui::sep(lang))) }
                                    @if f.stalled { @if !f.overdue.is_empty() { (ui::sep(lang)) } (t("连续两期无进展", "no progress over two periods")) }
                                }
                            } } }
                        }
                    }
                }
                section {
                    h2 { (t("四、重点项目", "4. Key projects")) }
                    p {
                        @for (i, (stage, n)) in b.projects_by_stage.iter().enumerate() {
                            @if i > 0 { (t("，", ", ")) } (stage.label(lang)) " " (n)
                        }
                        (t("；未办结的企业直通车问题 ", "; open through-train problems: ")) (b.open_problems) (t(" 个。", "."))
                    }
                }
                @if let Some((year, rows)) = &b.evaluation {
                    section {
                        h2 { (t("五、亩均效益评价（", "5. Per-mu evaluation (")) (year) (t(" 年，按城市）", ", by city)")) }
                        table.data {
                            (ui::head(lang, &[ui::col("城市", "City"), ui::num_col("A 类", "A"), ui::num_col("B 类", "B"), ui::num_col("C 类", "C"), ui::num_col("D 类", "D"), ui::num_col("不参评", "Not rated")]))
                            tbody { @for (city, n) in rows { tr {
                                th scope="row" { (city) }
                                @for k in n { td.numcell { (k) } }
                            } } }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

pub(crate) fn status_counts(b: &Bulletin, lang: Lang) -> Vec<(String, usize)> {
    let mut counts: Vec<(Option<jiqun_eval::progress::Status>, usize)> = Vec::new();
    for l in &b.targets {
        match counts.iter_mut().find(|(s, _)| *s == l.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((l.status, 1)),
        }
    }
    counts.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    counts
        .into_iter()
        .map(|(s, n)| {
            (s.map(|s| s.label(lang).to_string()).unwrap_or_else(|| lang.pick("尚无数据", "no data").into()), n)
        })
        .collect()
}

#[derive(Deserialize)]
pub struct BulletinQuery {
    pub period: Option<String>,
    /// `docx` (the default) or `html`, for the API.
    pub format: Option<String>,
}

/// The period asked for, else the latest round's (2025 when the plan has no round).
async fn period_of(ctx: &Ctx, id: i64, asked: Option<String>) -> Result<String, AppError> {
    if let Some(p) = asked.filter(|p| !p.trim().is_empty()) {
        return Ok(p);
    }
    let snap = ctx.app.snapshot().await?;
    let plan =
        snap.plan(id).ok_or_else(|| AppError::not_found(format!("计划 {id} 不存在"), format!("no plan {id}")))?;
    Ok(plan.rounds.iter().map(|r| r.period.clone()).max().unwrap_or_else(|| "2025".into()))
}

/// `/plans/{id}/bulletin?period=2025Q4`: the bulletin of a period (the latest round's when none is given).
pub async fn bulletin(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let lang = ctx.lang;
    let q: BulletinQuery = crate::extract::query(&ctx.query).page(lang)?;
    let period = period_of(&ctx, id, q.period).await.page(lang)?;
    let b = ctx.app.bulletin(s, id, &period).await.page(lang)?;
    Ok(Html(document(&b, lang, false)).into_response())
}

/// The Word document of a bulletin, made off the request threads (its charts are rasterised).
async fn docx_response(b: Bulletin, lang: Lang) -> Result<Response, AppError> {
    let name = format!(
        "{}-{}{}.docx",
        lang.pick("督办通报", "bulletin"),
        b.period,
        if b.synthetic { lang.pick("-示例数据", "-synthetic") } else { "" }
    );
    let bytes = tokio::task::spawn_blocking(move || {
        super::bulletin_docx::docx(&b, lang, jiqun_office::raster::Rasteriser::shared())
    })
    .await
    .map_err(AppError::internal)??;
    Ok(ui::download(&name, super::bulletin_docx::DOCX, bytes))
}

/// `/plans/{id}/bulletin.docx?period=2025Q4`: the same bulletin as a Word document, for whoever may read the
/// page.
pub async fn bulletin_docx(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let lang = ctx.lang;
    let q: BulletinQuery = crate::extract::query(&ctx.query).page(lang)?;
    let period = period_of(&ctx, id, q.period).await.page(lang)?;
    let b = ctx.app.bulletin(s, id, &period).await.page(lang)?;
    docx_response(b, lang).await.page(lang)
}

/// `GET /api/v1/plans/{id}/bulletin?period=2025Q4&format=docx|html`: the bulletin as a file.
pub async fn api_bulletin(ctx: Ctx, Path(id): Path<i64>) -> ApiResult<Response> {
    let s = ctx.api_user()?;
    let lang = ctx.lang;
    let q: BulletinQuery = crate::extract::query(&ctx.query).lang(lang)?;
    let html = match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("docx") => false,
        Some("html") => true,
        Some(other) => {
            return Err(AppError::invalid(
                "format",
                format!("“{other}”不是通报的格式，应为 docx 或 html"),
                format!("“{other}” is not a format of the bulletin: docx or html"),
            ))
            .lang(lang);
        }
    };
    let period = period_of(&ctx, id, q.period).await.lang(lang)?;
    let b = ctx.app.bulletin(s, id, &period).await.lang(lang)?;
    if html {
        return Ok(Html(document(&b, lang, true)).into_response());
    }
    docx_response(b, lang).await.lang(lang)
}
