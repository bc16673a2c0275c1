//! A readable summary of a compiled plan in Markdown: targets, facts, the responsibility matrix
//! (departments × items), cities per item, the cluster layout and the diagnostics.

use std::fmt::Write;

use jiqun_domain::Lang;
use jiqun_domain::plan::{Level, Plan};

/// A figure in the unit people read: 7万亿元, 1.8万亿元, 6%, 3个 (the rules are `jiqun_domain::units`).
pub fn human_value(v: f64, unit: &str) -> String {
    jiqun_domain::units::figure(v, unit)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A table's header row and the rule under it.
fn head(o: &mut String, names: &[&str]) {
    let _ = writeln!(o, "| {} |\n{}|", names.join(" | "), "|---".repeat(names.len()));
}

pub fn render(plan: &Plan, lang: Lang) -> String {
    let t = |zh: &'static str, en: &'static str| lang.pick(zh, en);
    let mut o = String::new();
    let none = t("(无)", "(none)");
    let _ = writeln!(o, "# {}\n", plan.name);
    head(&mut o, &[t("项目", "field"), t("内容", "value")]);
    let _ =
        writeln!(o, "| {} | {} |", t("标题", "title"), plan.title.as_deref().map(cell).unwrap_or_else(|| none.into()));
    let _ = writeln!(o, "| {} | {} |", t("文号", "document number"), plan.doc_number.as_deref().unwrap_or(none));
    let _ = writeln!(o, "| {} | {} |", t("印发日期", "issued on"), plan.issued_on.as_deref().unwrap_or(none));
    let _ = writeln!(o, "| {} | {} |", t("发布日期", "published on"), plan.published_on.as_deref().unwrap_or(none));
    let _ = writeln!(o, "| {} | {} |", t("有效期至", "valid until"), plan.valid_until.as_deref().unwrap_or(none));
    let _ = writeln!(
        o,
        "| {} | {} |",
        t("索引号", "index number"),
        plan.index_no.as_deref().map(cell).unwrap_or_else(|| none.into())
    );
    let issuers = if plan.issuers.is_empty() { none.to_string() } else { plan.issuers.join("、") };
    let _ = writeln!(o, "| {} | {} |", t("印发单位", "issued by"), issuers);
    let period = match plan.period {
        Some(p) => format!(
            "{}—{}",
            p.start.map(|y| y.to_string()).unwrap_or_default(),
            p.end.map(|y| y.to_string()).unwrap_or_default()
        ),
        None => none.to_string(),
    };
    let _ = writeln!(o, "| {} | {} |", t("实施期", "period"), period);
    let items = plan.all_items();
    let _ = writeln!(o, "| {} | {} / {} |", t("章节 / 条目", "sections / items"), plan.sections.len(), items.len());

    let _ = writeln!(o, "\n## {}\n", t("章节与条目", "Sections and items"));
    for s in &plan.sections {
        let _ = writeln!(o, "- **{}. {}** ({})", s.no, s.title, s.kind.as_str());
        for it in &s.items {
            let _ = writeln!(o, "  - {} {}", it.id, it.title);
            for c in &it.children {
                let _ = writeln!(o, "    - {} {}", c.id, c.title);
            }
        }
    }

    let _ = writeln!(o, "\n## {}\n", t("量化目标", "Targets"));
    if plan.targets.is_empty() {
        let _ = writeln!(o, "{none}");
    } else {
        let names =
            [t("条目", "item"), t("指标", "subject"), t("比较", "cmp"), t("目标值", "value"), t("年份", "year")];
        head(&mut o, &names);
        for tg in &plan.targets {
            let value = match tg.value_max {
                Some(max) => {
                    format!("{}–{}", jiqun_domain::units::figure_number(tg.value, &tg.unit), human_value(max, &tg.unit))
                }
                None => human_value(tg.value, &tg.unit),
            };
            let year = tg.year.map(|y| y.to_string()).unwrap_or_default();
            let _ = writeln!(o, "| {} | {} | {} | {} | {} |", tg.item, cell(&tg.subject), tg.cmp.as_str(), value, year);
        }
    }
    if !plan.facts.is_empty() {
        let _ = writeln!(o, "\n## {}\n", t("基期事实", "Facts"));
        head(&mut o, &[t("条目", "item"), t("指标", "subject"), t("数值", "value"), t("年份", "year")]);
        for f in &plan.facts {
            let year = f.year.map(|y| y.to_string()).unwrap_or_default();
            let _ = writeln!(o, "| {} | {} | {} | {} |", f.item, cell(&f.subject), human_value(f.value, &f.unit), year);
        }
    }

    let _ = writeln!(o, "\n## {}\n", t("责任分工矩阵", "Responsibility matrix"));
    let _ = writeln!(o, "{}\n", t("牵 = 牵头单位，负 = 按职责分工负责", "L = lead agency, C = co-responsible"));
    let with_roles: Vec<_> = items.iter().filter(|i| !i.lead.is_empty() || !i.co.is_empty()).collect();
    if plan.agencies.is_empty() {
        let _ = writeln!(o, "{none}");
    } else {
        let mut header = format!("| {} |", t("单位", "agency"));
        let mut rule = "|---|".to_string();
        for it in &with_roles {
            let _ = write!(header, " {} |", it.id);
            rule.push_str(":-:|");
        }
        let _ = write!(header, " {} | {} |", t("牵头", "lead"), t("负责", "co"));
        rule.push_str("--:|--:|");
        let _ = writeln!(o, "{header}\n{rule}");
        for a in &plan.agencies {
            let mut row = format!("| {} |", a.name);
            for it in &with_roles {
                let mark = if a.lead.contains(&it.id) {
                    t("牵", "L")
                } else if a.co.contains(&it.id) {
                    t("负", "C")
                } else {
                    ""
                };
                let _ = write!(row, " {mark} |");
            }
            let _ = write!(row, " {} | {} |", a.lead.len(), a.co.len());
            let _ = writeln!(o, "{row}");
        }
    }

    let _ = writeln!(o, "\n## {}\n", t("各条目涉及城市", "Cities per item"));
    let with_cities: Vec<_> = items.iter().filter(|i| !i.cities.is_empty() || !i.regions.is_empty()).collect();
    if with_cities.is_empty() {
        let _ = writeln!(o, "{none}");
    } else {
        head(&mut o, &[t("条目", "item"), t("城市", "cities"), t("区域", "regions")]);
        for it in with_cities {
            let _ =
                writeln!(o, "| {} {} | {} | {} |", it.id, cell(&it.title), it.cities.join("、"), it.regions.join("、"));
        }
    }
    if !plan.layout.is_empty() {
        let _ = writeln!(o, "\n## {}\n", t("产业布局", "Cluster layout"));
        head(&mut o, &[t("条目", "item"), t("布局", "what"), t("城市", "cities")]);
        for l in &plan.layout {
            let _ = writeln!(o, "| {} | {} | {} |", l.item, cell(&l.subject), l.cities.join("、"));
        }
    }
    if !plan.diagnostics.is_empty() {
        let _ = writeln!(o, "\n## {}\n", t("提示", "Diagnostics"));
        for d in &plan.diagnostics {
            let level = match d.level {
                Level::Warning => t("警告", "warning"),
                Level::Info => t("提示", "info"),
            };
            let line = match (d.line, lang) {
                (Some(l), Lang::Zh) => format!("第 {l} 行：",),
                (Some(l), Lang::En) => format!("line {l}: "),
                (None, _) => String::new(),
            };
            let _ = writeln!(o, "- {level}{}{line}{}", lang.pick("：", ": "), d.message);
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_values() {
        assert_eq!(human_value(7e12, "元"), "7万亿元");
        assert_eq!(human_value(1.8e12, "元"), "1.8万亿元");
        assert_eq!(human_value(1e11, "元"), "1000亿元");
        assert_eq!(human_value(6.0, "%"), "6%");
        assert_eq!(human_value(3.0, "个"), "3个");
        assert_eq!(human_value(2e6, "辆"), "200万辆");
    }
}
