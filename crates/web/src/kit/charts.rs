//! Charts drawn on the server as SVG: the sparkline of a series, the indicator chart (observations against
//! the target trajectory), and the tile map of the 21 cities. No script, no inline style: colours come
//! from classes in `app.css` (presentation attributes only where SVG needs them).

use jiqun_domain::plan::Cmp;
use std::fmt::Write as _;

use jiqun_app::snapshot::IndicatorView;
use jiqun_domain::Lang;
use jiqun_eval::progress::{Method, Point};
use maud::{Markup, html};

use super::ui::{enc, human};

/// A compact coordinate.
fn c(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(String::from).unwrap_or(s)
}

/// A small line of a series, 100 × 24 CSS pixels, with its last point marked. Coordinates are integers in a
/// 1000 × 240 view box (integer formatting is what keeps a dashboard of many indicators fast).
pub fn sparkline(series: &[Point], label: &str) -> Markup {
    if series.len() < 2 {
        return html! { span.muted aria-hidden="true" { "—" } };
    }
    let (w, h, pad) = (1000.0, 240.0, 30.0);
    let (lo, hi) =
        series.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.value), hi.max(p.value)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = series.len() as f64 - 1.0;
    let mut pts = String::with_capacity(series.len() * 9);
    let mut last = (0, 0);
    for (i, p) in series.iter().enumerate() {
        let x = (pad + (w - 2.0 * pad) * i as f64 / n).round() as i64;
        let y = (h - pad - (h - 2.0 * pad) * (p.value - lo) / span).round() as i64;
        if i > 0 {
            pts.push(' ');
        }
        let _ = write!(pts, "{x},{y}");
        last = (x, y);
    }
    html! {
        svg.spark viewBox="0 0 1000 240" width="100" height="24" role="img" aria-label=(label) focusable="false" {
            polyline points=(pts) fill="none" {}
            circle cx=(last.0) cy=(last.1) r="22" {}
        }
    }
}

/// "Nice" axis ticks from 0 (or the minimum) to past the maximum.
fn ticks(lo: f64, hi: f64, want: usize) -> (f64, f64, f64) {
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let rough = span / want as f64;
    let mag = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= rough).unwrap_or(10.0 * mag);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// A value axis from `lo` to past `hi`: its ends and its ticks (at most 12). A count's ticks are whole: no
/// tick at 0.4 个, which would read as “0个”, “1个”, “1个” ….
fn value_axis(lo: f64, hi: f64, unit: &str) -> (f64, f64, Vec<f64>) {
    let (y0, y1, step) = ticks(lo, hi, 5);
    let (y0, y1, step) = if jiqun_domain::units::unit_kind(unit) == jiqun_domain::units::UnitKind::Count && step < 1.0 {
        (y0.floor(), y1.ceil().max(y0.floor() + 1.0), 1.0)
    } else {
        (y0, y1, step)
    };
    let mut yticks = Vec::new();
    let mut v = y0;
    while v <= y1 + step * 0.001 && yticks.len() < 12 {
        yticks.push(v);
        v += step;
    }
    (y0, y1, yticks)
}

/// The horizontal grid lines of a value axis, from `x0` to `x1`.
fn grid(yticks: &[f64], x0: f64, x1: f64, py: impl Fn(f64) -> f64) -> Markup {
    html! { g.grid { @for v in yticks { line x1=(c(x0)) x2=(c(x1)) y1=(c(py(*v))) y2=(c(py(*v))) {} } } }
}

/// The labels of a value axis, right-aligned left of `x`.
fn value_labels(yticks: &[f64], x: f64, py: impl Fn(f64) -> f64, unit: &str) -> Markup {
    html! { @for v in yticks { text.ylabel x=(c(x - 8.0)) y=(c(py(*v) + 4.0)) text-anchor="end" { (human(*v, unit)) } } }
}

/// What a line chart is drawn in: its id, its size and its left, right and bottom margins, its title and
/// description (for screen readers), and the unit of its values.
struct LineFrame<'a> {
    id: &'a str,
    size: (f64, f64),
    margins: (f64, f64, f64),
    title: &'a str,
    desc: &'a str,
    unit: &'a str,
}

/// A line chart as a figure: the SVG, titled and described, with the value grid and the axes (the x axis
/// ticked at `xticks`, each a position and its label), then the chart's own `marks`, and its `legend` under it.
fn line_figure(
    f: &LineFrame,
    yticks: &[f64],
    py: impl Fn(f64) -> f64 + Copy,
    xticks: &[(f64, Markup)],
    marks: Markup,
    legend: Markup,
) -> Markup {
    let ((w, h), (ml, mr, mb), id) = (f.size, f.margins, f.id);
    html! {
        figure.chart {
            svg.linechart viewBox={ "0 0 " (w) " " (h) } role="img" aria-labelledby={ (id) "-t " (id) "-d" } focusable="false" {
                title #{ (id) "-t" } { (f.title) }
                desc #{ (id) "-d" } { (f.desc) }
                (grid(yticks, ml, w - mr, py))
                g.axis {
                    line x1=(c(ml)) x2=(c(w - mr)) y1=(c(h - mb)) y2=(c(h - mb)) {}
                    (value_labels(yticks, ml, py, f.unit))
                    @for (x, label) in xticks {
                        line x1=(c(*x)) x2=(c(*x)) y1=(c(h - mb)) y2=(c(h - mb + 5.0)) {}
                        text.xlabel x=(c(*x)) y=(c(h - mb + 20.0)) text-anchor="middle" { (label) }
                    }
                }
                (marks)
            }
            figcaption.legend { (legend) }
        }
    }
}

/// Texts of the indicator chart.
pub struct ChartText<'a> {
    pub title: &'a str,
    pub actual: &'a str,
    pub path: &'a str,
    pub forecast: &'a str,
    pub target: &'a str,
}

/// The indicator chart: province-wide observations (solid, with points), the path from the baseline to the
/// target (dashed; compound growth for growth targets, straight for counts), the forecast from the latest
/// value (dotted, before the target year is over), and the target marked at the target year.
pub fn indicator_chart(iv: &IndicatorView, t: &ChartText, lang: Lang) -> Markup {
    let r = &iv.row;
    let unit = r.unit.as_str();
    let (w, h) = (960.0, 340.0);
    let (ml, mr, mt, mb) = (92.0, 120.0, 20.0, 40.0);
    let target_t = r.target_year as f64;
    let target_v = r.target_value;
    let base = iv.baseline;
    let mut xs: Vec<f64> = iv.series.iter().map(|p| p.period.end_time()).collect();
    xs.push(target_t);
    if let Some(b) = base {
        xs.push(b.period.end_time());
    }
    let mut vs: Vec<f64> = iv.series.iter().map(|p| p.value).collect();
    vs.push(target_v);
    if let Some(m) = r.target_value_max {
        vs.push(m);
    }
    if let Some(b) = base {
        vs.push(b.value);
    }
    let forecast = match (iv.progress.forecast, iv.latest) {
        (Some(f), Some(l)) if !iv.progress.is_final && f.is_finite() && l.period.end_time() < target_t => {
            vs.push(f);
            Some((l, f))
        }
        _ => None,
    };
    let x0 = xs.iter().copied().fold(f64::INFINITY, f64::min).floor();
    let x1 = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max).ceil().max(x0 + 1.0);
    let vmin = vs.iter().copied().fold(f64::INFINITY, f64::min);
    let vmax = vs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1, yticks) =
        value_axis(if vmin >= 0.0 { 0.0 } else { vmin }, if vmax > 0.0 { vmax * 1.05 } else { 1.0 }, unit);
    let px = |t: f64| ml + (w - ml - mr) * (t - x0) / (x1 - x0);
    let py = |v: f64| mt + (h - mt - mb) * (1.0 - (v - y0) / (y1 - y0));
    let every = if x1 - x0 > 12.0 { 2 } else { 1 };
    let years: Vec<i64> = (x0 as i64..=x1 as i64).filter(|y| (y - x0 as i64) % every == 0).collect();

    let mut actual = String::new();
    for p in &iv.series {
        let _ = write!(actual, "{},{} ", c(px(p.period.end_time())), c(py(p.value)));
    }
    // The target path, sampled yearly (compound growth is a curve).
    let mut path = String::new();
    if let Some(b) = base {
        let (t0, v0) = (b.period.end_time(), b.value);
        if target_t > t0 {
            let growth = iv.progress.method == Method::Growth && v0 > 0.0 && target_v > 0.0;
            let steps = ((target_t - t0).ceil() as usize).clamp(1, 60) * 2;
            for k in 0..=steps {
                let f = k as f64 / steps as f64;
                let t = t0 + (target_t - t0) * f;
                let v = if growth { v0 * (target_v / v0).powf(f) } else { v0 + (target_v - v0) * f };
                let _ = write!(path, "{},{} ", c(px(t)), c(py(v)));
            }
        }
    }
    let target_label = match r.target_value_max {
        Some(m) if r.target_cmp == Cmp::Range => {
            format!("{}–{}", super::ui::human_number(target_v, unit), human(m, unit))
        }
        _ => human(target_v, unit),
    };
    let (tx, ty) = (px(target_t), py(target_v));
    let desc = format!(
        "{}: {}",
        t.title,
        iv.series.iter().map(|p| format!("{} {}", p.period, human(p.value, unit))).collect::<Vec<_>>().join(", ")
    );
    let id = format!("chart-{}", r.id);
    let frame = LineFrame { id: &id, size: (w, h), margins: (ml, mr, mb), title: t.title, desc: &desc, unit };
    let xticks: Vec<(f64, Markup)> =
        years.iter().map(|y| (px(*y as f64), html! { (y) (lang.pick("年", "")) })).collect();
    let marks = html! {
                @if !path.is_empty() {
                    polyline.path points=(path.trim_end()) fill="none" {}
                }
                @if let Some((l, f)) = forecast {
                    line.forecast x1=(c(px(l.period.end_time()))) y1=(c(py(l.value))) x2=(c(tx)) y2=(c(py(f))) {}
                    circle.forecast cx=(c(tx)) cy=(c(py(f))) r="4" {}
                }
                @if iv.series.len() > 1 {
                    polyline.actual points=(actual.trim_end()) fill="none" {}
                }
                @for p in &iv.series {
                    circle.actual cx=(c(px(p.period.end_time()))) cy=(c(py(p.value))) r="3.5" {
                        title { (p.period) ": " (human(p.value, unit)) }
                    }
                }
                g.target {
                    line x1=(c(tx)) x2=(c(tx)) y1=(c(mt)) y2=(c(h - mb)) {}
                    path d={ "M" (c(tx)) "," (c(ty - 9.0)) "l8,9 -8,9 -8,-9z" } {}
                    text x=(c(tx + 12.0)) y=(c(ty - 2.0)) { (t.target) }
                    text.strong x=(c(tx + 12.0)) y=(c(ty + 14.0)) { (target_label) }
                }
    };
    let legend = html! {
                span.key.k-actual { (t.actual) }
                span.key.k-path { (t.path) }
                @if forecast.is_some() { span.key.k-forecast { (t.forecast) } }
                span.key.k-target { (t.target) " " (target_label) " (" (r.target_year) ")" }
    };
    line_figure(&frame, &yticks, py, &xticks, marks, legend)
}

/// Texts of the investment chart.
pub struct InvestmentText<'a> {
    pub title: &'a str,
    pub completed: &'a str,
    pub planned: &'a str,
}

/// A project's planned-vs-completed investment: the cumulative investment completed by each period (万元,
/// solid with points, periods evenly spaced in time order) against the planned total (a dashed level line,
/// when a source gives it). Nothing is drawn without a period.
pub fn investment_chart(id: &str, points: &[(String, f64)], planned: Option<f64>, t: &InvestmentText) -> Markup {
    if points.is_empty() {
        return html! {};
    }
    let unit = "万元";
    let (w, h) = (960.0, 300.0);
    let (ml, mr, mt, mb) = (92.0, 140.0, 20.0, 40.0);
    let top = points.iter().map(|p| p.1).chain(planned).fold(0.0_f64, f64::max);
    let (y0, y1, yticks) = value_axis(0.0, if top > 0.0 { top * 1.05 } else { 1.0 }, unit);
    let n = points.len();
    let px = |i: usize| if n == 1 { ml + (w - ml - mr) / 2.0 } else { ml + (w - ml - mr) * i as f64 / (n - 1) as f64 };
    let py = |v: f64| mt + (h - mt - mb) * (1.0 - (v - y0) / (y1 - y0));
    let mut line = String::new();
    for (i, p) in points.iter().enumerate() {
        let _ = write!(line, "{},{} ", c(px(i)), c(py(p.1)));
    }
    let money = |v: f64| human(v * 10_000.0, "元");
    let desc = format!(
        "{}: {}{}",
        t.title,
        points.iter().map(|(p, v)| format!("{p} {}", money(*v))).collect::<Vec<_>>().join(", "),
        planned.map(|v| format!("; {} {}", t.planned, money(v))).unwrap_or_default()
    );
    let frame = LineFrame { id, size: (w, h), margins: (ml, mr, mb), title: t.title, desc: &desc, unit };
    let xticks: Vec<(f64, Markup)> = points.iter().enumerate().map(|(i, p)| (px(i), html! { (p.0) })).collect();
    let marks = html! {
                @if let Some(total) = planned {
                    g.target {
                        line x1=(c(ml)) x2=(c(w - mr)) y1=(c(py(total))) y2=(c(py(total))) {}
                        text x=(c(w - mr + 8.0)) y=(c(py(total) - 2.0)) { (t.planned) }
                        text.strong x=(c(w - mr + 8.0)) y=(c(py(total) + 14.0)) { (money(total)) }
                    }
                }
                @if n > 1 {
                    polyline.actual points=(line.trim_end()) fill="none" {}
                }
                @for (i, p) in points.iter().enumerate() {
                    circle.actual cx=(c(px(i))) cy=(c(py(p.1))) r="3.5" {
                        title { (p.0) ": " (money(p.1)) }
                    }
                }
    };
    let legend = html! {
                span.key.k-actual { (t.completed) }
                @if let Some(total) = planned { span.key.k-target { (t.planned) " " (money(total)) } }
    };
    line_figure(&frame, &yticks, py, &xticks, marks, legend)
}

/// Where each of Guangdong's 21 cities sits on the tile grid (column, row): roughly geographic, the Pearl
/// River Delta's nine in the centre, the east's four to the right, the west's three to the lower left and
/// the north's five above.
pub const TILES: &[(&str, u8, u8)] = &[
    ("韶关", 4, 0),
    ("梅州", 8, 0),
    ("清远", 3, 1),
    ("河源", 6, 1),
    ("揭阳", 8, 1),
    ("潮州", 9, 1),
    ("云浮", 1, 2),
    ("肇庆", 2, 2),
    ("佛山", 3, 2),
    ("广州", 4, 2),
    ("东莞", 5, 2),
    ("惠州", 6, 2),
    ("汕尾", 7, 2),
    ("汕头", 9, 2),
    ("茂名", 0, 3),
    ("阳江", 1, 3),
    ("江门", 3, 3),
    ("中山", 4, 3),
    ("深圳", 5, 3),
    ("湛江", 0, 4),
    ("珠海", 4, 4),
];

/// One tile: the city, its value's text, the class (0-4, or None without data), and its region.
pub struct Tile<'a> {
    pub city: &'a str,
    pub region: &'a str,
    pub value: Option<String>,
    pub class: Option<usize>,
}

pub fn tile_map(tiles: &[Tile], title: &str, no_data: &str) -> Markup {
    let (tw, th, gap) = (92.0, 64.0, 6.0);
    let w = 10.0 * (tw + gap);
    let h = 5.0 * (th + gap);
    html! {
        svg.tilemap viewBox={ "0 0 " (w) " " (h) } role="group" aria-label=(title) focusable="false" {
            title { (title) }
            @for (name, col, row) in TILES {
                @let x = f64::from(*col) * (tw + gap);
                @let y = f64::from(*row) * (th + gap);
                @let tile = tiles.iter().find(|t| t.city == *name);
                @let class = tile.and_then(|t| t.class).map(|k| format!("q{k}")).unwrap_or_else(|| "qn".into());
                @let value = tile.and_then(|t| t.value.clone()).unwrap_or_else(|| no_data.to_string());
                @let region = tile.map(|t| t.region).unwrap_or("");
                a href={ "/cities/" (enc(name)) } aria-label={ (name) " (" (region) "): " (value) } {
                    rect.(class).(region_class(region)) x=(c(x)) y=(c(y)) width=(c(tw)) height=(c(th)) rx="6" {}
                    text.tname.(class) x=(c(x + tw / 2.0)) y=(c(y + 27.0)) text-anchor="middle" { (name) }
                    text.tval.(class) x=(c(x + tw / 2.0)) y=(c(y + 48.0)) text-anchor="middle" { (value) }
                }
            }
        }
    }
}

fn region_class(region: &str) -> &'static str {
    match region {
        "珠三角" => "r-prd",
        "粤东" => "r-east",
        "粤西" => "r-west",
        "粤北" => "r-north",
        _ => "r-other",
    }
}

/// Quantile class breaks (up to 4 inner breaks → 5 classes) of a set of values.
pub fn quantile_breaks(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    if v.len() < 2 {
        return Vec::new();
    }
    let mut out: Vec<f64> = (1..5).map(|k| v[(v.len() * k / 5).min(v.len() - 1)]).collect();
    out.dedup();
    out
}

/// The class of a value given the breaks: 0 below the first break, and so on.
pub fn class_of(v: f64, breaks: &[f64]) -> usize {
    breaks.iter().take_while(|b| v >= **b).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_city_has_one_tile() {
        let m = jiqun_domain::RegionModel::guangdong();
        let mut cells: Vec<(u8, u8)> = TILES.iter().map(|t| (t.1, t.2)).collect();
        cells.sort_unstable();
        cells.dedup();
        assert_eq!(cells.len(), 21, "no two cities share a tile");
        for c in m.prefecture_cities() {
            assert!(TILES.iter().any(|t| t.0 == c.name), "{} has no tile", c.name);
        }
    }

    #[test]
    fn nice_ticks_and_classes() {
        let (lo, hi, step) = ticks(0.0, 7.35e12, 5);
        assert_eq!((lo, hi, step), (0.0, 8e12, 2e12));
        let b = quantile_breaks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!(b, vec![3.0, 5.0, 7.0, 9.0]);
        assert_eq!(class_of(1.0, &b), 0);
        assert_eq!(class_of(10.0, &b), 4);
    }
}
