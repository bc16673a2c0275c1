//! The bulletin's chart of a target, drawn once as SVG: the web page shows it inline, and the Word document
//! carries it rasterised (`crate::raster`). Bars for the baseline and the latest value, a dashed line at the
//! target (a band for a range), each figure written as officials write it (`jiqun_domain::units::figure`).
//!
//! The SVG names no font: a browser draws its text in the page's font, and the rasteriser in the CJK font it
//! found (`usvg::Options::font_family`). Colours are presentation attributes, so that the chart looks the
//! same without the site's style sheet.

use std::fmt::Write as _;

use jiqun_domain::units::{UnitKind, figure, unit_kind};

/// The chart's size in SVG user units (CSS pixels); it keeps this proportion wherever it is placed.
pub const WIDTH: f64 = 640.0;
pub const HEIGHT: f64 = 300.0;

/// What a bar stands for, which sets its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarKind {
    Baseline,
    Latest,
}

#[derive(Debug, Clone)]
pub struct Bar {
    /// Under the bar: `基期（2019年）`.
    pub label: String,
    pub value: f64,
    pub kind: BarKind,
}

/// The target: its value (and the upper end of a range) and how it is labelled (`目标 7万亿元（2025年）`).
#[derive(Debug, Clone)]
pub struct TargetMark {
    pub label: String,
    pub value: f64,
    pub value_max: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct TargetChart {
    pub title: String,
    /// The unit of every value (`元`, `%`, `个`): the figures and the axis are written in it.
    pub unit: String,
    pub bars: Vec<Bar>,
    pub target: Option<TargetMark>,
    /// Said by a screen reader (`aria-label`) and used as the picture's alternative text.
    pub description: String,
}

const BASELINE_FILL: &str = "#9aa5b1";
const LATEST_FILL: &str = "#1f5fa8";
const TARGET_STROKE: &str = "#c0392b";
const INK: &str = "#222222";
const GRID: &str = "#d9d9d9";

/// A compact coordinate.
fn c(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(String::from).unwrap_or(s)
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c < ' ' || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Round axis steps (1, 2, 2.5, 5 × 10ⁿ) from `lo` to past `hi`, at most 8 ticks; whole steps for counts.
fn axis(lo: f64, hi: f64, unit: &str) -> Vec<f64> {
    let span = (hi - lo).max(f64::MIN_POSITIVE);
    let rough = span / 4.0;
    let mag = 10f64.powf(rough.log10().floor());
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= rough).unwrap_or(10.0 * mag);
    if unit_kind(unit) == UnitKind::Count {
        step = step.max(1.0).round();
    }
    if !step.is_finite() || step <= 0.0 {
        return vec![lo, hi];
    }
    let first = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut v = first;
    while ticks.len() < 8 {
        ticks.push(v);
        if v >= hi - step * 1e-9 {
            break;
        }
        v += step;
    }
    ticks
}

/// The chart as an SVG document (also valid inside HTML).
pub fn target_chart(chart: &TargetChart) -> String {
    let unit = chart.unit.as_str();
    let bars: Vec<&Bar> = chart.bars.iter().filter(|b| b.value.is_finite()).collect();
    let target = chart.target.as_ref().filter(|t| t.value.is_finite());
    let mut values: Vec<f64> = bars.iter().map(|b| b.value).collect();
    if let Some(t) = target {
        values.push(t.value);
        values.extend(t.value_max.filter(|v| v.is_finite()));
    }
    // Bars start at zero, so that their lengths compare honestly; room above the highest for its label.
    let lo = values.iter().copied().fold(0.0, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let hi = if hi <= lo { lo + 1.0 } else { hi };
    let ticks = axis(lo, hi + (hi - lo) * 0.12, unit);
    let (y0, y1) = (ticks.first().copied().unwrap_or(lo), ticks.last().copied().unwrap_or(hi));
    let (ml, mr, mt, mb) = (104.0, 24.0, 44.0, 40.0);
    let (pw, ph) = (WIDTH - ml - mr, HEIGHT - mt - mb);
    let py = |v: f64| mt + ph - ph * (v - y0) / (y1 - y0).max(f64::MIN_POSITIVE);
    let mut s = String::with_capacity(4096);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"targetchart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{d}\">",
        w = c(WIDTH),
        h = c(HEIGHT),
        d = esc(&chart.description)
    );
    let _ = write!(s, "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>", c(WIDTH), c(HEIGHT));
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\" fill=\"{INK}\">{}</text>",
        c(WIDTH / 2.0),
        esc(&chart.title)
    );
    // The value axis: grid lines and their figures.
    for v in &ticks {
        let y = c(py(*v));
        let _ = write!(
            s,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{GRID}\" stroke-width=\"1\"/>",
            c(ml),
            c(ml + pw)
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"{INK}\">{}</text>",
            c(ml - 8.0),
            c(py(*v) + 4.0),
            esc(&figure(*v, unit))
        );
    }
    let zero = py(0.0_f64.clamp(y0, y1));
    let _ = write!(
        s,
        "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.2\"/>",
        c(ml),
        c(ml + pw),
        c(zero),
        c(zero)
    );
    // The target: a band for a range, and a dashed line at its value, labelled at the right.
    if let Some(t) = target {
        if let Some(max) = t.value_max.filter(|m| m.is_finite() && *m > t.value) {
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{TARGET_STROKE}\" fill-opacity=\"0.12\"/>",
                c(ml),
                c(py(max)),
                c(pw),
                c((py(t.value) - py(max)).max(0.0))
            );
        }
        let y = py(t.value);
        let _ = write!(
            s,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"{TARGET_STROKE}\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>",
            c(ml),
            c(ml + pw),
            c(y),
            c(y)
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"13\" fill=\"{TARGET_STROKE}\">{}</text>",
            c(ml + pw - 4.0),
            c(y - 6.0),
            esc(&t.label)
        );
    }
    // The bars, evenly spread, each with its figure above and its label below.
    let n = bars.len().max(1) as f64;
    let slot = pw / n.max(2.0);
    let bw = (slot * 0.5).min(110.0);
    let start = ml + (pw - slot * n) / 2.0;
    for (i, b) in bars.iter().enumerate() {
        let cx = start + slot * (i as f64 + 0.5);
        let (top, bottom) = if b.value >= 0.0 { (py(b.value), zero) } else { (zero, py(b.value)) };
        let fill = match b.kind {
            BarKind::Baseline => BASELINE_FILL,
            BarKind::Latest => LATEST_FILL,
        };
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
            c(cx - bw / 2.0),
            c(top),
            c(bw),
            c((bottom - top).max(1.0))
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"{INK}\">{}</text>",
            c(cx),
            c(top - 6.0),
            esc(&figure(b.value, unit))
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" fill=\"{INK}\">{}</text>",
            c(cx),
            c(mt + ph + 24.0),
            esc(&b.label)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(bars: Vec<Bar>, target: Option<TargetMark>) -> TargetChart {
        TargetChart {
            title: "新一代信息技术产业规模 <营收> & “产值”".into(),
            unit: "元".into(),
            bars,
            target,
            description: "基期 4.4万亿元，最新 6万亿元，目标 7万亿元".into(),
        }
    }

    #[test]
    fn a_chart_is_svg_with_its_figures_and_target() {
        let svg = target_chart(&chart(
            vec![
                Bar { label: "基期（2019年）".into(), value: 4.4e12, kind: BarKind::Baseline },
                Bar { label: "最新（2024年）".into(), value: 6.0e12, kind: BarKind::Latest },
            ],
            Some(TargetMark { label: "目标 7万亿元（2025年）".into(), value: 7e12, value_max: None }),
        ));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.ends_with("</svg>"));
        assert!(svg.contains("4.4万亿元") && svg.contains("6万亿元") && svg.contains("目标 7万亿元（2025年）"));
        assert!(svg.contains("&lt;营收&gt; &amp;"), "text escaped");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn nothing_numeric_breaks_it() {
        for (bars, target) in [
            (vec![], None),
            (vec![Bar { label: "x".into(), value: f64::NAN, kind: BarKind::Latest }], None),
            (
                vec![Bar { label: "负".into(), value: -3.5, kind: BarKind::Latest }],
                Some(TargetMark { label: "区间".into(), value: 3.0, value_max: Some(5.0) }),
            ),
            (
                vec![Bar { label: "零".into(), value: 0.0, kind: BarKind::Baseline }],
                Some(TargetMark { label: "inf".into(), value: f64::INFINITY, value_max: None }),
            ),
            (vec![Bar { label: "大".into(), value: 1e300, kind: BarKind::Latest }], None),
        ] {
            let svg = target_chart(&TargetChart { unit: "个".into(), ..chart(bars, target) });
            assert!(!svg.contains("NaN"), "{svg}");
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn a_count_axis_has_whole_steps() {
        let ticks = axis(0.0, 3.0, "个");
        assert!(ticks.iter().all(|t| t.fract() == 0.0), "{ticks:?}");
    }
}
