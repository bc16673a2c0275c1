//! The progress bulletin (督办通报) as a Word document: the same `Bulletin` the printable page shows, laid out
//! as an official document (cover, 一、… headings in Word's Heading styles, tables whose header rows repeat,
//! a chart per target as a picture, appendix tables). `jiqun report --format docx` and
//! `/plans/{id}/bulletin.docx` write it; the chart of a target is drawn once (`chart_of`) for this document
//! and for the page.

use jiqun_app::bulletin::{Bulletin, TargetLine};
use jiqun_app::{AppError, Code};
use jiqun_domain::Lang;
use jiqun_domain::plan::Cmp;
use jiqun_domain::report::ReviewState;
use jiqun_office::chart::{self, Bar, BarKind, TargetChart, TargetMark};
use jiqun_office::docx::{Align, Document, Para, Table};
use jiqun_office::raster::Rasteriser;

use crate::kit::ui;

/// The media type of a .docx file.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A chart's width on the page, in centimetres (its height keeps the chart's proportion).
const CHART_CM: f64 = 14.0;

/// How a target reads: `超过7万亿元`, `3–5个`, `不超过0.3%` (by 2025).
pub fn target_text(l: &TargetLine, lang: Lang) -> String {
    match (l.target_cmp, l.target_value_max) {
        (Cmp::Range, Some(max)) => {
            format!("{}–{}", ui::human_number(l.target_value, &l.unit), ui::human(max, &l.unit))
        }
        (cmp, _) => {
            let space = if lang == Lang::En { " " } else { "" };
            format!("{}{space}{}", cmp.label(lang), ui::human(l.target_value, &l.unit))
        }
    }
}

/// The chart of a target: its baseline and latest values against the target; `None` when it has neither
/// value yet (nothing to draw).
pub fn chart_of(l: &TargetLine, lang: Lang) -> Option<TargetChart> {
    let t = |zh, en| lang.pick(zh, en);
    let point = |label: &str, (p, v): &(String, f64), kind| Bar {
        label: format!("{label}{}", ui::paren(lang, &ui::period_label(p, lang))),
        value: *v,
        kind,
    };
    let mut bars = Vec::new();
    if let Some(b) = &l.baseline {
        bars.push(point(t("基期", "Baseline"), b, BarKind::Baseline));
    }
    if let Some(x) = &l.latest {
        bars.push(point(t("最新", "Latest"), x, BarKind::Latest));
    }
    if bars.is_empty() {
        return None;
    }
    let year = if lang == Lang::Zh { format!("{}年", l.target_year) } else { l.target_year.to_string() };
    let target = format!("{}{}", t("目标：", "Target: "), target_text(l, lang));
    let status = l.status.map(|s| s.label(lang).to_string()).unwrap_or_else(|| t("尚无数据", "no data").into());
    let figures: Vec<String> = bars.iter().map(|b| format!("{} {}", b.label, ui::human(b.value, &l.unit))).collect();
    Some(TargetChart {
        title: format!("{}{}", l.name, ui::paren(lang, &status)),
        unit: l.unit.clone(),
        description: format!("{}{}{}{}{}", l.name, ui::colon(lang), figures.join(ui::sep(lang)), ui::sep(lang), target),
        target: Some(TargetMark {
            label: format!("{target}{}", ui::paren(lang, &year)),
            value: l.target_value,
            value_max: l.target_value_max.filter(|_| l.target_cmp == Cmp::Range),
        }),
        bars,
    })
}

/// A department's report state for the period, as the bulletin says it.
fn state_text(state: Option<ReviewState>, lang: Lang) -> &'static str {
    match state {
        None => lang.pick("未报送", "missing"),
        Some(s) => s.label(lang),
    }
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::new(Code::Internal, "无法生成 Word 通报", "the Word bulletin cannot be made").caused_by(e)
}

/// The bulletin as a .docx file, its charts drawn by `raster`.
pub fn docx(b: &Bulletin, lang: Lang, raster: &Rasteriser) -> Result<Vec<u8>, AppError> {
    let t = |zh, en| lang.pick(zh, en);
    let period = ui::period_text(b.period, lang);
    let title = format!("{}{}{}", b.plan_name, t(" 实施进展通报 ", " — progress bulletin, "), period);
    let mut d = Document::new(&title, "Jiqun");
    d.created(&b.made_on.to_string());

    // The cover.
    if b.synthetic {
        d.styled(Para::Stamp, t("示例数据（合成），非官方统计", "Synthetic demo data, not official statistics"));
    }
    if !b.issuers.is_empty() {
        d.styled(Para::Centred, &b.issuers.join(ui::sep(lang)));
    }
    d.styled(Para::Title, &format!("{}\n{}", b.plan_name, t("实施进展通报", "Progress bulletin")));
    d.styled(Para::Centred, &format!("{}{period}", t("报告期：", "Period: ")));
    if let Some(n) = &b.doc_number {
        d.styled(Para::Centred, &format!("{}{n}", t("依据：", "Under ")));
    }
    if let Some(dl) = &b.deadline {
        d.styled(Para::Centred, &format!("{}{dl}", t("报送截止日期：", "Reports due by ")));
    }
    d.styled(Para::Centred, &format!("{}{}", t("生成日期：", "Made on "), b.made_on));
    d.page_break();

    // 一、Targets: the summary table, then a chart per target.
    d.heading(1, t("一、目标完成情况", "1. Targets"));
    let mut counts = String::new();
    for (label, n) in super::bulletin::status_counts(b, lang) {
        counts.push_str(&format!("{label} {n}{}", t(" 项；", "; ")));
    }
    d.paragraph(&format!("{}{}{}{counts}", t("共 ", ""), b.targets.len(), t(" 项指标：", " indicators: ")));
    d.heading(2, t("（一）指标完成情况汇总", "1.1 Summary"));
    let mut table = Table::new([
        t("序号", "No."),
        t("指标", "Indicator"),
        t("目标", "Target"),
        t("基期值", "Baseline"),
        t("最新值", "Latest"),
        t("状态", "Status"),
    ])
    .widths(&[1.2, 4.2, 2.8, 2.6, 2.6, 2.2])
    .align(&[Align::Centre, Align::Left, Align::Left, Align::Right, Align::Right, Align::Centre]);
    let value = |x: &Option<(String, f64)>, unit: &str| match x {
        Some((p, v)) => format!("{}\n{}", ui::human(*v, unit), ui::paren(lang, &ui::period_label(p, lang)).trim()),
        None => "—".into(),
    };
    for (i, l) in b.targets.iter().enumerate() {
        let year = if lang == Lang::Zh { format!("{}年", l.target_year) } else { l.target_year.to_string() };
        table.row([
            (i + 1).to_string(),
            l.name.clone(),
            format!("{}{}", target_text(l, lang), ui::paren(lang, &year)),
            value(&l.baseline, &l.unit),
            value(&l.latest, &l.unit),
            l.status.map(|s| s.label(lang).to_string()).unwrap_or_else(|| t("尚无数据", "no data").into()),
        ]);
    }
    d.table(&table);
    d.heading(2, t("（二）分指标进展图", "1.2 Each target"));
    let mut without = Vec::new();
    for l in &b.targets {
        let Some(c) = chart_of(l, lang) else {
            without.push(l.name.clone());
            continue;
        };
        let png = raster.png(&chart::target_chart(&c), 2.0).map_err(failed)?;
        d.picture(png, CHART_CM, CHART_CM * chart::HEIGHT / chart::WIDTH, &c.description).map_err(failed)?;
    }
    if !without.is_empty() {
        d.styled(
            Para::Note,
            &format!("{}{}", t("尚无数据、未作图的指标：", "Not charted, no data yet: "), without.join(ui::sep(lang))),
        );
    }

    // 二、Responsibilities: each department's reports for the period, counted by state (each task in 附表1).
    d.heading(1, t("二、责任分工落实情况", "2. Responsibilities"));
    let states: [Option<ReviewState>; 5] = [
        Some(ReviewState::Accepted),
        Some(ReviewState::Submitted),
        Some(ReviewState::Draft),
        Some(ReviewState::Returned),
        None,
    ];
    let all: Vec<_> = b.matrix.iter().flat_map(|(_, cells)| cells.iter()).collect();
    let count = |s: Option<ReviewState>| all.iter().filter(|c| c.state == s).count();
    let mut line =
        format!("{}{}{}", t("本期应报 ", ""), all.len(), t(" 项任务，其中", " assignments due this period: "));
    for (i, s) in states.iter().enumerate() {
        if i > 0 {
            line.push_str(ui::sep(lang));
        }
        line.push_str(&format!("{} {}{}", state_text(*s, lang), count(*s), t(" 项", "")));
    }
    line.push_str(t("。", "."));
    if let Some(dl) = &b.deadline {
        line.push_str(&format!("{}{dl}{}", t("报送截止日期为 ", " Reports were due by "), t("。", ".")));
    }
    line.push_str(t("各项任务的报送情况见附表1。", " Each assignment is listed in appendix table 1."));
    d.paragraph(&line);
    let mut header = vec![t("单位", "Department").to_string(), t("任务数", "Tasks").to_string()];
    header.extend(states.iter().map(|s| state_text(*s, lang).to_string()));
    let mut by_dept = Table::new(header).widths(&[4.6, 1.6, 1.8, 1.8, 1.6, 1.6, 1.8]).align(&[
        Align::Left,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
        Align::Right,
    ]);
    for (agency, cells) in &b.matrix {
        let mut row = vec![agency.clone(), cells.len().to_string()];
        row.extend(states.iter().map(|s| cells.iter().filter(|c| c.state == *s).count().to_string()));
        by_dept.row(row);
    }
    d.table(&by_dept);

    // 三、Overdue and stalled, named with their departments.
    d.heading(1, t("三、逾期和滞后事项", "3. Overdue and stalled"));
    if b.flagged.is_empty() {
        d.paragraph(t(
            "本期无逾期未报或连续两期无进展的任务。",
            "No assignment is overdue or without progress over two periods.",
        ));
    } else {
        d.paragraph(&format!(
            "{}{}{}",
            t("共 ", ""),
            b.flagged.len(),
            t(
                " 项任务逾期未报或连续两期无进展，请相关单位抓紧推进：",
                " assignments are overdue or without progress over two periods:"
            )
        ));
        let mut flagged =
            Table::new([t("单位", "Department"), t("任务", "Task"), t("情况", "What")]).widths(&[4.0, 6.4, 5.2]);
        for f in &b.flagged {
            let mut what = Vec::new();
            if !f.overdue.is_empty() {
                let periods: Vec<String> = f.overdue.iter().map(|p| ui::period_label(p, lang)).collect();
                what.push(format!("{}{}", t("逾期未报：", "overdue: "), periods.join(ui::sep(lang))));
            }
            if f.stalled {
                what.push(t("连续两期无进展", "no progress over two periods").into());
            }
            flagged.row([f.agency.clone(), format!("{} {}", f.item, f.item_title), what.join(t("；", "; "))]);
        }
        d.table(&flagged);
    }

    // 四、Key projects by stage.
    d.heading(1, t("四、重点项目", "4. Key projects"));
    let total: usize = b.projects_by_stage.iter().map(|(_, n)| n).sum();
    d.paragraph(&format!(
        "{}{total}{}{}{}",
        t("重点项目库共有项目 ", "The key-project library holds "),
        t(" 个；未办结的企业直通车问题 ", " projects; open through-train problems: "),
        b.open_problems,
        t(" 个。", "."),
    ));
    let mut stages = Table::new([t("阶段", "Stage"), t("项目数", "Projects")])
        .widths(&[6.0, 3.0])
        .align(&[Align::Left, Align::Right]);
    for (stage, n) in &b.projects_by_stage {
        stages.row([stage.label(lang).to_string(), n.to_string()]);
    }
    d.table(&stages);

    // 五、Per-mu evaluation by city, where its reader may see it.
    if let Some((year, rows)) = &b.evaluation {
        d.heading(1, t("五、亩均效益评价", "5. Per-mu evaluation"));
        let firms: usize = rows.iter().map(|(_, n)| n.iter().sum::<usize>()).sum();
        d.paragraph(&format!(
            "{}{year}{}{firms}{}",
            t("最新一次评价为 ", "The newest evaluation is of "),
            t(" 年度，参评企业 ", "; firms: "),
            t(" 家，各市分类结果如下：", ". By city:")
        ));
        let mut eval = Table::new([
            t("城市", "City"),
            t("A 类", "A"),
            t("B 类", "B"),
            t("C 类", "C"),
            t("D 类", "D"),
            t("不参评", "Not rated"),
        ])
        .widths(&[3.6, 2.0, 2.0, 2.0, 2.0, 2.4])
        .align(&[Align::Left, Align::Right, Align::Right, Align::Right, Align::Right, Align::Right]);
        for (city, n) in rows {
            let mut row = vec![city.clone()];
            row.extend(n.iter().map(|k| k.to_string()));
            eval.row(row);
        }
        d.table(&eval);
    }

    // 附表: every assignment's report, and the targets as the plan words them.
    d.page_break();
    d.heading(1, t("附表", "Appendix"));
    d.heading(2, t("附表1　责任分工落实明细", "Table 1. Each assignment's report"));
    let mut matrix = Table::new([
        t("单位", "Department"),
        t("任务", "Task"),
        t("角色", "Role"),
        t("本期报告", "This period's report"),
        t("完成比例", "Percent"),
    ])
    .widths(&[3.6, 6.4, 1.6, 2.2, 1.8])
    .align(&[Align::Left, Align::Left, Align::Centre, Align::Centre, Align::Right]);
    for (agency, cells) in &b.matrix {
        for c in cells {
            matrix.row([
                agency.clone(),
                format!("{} {}", c.item, c.item_title),
                ui::role_label(&c.role, lang).to_string(),
                state_text(c.state, lang).to_string(),
                c.percent.map(|p| format!("{}%", ui::num(p, 0))).unwrap_or_else(|| "—".into()),
            ]);
        }
    }
    d.table(&matrix);
    d.heading(2, t("附表2　指标目标原文", "Table 2. The targets as the plan words them"));
    let mut wording =
        Table::new([t("序号", "No."), t("条目", "Item"), t("指标", "Indicator"), t("规划原文", "The plan's words")])
            .widths(&[1.2, 1.6, 4.2, 8.6])
            .align(&[Align::Centre, Align::Centre, Align::Left, Align::Left]);
    for (i, l) in b.targets.iter().enumerate() {
        wording.row([(i + 1).to_string(), l.item.clone().unwrap_or_default(), l.name.clone(), l.source_text.clone()]);
    }
    d.table(&wording);
    d.to_bytes().map_err(failed)
}
