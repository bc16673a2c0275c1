//! A chain drawn as SVG on the server: the tiers left to right (upstream, midstream, downstream), each node
//! a circle sized by its strength and coloured by it, a node with a gap ringed in red with the gap's rule
//! named under it, each node a link to its firms. Colours are presentation attributes, so the same drawing
//! works inside a page (under the content security policy) and as a file of its own (`map.svg`), on screen
//! and on paper.

use jiqun_app::chains::{ChainDetail, ChainNodeView};
use jiqun_domain::Lang;
use jiqun_domain::chains::Tier;
use maud::{Markup, html};

use crate::kit::ui::{enc, num};

const WIDTH: f64 = 960.0;
const COLUMN: f64 = 320.0;
const ROW: f64 = 64.0;
const TOP: f64 = 78.0;

/// The fill of a node: none on it, weak (below the threshold) or standing.
fn fill(n: &ChainNodeView, threshold: f64) -> &'static str {
    if n.report.firms == 0 {
        "#eceff1"
    } else if n.report.strength.score < threshold {
        "#f6c343"
    } else {
        "#3d8b5a"
    }
}

/// The drawing, for a page. `standalone` adds the XML namespace a file of its own needs.
pub fn chain_map(c: &ChainDetail, lang: Lang, standalone: bool) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let threshold = c.settings.strength_threshold;
    let columns: Vec<Vec<&ChainNodeView>> =
        Tier::ALL.iter().map(|tier| c.nodes.iter().filter(|n| n.tier == *tier).collect()).collect();
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let legend_y = TOP + rows as f64 * ROW + 10.0;
    let height = legend_y + 56.0;
    let title = format!("{}{}", lang.pick(&c.summary.name, &c.summary.name_en), t("产业链图谱", " chain map"));
    let xmlns = standalone.then_some("http://www.w3.org/2000/svg");
    html! {
        svg.chainmap xmlns=[xmlns] viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height) role="group"
            aria-label=(title) font-family="'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif" {
            title { (title) }
            rect x="0" y="0" width=(WIDTH) height=(height) fill="#ffffff" {}
            @for (i, tier) in Tier::ALL.iter().enumerate() {
                @let x = 16.0 + i as f64 * COLUMN;
                rect x=(x) y="14" width=(COLUMN - 32.0) height="34" rx="4" fill="#e8eef7" {}
                text x=(x + (COLUMN - 32.0) / 2.0) y="37" text-anchor="middle" font-size="16" font-weight="700" fill="#1b3a5c" {
                    (tier.label(lang)) " · " (columns[i].len()) (t(" 个环节", " nodes"))
                }
                @if i + 1 < Tier::ALL.len() {
                    path d={ "M" (x + COLUMN - 30.0) " 31 l12 0 m-5 -5 l5 5 l-5 5" } stroke="#1b3a5c" stroke-width="2" fill="none" {}
                }
                @for (row, n) in columns[i].iter().enumerate() {
                    (node(c, n, x, TOP + row as f64 * ROW, threshold, lang))
                }
            }
            // Legend.
            @let ly = legend_y + 18.0;
            circle cx="28" cy=(ly) r="9" fill="#3d8b5a" {}
            text x="44" y=(ly + 5.0) font-size="13" fill="#333" { (t("强度达标", "strength at or above the threshold")) " (≥" (num(threshold, 0)) ")" }
            circle cx="340" cy=(ly) r="9" fill="#f6c343" {}
            text x="356" y=(ly + 5.0) font-size="13" fill="#333" { (t("强度不足", "below the threshold")) }
            circle cx="520" cy=(ly) r="9" fill="#eceff1" stroke="#90a4ae" stroke-dasharray="3 2" {}
            text x="536" y=(ly + 5.0) font-size="13" fill="#333" { (t("省内无企业", "no firm in the province")) }
            circle cx="720" cy=(ly) r="9" fill="none" stroke="#c62828" stroke-width="3" {}
            text x="736" y=(ly + 5.0) font-size="13" fill="#333" { (t("有短板（红圈）", "a gap (red ring)")) }
            text x="16" y=(ly + 30.0) font-size="12" fill="#666" {
                (t("圆的大小表示环节强度（0—100）；点击环节查看企业。", "Circle size shows a node's strength (0–100); select a node for its firms."))
            }
        }
    }
}

fn node(c: &ChainDetail, n: &ChainNodeView, x: f64, y: f64, threshold: f64, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let r = 7.0 + 15.0 * (n.report.strength.score / 100.0).clamp(0.0, 1.0);
    let cx = x + 24.0;
    let name = lang.pick(&n.name_zh, &n.name_en);
    let short = clip(name, 16);
    let gaps: Vec<String> = n.report.gaps.iter().map(|g| g.rule.label().get(lang).to_string()).collect();
    let href = format!("/chains/{}/nodes/{}", enc(&c.summary.id), enc(&n.id));
    let summary = format!(
        "{name}: {}{}{}{}",
        n.report.firms,
        t(" 家企业，强度 ", " firms, strength "),
        num(n.report.strength.score, 0),
        if n.report.gaps.is_empty() {
            String::new()
        } else {
            format!("{}{}", t("；短板：", "; gaps: "), gaps.join(", "))
        }
    );
    let dashed = n.report.firms == 0;
    html! {
        a href=(href) aria-label=(summary) {
            title { (summary) }
            circle cx=(cx) cy=(y) r=(num(r, 1)) fill=(fill(n, threshold))
                stroke=(if dashed { "#90a4ae" } else { "#ffffff" }) stroke-dasharray=[dashed.then_some("3 2")] {}
            @if !n.report.gaps.is_empty() {
                circle cx=(cx) cy=(y) r=(num(r + 4.0, 1)) fill="none" stroke="#c62828" stroke-width="3" {}
            }
            text x=(cx + 30.0) y=(y - 3.0) font-size="14" fill="#111" { (short) }
            text x=(cx + 30.0) y=(y + 13.0) font-size="11" fill="#555" {
                (n.report.firms) (t(" 家 · 强度 ", " firms · strength ")) (num(n.report.strength.score, 0))
            }
            @if !gaps.is_empty() {
                text x=(cx + 30.0) y=(y + 26.0) font-size="11" fill="#b71c1c" { (clip(&gaps.join(t("、", "; ")), 30)) }
            }
        }
    }
}

/// A label cut to fit its column, with an ellipsis (the whole text is in the node's title).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() > max { s.chars().take(max - 1).chain(['…']).collect() } else { s.to_string() }
}

/// The drawing as a file of its own.
pub fn chain_map_file(c: &ChainDetail, lang: Lang) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&chain_map(c, lang, true).into_string());
    out.push('\n');
    out
}
