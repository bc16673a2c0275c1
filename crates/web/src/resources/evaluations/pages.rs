//! The per-mu evaluation runs (`/evaluations`, with running one and adding a local scheme at `/schemes`), one
//! run (`/evaluations/{id}`) with the distribution by city and class and the movement since last year, and
//! the differentiated resource policy (an example table) applied to a run (`/evaluations/{id}/policy`).

use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::cultivation as cult;
use jiqun_app::model::EnterpriseRow;
use jiqun_app::registry::CLASSES;
use jiqun_app::{Action, AppError, Session};
use jiqun_domain::Lang;
use jiqun_eval::resource_policy::{Allocation, Level};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Form, Path, Query};
use crate::kit::ui::{self, Csv, Export, example_banner, text};
use crate::resources::enterprises::pages::{class_chip, scale_label};

pub async fn evaluations(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_evaluations(&ctx, s, None, "").await
}

async fn show_evaluations(ctx: &Ctx, s: &Session, error: Option<AppError>, draft: &str) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let runs = ctx.app.evaluation_runs(s).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(snap.synthetic, "evaluations", json!({ "evaluations": runs })));
    }
    let years = ctx.app.figure_years().await.page(lang)?;
    let schemes = ctx.app.schemes().await.page(lang)?;
    let status = ui::form_status(error.as_ref());
    let body = html! {
        div.pagehead {
            h1 { (t("亩均效益评价", "Per-mu evaluations")) }
            p.sub { (t("按评价方案对登记企业逐年评价：在方案规定的分组内按基准值计分、排名并分 A/B/C/D 类。", "Registered firms rated year by year by a scheme: scored against benchmarks within the scheme's groups, ranked and classed A/B/C/D.")) }
        }
        table.data {
            (ui::head(lang, &[ui::col("年度", "Year"), ui::col("评价方案", "Scheme"), ui::num_col("参评", "Rated"), ui::num_col("不参评", "Not rated"), ui::col("评价时间", "Run at")]))
            tbody { @for r in &runs { tr {
                th scope="row" { @if s.can(&Action::ReadEnterprises) { a href={ "/evaluations/" (r.id) } { (r.year) } } @else { (r.year) } }
                td { (r.scheme_name) }
                td.numcell { (r.rated) }
                td.numcell { (r.not_rated) }
                td { (ui::datetime(r.created_at)) }
            } } }
        }
        h2 { (t("评价方案", "Schemes")) }
        table.data.compact {
            (ui::head(lang, &[ui::col("方案", "Scheme"), ui::col("适用地区", "Jurisdiction"), ui::col("年度", "Year"), ui::col("依据", "Source")]))
            tbody { @for sc in &schemes { tr {
                th scope="row" { (sc.name) br; code { (sc.id) } @if !sc.builtin { " " span.chip { (t("本地添加", "added here")) } } }
                td { (sc.scheme.jurisdiction) }
                td { @if let Some(y) = sc.scheme.year { (y) } }
                td.small { (sc.scheme.source) }
            } } }
        }
        @if s.can(&Action::RunEvaluation) {
            details.panel {
                summary { (t("开展评价", "Run an evaluation")) }
                form method="post" action="/evaluations" {
                    (ui::csrf(s))
                    label { (t("年度", "Year"))
                        select name="year" { @for y in &years { option value=(y) { (y) } } } }
                    label { (t("评价方案", "Scheme"))
                        select name="scheme" { @for sc in &schemes { option value=(sc.id) { (sc.name) } } } }
                    button type="submit" { (t("评价", "Evaluate")) }
                }
            }
            details.panel open[error.is_some()] {
                summary { (t("添加本地评价方案（JSON）", "Add a local scheme (JSON)")) }
                p.muted { (t("方案文件格式见 docs/evaluation.md：指标、权重、基准（组内加总比、公布的固定值或上年均值的倍数）、封顶、分组、不参评规则、加减分项和分类线。整份校验，错误指明字段路径。", "The file format is in docs/evaluation.md: items, weights, benchmarks (group ratio of sums, fixed published values or a multiple of last year's mean), caps, groups, not-rated rules, bonus and deduction items and cut-offs. Checked whole; errors name the field's path.")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form method="post" action="/schemes" {
                    (ui::csrf(s))
                    label for="scheme-json" { (t("方案 JSON", "Scheme JSON")) }
                    textarea #scheme-json name="json" required rows="14" maxlength="200000" spellcheck="false" { (draft) }
                    button type="submit" { (t("校验并保存", "Check and save")) }
                }
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("亩均效益评价", "Per-mu evaluations"), body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SchemeForm {
    csrf: String,
    json: String,
}

pub async fn put_scheme(ctx: Ctx, Form(f): Form<SchemeForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    let done = ctx.app.put_scheme(s, &f.json, &ctx.ip).await.map(|_| "/evaluations".into());
    ui::after_post(lang, done, ui::REFUSED, |e| show_evaluations(&ctx, s, Some(e), &f.json)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RunForm {
    csrf: String,
    year: String,
    scheme: String,
}

pub async fn run(ctx: Ctx, Form(f): Form<RunForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(Some(&f.csrf), &Action::RunEvaluation)?;
    let year = f.year.trim().parse().unwrap_or(0);
    let scheme = if f.scheme.is_empty() { "default" } else { f.scheme.as_str() };
    let id = ctx.app.run_evaluation(s, year, scheme, &ctx.ip).await.page(lang)?;
    Ok(Redirect::to(&format!("/evaluations/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EvalQuery {
    city: String,
}

pub async fn evaluation(ctx: Ctx, Path(id): Path<i64>, Query(q): Query<EvalQuery>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.page_user()?;
    let sm = ctx.app.evaluation_summary(s, id).await.page(lang)?;
    let city = jiqun_app::input::parameter("city", Some(&q.city), jiqun_app::input::parse_city).page(lang)?;
    let results = ctx.app.evaluation_results(s, id, city).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(&ctx) {
        Some(Export::Csv) => {
            let mut csv =
                Csv::new(&["uscc", "name", "city", "scale", "score", "rank", "group_size", "class", "reason"]);
            for (e, r) in &results {
                csv.row([
                    &e.uscc,
                    &e.name,
                    r.city.as_str(),
                    r.scale.as_str(),
                    &r.score.map(|v| format!("{v:.6}")).unwrap_or_default(),
                    &r.rank.map(|v| v.to_string()).unwrap_or_default(),
                    &r.group_size.to_string(),
                    &r.class,
                    &r.reason,
                ]);
            }
            return Ok(csv.respond("evaluation", snap.synthetic));
        }
        Some(Export::Json) => {
            let items: Vec<_> =
                results.iter().map(|(e, r)| json!({ "uscc": e.uscc, "name": e.name, "result": r })).collect();
            return Ok(ui::json(snap.synthetic, "evaluation", json!({ "summary": sm, "results": items })));
        }
        None => {}
    }
    let totals: [i64; 5] = sm.by_city.iter().fold([0; 5], |mut acc, (_, n)| {
        for i in 0..5 {
            acc[i] += n[i];
        }
        acc
    });
    let shown: Vec<&(EnterpriseRow, jiqun_app::registry::ResultView)> = results.iter().take(500).collect();
    let title =
        format!("{} {} · {}", sm.evaluation.year, t("年亩均效益评价", "per-mu evaluation"), sm.evaluation.scheme_name);
    let body = html! {
        div.pagehead {
            p.crumbs { a href="/evaluations" { (t("亩均效益评价", "Evaluations")) } " › " }
            h1 { (title) }
            p.sub { (t("参评 ", "Rated ")) (sm.evaluation.rated) (t(" 家，不参评 ", ", not rated ")) (sm.evaluation.not_rated) (t(" 家", "")) }
            (ui::export_buttons(lang, "evaluations", &format!("&run={id}")))
        }
        div.scroll { table.data.compact {
            caption { (t("各市分类分布（家）", "Firms by city and class")) }
            thead { tr { th scope="col" { (t("城市", "City")) } @for c in CLASSES { th.num scope="col" { (c) } } th scope="col" { (t("分布", "Distribution")) } } }
            tbody {
                @for (c, n) in &sm.by_city { tr {
                    th scope="row" { a href={ "/evaluations/" (id) "?city=" (ui::enc(c)) } { (c) } }
                    @for v in n { td.numcell { (v) } }
                    td { (class_bar(n)) }
                } }
                tr.total { th scope="row" { (t("全省", "Province")) } @for v in &totals { td.numcell { (v) } } td { (class_bar(&totals)) } }
            }
        } }
        @if let (Some(prev), Some(moves)) = (&sm.previous, &sm.moves) {
            div.scroll { table.data.compact {
                caption { (t("较上年（", "Movement since ")) (prev.year) (t(" 年）分类变动：行为上年类别，列为本年类别", "): rows last year's class, columns this year's")) }
                thead { tr { th scope="col" { (t("上年＼本年", "From＼to")) } @for c in CLASSES { th.num scope="col" { (c) } } } }
                tbody { @for (i, from) in CLASSES.iter().enumerate() { tr {
                    th scope="row" { (from) }
                    @for (j, v) in moves[i].iter().enumerate() { td.numcell class=(if i == j { "same" } else if j < i { "up" } else { "down" }) { (v) } }
                } } }
            } }
        }
        h2 { (t("企业结果", "Results")) @if let Some(c) = city { " · " (c) } }
        @if results.len() > shown.len() { p.muted { (t("仅显示前 500 家；完整结果请下载 CSV。", "The first 500 are shown; download the CSV for all.")) } }
        div.scroll { table.data.compact {
            (ui::head(lang, &[ui::col("企业", "Enterprise"), ui::col("城市", "City"), ui::col("规模", "Scale"), ui::num_col("得分", "Score"), ui::num_col("组内排名", "Rank"), ui::col("类别", "Class")]))
            tbody { @for (e, r) in &shown { tr {
                th scope="row" { a href={ "/enterprises/" (e.id) } { (e.name) } }
                td { (r.city) }
                td { (scale_label(&r.scale, lang)) }
                td.numcell { @if let Some(v) = r.score { (ui::num(v, 2)) } @else { span.muted { "—" } } }
                td.numcell { @if let Some(v) = r.rank { (v) " / " (r.group_size) } @else { span.muted { "—" } } }
                td { (class_chip(&r.class, &r.reason, lang)) }
            } } }
        } }
        p { a href={ "/evaluations/" (id) "/policy" } { (t("差别化资源要素配置（示例表）按本次评价结果的测算 →", "The differentiated resource policy (example table) on these results →")) } }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &title, body))
}

/// A stacked bar of the class counts (A to T), as SVG (the CSP allows no inline styles).
fn class_bar(n: &[i64; 5]) -> Markup {
    let total: i64 = n.iter().sum();
    let label = CLASSES.iter().zip(n).map(|(c, v)| format!("{c} {v}")).collect::<Vec<_>>().join(", ");
    let mut x = 0.0;
    let mut segments = Vec::new();
    for (c, v) in CLASSES.iter().zip(n) {
        if *v > 0 && total > 0 {
            let w = *v as f64 * 200.0 / total as f64;
            segments.push((c.to_ascii_lowercase(), *c, *v, x, w));
            x += w;
        }
    }
    html! {
        svg.classbar viewBox="0 0 200 14" width="200" height="14" role="img" aria-label=(label) {
            @for (class, c, v, x, w) in &segments {
                rect class={ "seg class-" (class) } x=(format!("{x:.2}")) y="0" width=(format!("{w:.2}")) height="14" { title { (c) " " (v) } }
            }
        }
    }
}

// ---- /evaluations/{id}/policy ----

fn level_chip(a: &Allocation, lang: Lang) -> Markup {
    let class = match a.level {
        Level::Priority => "lv-priority",
        Level::Normal => "lv-normal",
        Level::Restricted => "lv-restricted",
        Level::Excluded => "lv-excluded",
    };
    html! { span class={ "chip " (class) } { (a.level.label(lang)) @if let Some(o) = a.order { " " (o) } } }
}

fn yuan(v: f64, lang: Lang) -> String {
    match lang {
        Lang::Zh if v.abs() >= 1e4 => format!("{}万元", ui::num(v / 1e4, 2)),
        Lang::Zh => format!("{}元", ui::num(v, 0)),
        Lang::En => format!("{} yuan", ui::num(v, 0)),
    }
}

pub async fn resource_policy(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let s = ctx.page_user()?;
    let v = ctx.app.resource_policy(s, id).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(&ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "policy", json!(v))),
        Some(Export::Csv) => {
            let mut csv = Csv::new(&[
                "city",
                "enterprises",
                "A",
                "B",
                "C",
                "D",
                "T",
                "electricity_surcharge_yuan",
                "electricity_missing",
                "water_surcharge_yuan",
                "water_missing",
                "land_priority",
                "energy_priority",
                "example",
            ]);
            for c in v.cities.iter().chain(std::iter::once(&v.total)) {
                csv.row([
                    if c.city.is_empty() { "全省".to_string() } else { c.city.clone() },
                    c.enterprises.to_string(),
                    c.by_class.a.to_string(),
                    c.by_class.b.to_string(),
                    c.by_class.c.to_string(),
                    c.by_class.d.to_string(),
                    c.by_class.t.to_string(),
                    format!("{:.2}", c.electricity_surcharge_yuan),
                    c.electricity_missing.to_string(),
                    format!("{:.2}", c.water_surcharge_yuan),
                    c.water_missing.to_string(),
                    c.land_quota.priority.to_string(),
                    c.energy_quota.priority.to_string(),
                    if v.example { "1".into() } else { "0".into() },
                ]);
            }
            return Ok(csv.respond("policy", snap.synthetic));
        }
        None => {}
    }
    let title = format!("{} {}", v.evaluation.year, t("年差别化资源要素配置", "differentiated resource policy"));
    let classes = ["A", "B", "C", "D", "T"];
    let class_counts = |c: &jiqun_eval::resource_policy::CitySummary| {
        [c.by_class.a, c.by_class.b, c.by_class.c, c.by_class.d, c.by_class.t]
    };
    let shown: Vec<&cult::PolicyMeasure> = v.measures.iter().take(500).collect();
    let body = html! {
        div.pagehead {
            p.crumbs { a href="/evaluations" { (t("亩均效益评价", "Evaluations")) } " › " a href={ "/evaluations/" (v.evaluation.id) } { (v.evaluation.year) " · " (v.evaluation.scheme_name) } " › " }
            h1 { (title) }
            p.sub { (t("按亩均评价分类实施差别化电价、水价和用地、用能、信贷安排的估算。不开具任何账单；排污和财政手段未建模。", "Estimates of differentiated electricity and water tariffs and of land, energy and credit allocation by per-mu class. Nothing is billed; emission and fiscal levers are not modelled.")) }
        }
        @if v.example {
            (example_banner(lang, "本表（加价标准和各类档次）是 Jiqun 的示例，须由省、市或县主管部门按本地政策设定；未找到与亩均类别挂钩的官方加价标准。", "this table (surcharges and levels) is Jiqun's example, to be set by the province, city or county; no official surcharge tied to per-mu classes was found."))
        }
        @if let Some(n) = &v.definition.source.note { p.small.muted { (text(n, lang)) } }
        table.data.compact {
            caption { (text(&v.definition.name, lang)) }
            (ui::head(lang, &[ui::col("类别", "Class"), ui::num_col("电价加价（元/千瓦时）", "Electricity (yuan/kWh)"), ui::num_col("水价加价（元/立方米）", "Water (yuan/m³)"), ui::col("用地指标", "Land quota"), ui::col("用能指标", "Energy quota"), ui::col("信贷", "Credit")]))
            tbody { @for c in classes { @if let Some(l) = v.definition.classes.get(c) { tr {
                th scope="row" { span class={ "chip class-" (c.to_ascii_lowercase()) } { (c) } }
                td.numcell { (ui::num(l.electricity_surcharge_yuan_per_kwh, 3)) }
                td.numcell { (ui::num(l.water_surcharge_yuan_per_m3, 2)) }
                td { (level_chip(&l.land_quota, lang)) }
                td { (level_chip(&l.energy_quota, lang)) }
                td { (level_chip(&l.credit, lang)) }
            } } } }
        }
        h2 { (t("各市汇总", "By city")) }
        p.small.muted {
            (t("用电量取企业名录 ", "Electricity is the registry's ")) (v.evaluation.year) (t(" 年“用电量”（兆瓦时），加价 = 单价 × 兆瓦时 × 1000；", " figure electricity_mwh (MWh): surcharge = rate × MWh × 1000; "))
            (t("参评企业中报了用电量的 ", "firms with electricity: ")) (v.electricity_reported) (t(" 家，报了用水量的 ", ", with water: ")) (v.water_reported)
            (t(" 家。缺数据的应加价企业不计入估算（合计为下限），其家数单列。", ". Liable firms without the figure are left out of the estimate (the totals are lower bounds) and counted."))
        }
        div.scroll { table.data.compact {
            thead { tr {
                th scope="col" { (t("城市", "City")) }
                @for c in classes { th.num scope="col" { (c) } }
                (ui::cols(lang, &[ui::num_col("电价加价估算", "Electricity surcharge"), ui::num_col("缺用电数据", "No electricity"), ui::num_col("水价加价估算", "Water surcharge"), ui::num_col("缺用水数据", "No water"), ui::num_col("用地优先", "Land priority"), ui::num_col("用能优先", "Energy priority"), ui::num_col("不予供地", "No new land")]))
            } }
            tbody {
                @for c in v.cities.iter().chain(std::iter::once(&v.total)) {
                    tr class=(if c.city.is_empty() { "total" } else { "" }) {
                        th scope="row" { @if c.city.is_empty() { (t("全省", "Province")) } @else { (c.city) } }
                        @for n in class_counts(c) { td.numcell { (n) } }
                        td.numcell { (yuan(c.electricity_surcharge_yuan, lang)) }
                        td.numcell { (c.electricity_missing) }
                        td.numcell { (yuan(c.water_surcharge_yuan, lang)) }
                        td.numcell { (c.water_missing) }
                        td.numcell { (c.land_quota.priority) }
                        td.numcell { (c.energy_quota.priority) }
                        td.numcell { (c.land_quota.excluded) }
                    }
                }
            }
        } }
        h2 { (t("企业明细", "By firm")) }
        @if v.measures.is_empty() { p.muted { (t("企业明细仅对可查阅企业经营数据的用户显示。", "Per-firm measures are shown only to readers of the firms' figures.")) } } @else {
            @if v.measures.len() > shown.len() { p.muted { (t("仅显示前 500 家；完整数据请下载 JSON。", "The first 500 are shown; download the JSON for all.")) } }
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("企业", "Enterprise"), ui::col("城市", "City"), ui::col("类别", "Class"), ui::num_col("电价加价估算", "Electricity surcharge"), ui::num_col("水价加价估算", "Water surcharge"), ui::col("用地", "Land"), ui::col("用能", "Energy"), ui::col("信贷", "Credit"), ui::col("说明", "Notes")]))
                tbody { @for m in &shown { tr {
                    th scope="row" { a href={ "/enterprises/" (m.enterprise_id) } { (m.name) } }
                    td { (m.measures.city) }
                    td { span class={ "chip class-" (m.measures.class.as_str().to_ascii_lowercase()) } { (m.measures.class.as_str()) } }
                    td.numcell { @match m.measures.electricity_surcharge_yuan { Some(x) => (yuan(x, lang)), None => span.muted { (t("缺数据", "no data")) } } }
                    td.numcell { @match m.measures.water_surcharge_yuan { Some(x) => (yuan(x, lang)), None => span.muted { (t("缺数据", "no data")) } } }
                    td { (level_chip(&m.measures.land_quota, lang)) }
                    td { (level_chip(&m.measures.energy_quota, lang)) }
                    td { (level_chip(&m.measures.credit, lang)) }
                    td.small { @for n in &m.measures.notes { (text(n, lang)) " " } }
                } } }
            } }
        }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &title, body))
}
