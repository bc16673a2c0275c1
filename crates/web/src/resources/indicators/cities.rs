//! `/cities`: a tile map of the province's 21 cities coloured by a chosen by-city indicator, with a legend
//! and the same figures as a table. `/cities/{name}`: a city's region and code, its role in the cluster
//! layout, the items naming it, and its figures.

use axum::response::Response;
use jiqun_app::snapshot::{IndicatorView, PlanView};
use jiqun_domain::Lang;
use jiqun_eval::progress::Point;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::extract::{Path, Query};
use crate::kit::charts::{Tile, class_of, quantile_breaks, sparkline, tile_map};
use crate::kit::ui::{self, Csv, Export, human, period_text};

#[derive(Deserialize, Default)]
pub struct MapQuery {
    plan: Option<i64>,
    indicator: Option<i64>,
}

/// One city's row: its latest value of the chosen indicator.
struct Row<'a> {
    city: &'a str,
    region: &'a str,
    code: &'a str,
    latest: Option<Point>,
    class: Option<usize>,
    rank: Option<usize>,
}

pub async fn map(ctx: Ctx, Query(q): Query<MapQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
    let plan = ui::plan_of(&ctx, &snap, q.plan)?;
    let by_city: Vec<&IndicatorView> = plan.indicators.iter().filter(|i| i.row.by_city).collect();
    let chosen =
        q.indicator.and_then(|id| by_city.iter().copied().find(|i| i.row.id == id)).or(by_city.first().copied());
    let rows = rows(chosen);
    match ui::export(&ctx) {
        Some(Export::Json) => {
            let v = json!({
                "indicator": chosen.map(|iv| json!({ "id": iv.row.id, "name": iv.row.name, "unit": iv.row.unit })),
                "cities": rows.iter().map(|r| json!({
                    "city": r.city, "region": r.region, "code": r.code,
                    "period": r.latest.map(|p| p.period.to_string()), "value": r.latest.map(|p| p.value),
                    "class": r.class, "rank": r.rank,
                })).collect::<Vec<_>>(),
            });
            return Ok(ui::json(snap.synthetic, "cities", v));
        }
        Some(Export::Csv) => {
            let mut csv = Csv::translated(
                lang,
                &[
                    ("城市", "city"),
                    ("区域", "region"),
                    ("行政区划代码", "code"),
                    ("指标", "indicator"),
                    ("期别", "period"),
                    ("数值", "value"),
                    ("单位", "unit"),
                    ("排名", "rank"),
                    ("分级", "class"),
                ],
            );
            for r in &rows {
                csv.row([
                    r.city.to_string(),
                    r.region.to_string(),
                    r.code.to_string(),
                    chosen.map(|i| i.row.name.clone()).unwrap_or_default(),
                    r.latest.map(|p| p.period.to_string()).unwrap_or_default(),
                    r.latest.map(|p| p.value.to_string()).unwrap_or_default(),
                    chosen.map(|i| i.row.unit.clone()).unwrap_or_default(),
                    r.rank.map(|k| k.to_string()).unwrap_or_default(),
                    r.class.map(|k| (k + 1).to_string()).unwrap_or_default(),
                ]);
            }
            return Ok(csv.respond("cities", snap.synthetic));
        }
        None => {}
    }
    let unit = chosen.map(|i| i.row.unit.as_str()).unwrap_or("");
    let values: Vec<f64> = rows.iter().filter_map(|r| r.latest.map(|p| p.value)).collect();
    let breaks = quantile_breaks(&values);
    let tiles: Vec<Tile> = rows
        .iter()
        .map(|r| Tile { city: r.city, region: r.region, value: r.latest.map(|p| human(p.value, unit)), class: r.class })
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut bounds = vec![lo];
    bounds.extend(breaks.iter().copied());
    bounds.push(hi);
    let title = match chosen {
        Some(iv) => format!("{}：{}", t("各市", "Cities"), iv.row.name),
        None => t("各市", "Cities").to_string(),
    };
    let body = html! {
        div.pagehead {
            h1 { (t("地市", "Cities")) }
            p.sub { (t("广东省 21 个地级以上市：珠三角 9 市居中，粤东 4 市在东，粤西 3 市在西，粤北 5 市在北。", "Guangdong's 21 prefecture-level cities: the Pearl River Delta's 9 in the centre, the east's 4, the west's 3 and the north's 5.")) }
        }
        @if by_city.is_empty() {
            p { (t("本计划没有分市统计的指标。", "This plan has no indicator reported by city.")) }
        } @else {
            form.filters method="get" action="/cities" {
                @if let Some(p) = q.plan { input type="hidden" name="plan" value=(p); }
                div.field {
                    label for="map-indicator" { (t("着色指标", "Colour by")) }
                    select #map-indicator name="indicator" data-autosubmit {
                        @for iv in &by_city { option value=(iv.row.id) selected[chosen.is_some_and(|c| c.row.id == iv.row.id)] { (iv.row.name) } }
                    }
                }
                div.actions { button.secondary type="submit" { (t("显示", "Show")) } }
            }
            div.mapwrap {
                figure.map {
                    (tile_map(&tiles, &title, t("无数据", "no data")))
                    figcaption {
                        @if let Some(iv) = chosen { strong { (iv.row.name) } " · " (t("各市最新值", "each city's latest value")) }
                    }
                }
                aside.legend-box aria-labelledby="h-legend" {
                    h2 #h-legend { (t("图例", "Legend")) }
                    p.muted.small { (t("按五分位分级，颜色越深数值越大。", "Quintile classes: the darker, the larger.")) }
                    ul.legend {
                        @if !values.is_empty() { @for k in (0..=breaks.len()).rev() {
                            li {
                                svg width="22" height="16" aria-hidden="true" focusable="false" { rect.(format!("q{}", k.min(4))) width="22" height="16" rx="3" {} }
                                " " (human(bounds[k], unit)) " – " (human(bounds[k + 1], unit))
                            }
                        } }
                        li { svg width="22" height="16" aria-hidden="true" focusable="false" { rect.qn width="22" height="16" rx="3" {} } " " (t("无数据", "no data")) }
                    }
                    h3 { (t("区域", "Regions")) }
                    ul.legend.regions {
                        li { span.rk.r-prd {} (t("珠三角", "Pearl River Delta")) }
                        li { span.rk.r-east {} (t("粤东", "East")) }
                        li { span.rk.r-west {} (t("粤西", "West")) }
                        li { span.rk.r-north {} (t("粤北", "North")) }
                    }
                }
            }
            div.scroll {
                table.data.compact {
                    caption { (title) " · " (t("按数值从高到低", "from the highest")) }
                    (ui::head(lang, &[ui::col("排名", "Rank"), ui::col("城市", "City"), ui::col("区域", "Region"), ui::col("最新值", "Latest"), ui::col("期别", "Period"), ui::col("分级", "Class")]))
                    tbody {
                        @for r in sorted(&rows) {
                            tr {
                                td.numcell { (r.rank.map(|k| k.to_string()).unwrap_or_default()) }
                                th scope="row" { (ui::city_link(r.city)) }
                                td { (r.region) }
                                td.numcell { @match r.latest { Some(p) => (human(p.value, unit)), None => span.muted { (t("无数据", "no data")) } } }
                                td { @if let Some(p) = r.latest { (period_text(p.period, lang)) } }
                                td.numcell { @if let Some(k) = r.class { (k + 1) " / 5" } }
                            }
                        }
                    }
                }
            }
        }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, t("地市", "Cities"), body))
}

fn rows(chosen: Option<&IndicatorView>) -> Vec<Row<'static>> {
    let model = ui::regions();
    let mut out: Vec<Row<'static>> = model
        .prefecture_cities()
        .map(|c| Row {
            city: c.name.as_str(),
            region: c.region.as_str(),
            code: c.code.as_str(),
            latest: chosen.and_then(|iv| iv.cities.iter().find(|(n, _)| *n == c.name).map(|(_, p)| *p)),
            class: None,
            rank: None,
        })
        .collect();
    let values: Vec<f64> = out.iter().filter_map(|r| r.latest.map(|p| p.value)).collect();
    let breaks = quantile_breaks(&values);
    let mut order: Vec<usize> = (0..out.len()).filter(|&i| out[i].latest.is_some()).collect();
    order.sort_by(|&a, &b| {
        let va = out[a].latest.map(|p| p.value).unwrap_or(0.0);
        let vb = out[b].latest.map(|p| p.value).unwrap_or(0.0);
        vb.total_cmp(&va)
    });
    for (k, i) in order.into_iter().enumerate() {
        out[i].rank = Some(k + 1);
        out[i].class = out[i].latest.map(|p| class_of(p.value, &breaks).min(4));
    }
    out
}

fn sorted<'a>(rows: &'a [Row<'a>]) -> Vec<&'a Row<'a>> {
    let mut v: Vec<&Row> = rows.iter().collect();
    v.sort_by_key(|r| r.rank.unwrap_or(usize::MAX));
    v
}

// ---- /cities/{name} ----

pub async fn city(ctx: Ctx, Path(name): Path<String>, Query(q): Query<MapQuery>) -> PageResult<Response> {
    let s = ui::reader(&ctx)?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let c = ui::regions().city(&name).ok_or_else(|| {
        ui::not_found(lang, format!("“{name}”不是本省的城市"), format!("“{name}” is not a city of the province"))
    })?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    let plan = ui::plan_of(&ctx, &snap, q.plan)?;
    let layout: Vec<_> = plan.doc.layout.iter().filter(|l| l.cities.contains(&c.name)).collect();
    let items: Vec<_> = plan.items.iter().filter(|i| i.cities.contains(&c.name)).collect();
    let figures = figures(plan, &c.name);
    match ui::export(&ctx) {
        Some(Export::Json) => {
            // The same for every reader until the data changes: made once per revision, plan and city.
            let key = format!("page/city/{}/{}/{lang:?}.json", c.name, plan.plan.id);
            let body = ctx.app.rendered(&key, snap.data_stamp(), || {
                let v = json!({
                    "city": { "name": c.name, "full_name": c.full_name, "code": c.code, "region": c.region, "partner": c.is_partner() },
                    "layout": layout,
                    "items": items.iter().map(|i| json!({ "item": i.item, "title": i.title })).collect::<Vec<_>>(),
                    "figures": figures.iter().map(|f| figure_json(f)).collect::<Vec<_>>(),
                });
                ui::json_body(snap.synthetic, "city", v)
            });
            return Ok(ui::json_response(body));
        }
        Some(Export::Csv) => {
            let mut csv = Csv::translated(
                lang,
                &[
                    ("城市", "city"),
                    ("指标", "indicator"),
                    ("期别", "period"),
                    ("数值", "value"),
                    ("单位", "unit"),
                    ("占全省", "share of province"),
                ],
            );
            for f in &figures {
                for p in f.series {
                    let prov = f.iv.series.iter().find(|x| x.period == p.period).map(|x| x.value);
                    csv.row([
                        c.name.clone(),
                        f.iv.row.name.clone(),
                        p.period.to_string(),
                        p.value.to_string(),
                        f.iv.row.unit.clone(),
                        prov.filter(|v| *v > 0.0).map(|v| ui::num(p.value / v, 4)).unwrap_or_default(),
                    ]);
                }
            }
            return Ok(csv.respond("city", snap.synthetic));
        }
        None => {}
    }
    let body = html! {
        div.pagehead {
            p.crumbs { a href="/cities" { (t("地市", "Cities")) } " › " (c.name) }
            h1 { (c.full_name) }
            p.sub {
                (t("区域：", "Region: ")) (c.region)
                " · " (t("行政区划代码：", "Division code: ")) (c.code)
                @if c.is_partner() { " · " (t("合作地区（非本省管辖）", "partner (not administered by the province)")) }
            }
        }
        section aria-labelledby="h-role" {
            h2 #h-role { (t("在集群布局中的角色", "Role in the cluster layout")) }
            @if layout.is_empty() && items.is_empty() {
                p { (t("计划文本没有点名本市。", "The plan's text does not name this city.")) }
            }
            @if !layout.is_empty() {
                ul.layout {
                    @for l in &layout {
                        li {
                            strong { (l.subject) }
                            " — " (t("依托城市：", "hosted by: "))
                            @for (i, x) in l.cities.iter().enumerate() { @if i > 0 { (ui::sep(lang)) } @if *x == c.name { strong { (x) } } @else { (ui::city_link(x)) } }
                            " · " a href={ "/plans/" (plan.plan.id) "#item-" (l.item) } { (t("条目 ", "item ")) (l.item) }
                        }
                    }
                }
            }
            @if !items.is_empty() {
                h3 { (t("点名本市的条目", "Items naming this city")) }
                ul {
                    @for i in &items {
                        li { a href={ "/plans/" (plan.plan.id) "#item-" (i.item) } { span.item-no { (i.item) } " " (i.title) } }
                    }
                }
            }
        }
        section aria-labelledby="h-figs" {
            h2 #h-figs { (t("主要数据", "Figures")) }
            @if figures.is_empty() {
                p { (t("暂无本市的分市数据。", "No city figures yet.")) }
            } @else {
                (ui::table(
                    "",
                    html! { (c.name) (t(" 的分市指标：最新值、占全省比重、在 21 市中的排名和走势", "'s by-city indicators: latest value, share of the province, rank among the 21 cities, trend")) },
                    html! { (ui::cols(lang, &[ui::col("指标", "Indicator"), ui::col("最新值", "Latest"), ui::col("占全省", "Share of province"), ui::col("排名", "Rank"), ui::col("走势", "Trend")])) },
                    html! {
                        @for f in &figures {
                            tr {
                                th scope="row" { (ui::indicator_link(f.iv)) }
                                td.numcell { @if let Some(l) = f.series.last() { (human(l.value, &f.iv.row.unit)) br; span.muted { (period_text(l.period, lang)) } } }
                                td.numcell { (f.share.map(ui::pct).unwrap_or_default()) }
                                td.numcell { @if let Some(r) = f.rank { (r) " / " (f.iv.cities.len()) } }
                                td { (sparkline(f.series, &format!("{} {}", f.iv.row.name, t("走势", "trend")))) }
                            }
                        }
                    },
                ))
                (series_table(&figures, lang))
            }
        }
        (ui::downloads(&ctx, lang))
    };
    Ok(ui::page(&ctx, s, snap.synthetic, &c.full_name, body))
}

struct Figure<'a> {
    iv: &'a IndicatorView,
    series: &'a [Point],
    share: Option<f64>,
    rank: Option<usize>,
}

fn figures<'a>(plan: &'a PlanView, city: &str) -> Vec<Figure<'a>> {
    plan.indicators
        .iter()
        .filter(|iv| iv.row.by_city)
        .filter_map(|iv| {
            let series = iv.city_series.iter().find(|(n, _)| n == city).map(|(_, s)| s.as_slice())?;
            let last = series.last()?;
            let share = iv
                .series
                .iter()
                .find(|p| p.period == last.period)
                .filter(|p| p.value > 0.0)
                .map(|p| last.value / p.value);
            let rank = 1 + iv.cities.iter().filter(|(_, p)| p.value > last.value).count();
            Some(Figure { iv, series, share, rank: Some(rank) })
        })
        .collect()
}

fn figure_json(f: &Figure) -> Value {
    json!({
        "indicator": f.iv.row.id, "name": f.iv.row.name, "unit": f.iv.row.unit, "share_of_province": f.share, "rank": f.rank,
        "series": f.series.iter().map(|p| json!({ "period": p.period.to_string(), "value": p.value })).collect::<Vec<_>>(),
    })
}

fn series_table(figures: &[Figure], lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let mut periods: Vec<jiqun_domain::period::Period> =
        figures.iter().flat_map(|f| f.series.iter().map(|p| p.period)).collect();
    periods.sort();
    periods.dedup();
    html! {
        (ui::table(
            "compact",
            html! { (t("历年数值", "Values by period")) },
            html! {
                th scope="col" { (t("指标", "Indicator")) }
                @for p in &periods { th scope="col" { (period_text(*p, lang)) } }
            },
            html! {
                @for f in figures {
                    tr {
                        th scope="row" { (f.iv.row.name) }
                        @for p in &periods {
                            td.numcell { @if let Some(x) = f.series.iter().find(|x| x.period == *p) { (human(x.value, &f.iv.row.unit)) } }
                        }
                    }
                }
            },
        ))
    }
}
