//! The plan compiler: an action-plan document (text in UTF-8 or GB18030, .docx, .html) in, the plan
//! structure of `jiqun_domain::plan` out. No HTTP, no SQL.
//!
//! The stages: `input` reads bytes into normalised lines; `structure` finds sections, items and sub-items;
//! `meta` reads the metadata block portals print above a document; `notice` reads the front matter;
//! `clause` the responsibility clauses; `figures` the targets and facts; `places` the cities, regions and
//! cluster layout. `compile` puts them together.

pub mod clause;
pub mod error;
pub mod figures;
pub mod input;
pub mod markdown;
pub mod meta;
pub mod notice;
pub mod places;
pub mod structure;
pub mod text;

use jiqun_domain::plan::{AgencyRoles, Diagnostic, Fact, Item, Layout, Level, Plan, Section, SectionKind, Target};
use jiqun_domain::{AgencyRegistry, Lang, RegionModel};

pub use error::CompileError;
use figures::YearMark;
use input::{Line, Source};
use structure::Unit;

/// The built-in plan's text: Guangdong's new-generation information technology cluster action plan.
pub const BUILTIN_TEXT: &str = include_str!("../../../data/plans/guangdong-ngit-cluster-2025.txt");

/// What the compiler knows of the province the plan comes from, and the language of its messages.
#[derive(Debug, Clone)]
pub struct Options {
    pub lang: Lang,
    pub agencies: AgencyRegistry,
    pub regions: RegionModel,
}

impl Default for Options {
    fn default() -> Options {
        Options { lang: Lang::Zh, agencies: AgencyRegistry::guangdong(), regions: RegionModel::guangdong() }
    }
}

/// Compiles a document given as bytes.
pub fn compile(bytes: &[u8], opts: &Options) -> Result<Plan, CompileError> {
    let source = input::read(bytes).map_err(CompileError::Input)?;
    compile_source(&source, opts)
}

/// The built-in Guangdong plan, compiled.
pub fn builtin(opts: &Options) -> Plan {
    // The text is part of the build and a test compiles it; failing here would be a build defect.
    compile(BUILTIN_TEXT.as_bytes(), opts).unwrap_or_else(|e| panic!("built-in plan: {e}"))
}

struct Ctx<'a> {
    opts: &'a Options,
    diagnostics: Vec<Diagnostic>,
    targets: Vec<Target>,
    facts: Vec<Fact>,
    layout: Vec<Layout>,
    /// Issue year, else the period's first year: what "2019年" is compared with.
    reference_year: Option<i32>,
    /// The year targets without a year of their own aim at.
    default_year: Option<i32>,
}

impl Ctx<'_> {
    fn diag(&mut self, level: Level, line: Option<usize>, code: &str, zh: String, en: String) {
        let message = match self.opts.lang {
            Lang::Zh => zh,
            Lang::En => en,
        };
        self.diagnostics.push(Diagnostic { level, line, code: code.to_string(), message });
    }
}

pub fn compile_source(source: &Source, opts: &Options) -> Result<Plan, CompileError> {
    // A row of the metadata block above the first section stays though it looks like furniture
    // (`发文字号` holds `字号`, a row may end in `发布时间` or `浏览次数`); further down, it is page furniture.
    let first_section = source
        .lines
        .iter()
        .position(|l| structure::section_marker(&l.text).is_some_and(|(_, t)| !t.is_empty()))
        .unwrap_or(source.lines.len());
    let lines: Vec<Line> = source
        .lines
        .iter()
        .enumerate()
        .filter(|(i, l)| !notice::is_furniture(&l.text) || *i < first_section && meta::is_row(&l.text))
        .map(|(_, l)| l.clone())
        .collect();
    let sk = structure::skeleton(&lines);
    if sk.sections.is_empty() {
        return Err(CompileError::NoStructure { lines: lines.len() });
    }
    let notice = notice::notice(&sk.front, source.html_title.as_deref(), &opts.agencies);
    let reference_year = notice
        .issued_on
        .as_deref()
        .and_then(|d| d.get(..4))
        .and_then(|y| y.parse().ok())
        .or(notice.period.and_then(|p| p.start));
    let mut ctx = Ctx {
        opts,
        diagnostics: Vec::new(),
        targets: Vec::new(),
        facts: Vec::new(),
        layout: Vec::new(),
        reference_year,
        default_year: notice.period.and_then(|p| p.end).or_else(|| most_common_target_year(&lines)),
    };

    if notice.title.is_none() {
        ctx.diag(
            Level::Warning,
            None,
            "no_title",
            "未找到文件标题（《…》或标题行）".into(),
            "no title found (《…》 or a title line)".into(),
        );
    }
    for name in &notice.unknown_issuers {
        ctx.diag(
            Level::Warning,
            None,
            "unknown_agency",
            format!("印发单位“{name}”不在单位名录中，按原文保留"),
            format!("issuing body “{name}” is not in the agency registry; kept as written"),
        );
    }
    for (line, label, value) in &notice.unread_meta {
        ctx.diag(
            Level::Warning,
            Some(*line),
            "unread_metadata",
            format!("元数据“{label}”的值“{value}”无法识别，已改用正文中的信息（如有）"),
            format!("metadata “{label}”: “{value}” is not understood; the body's value is used where there is one"),
        );
    }
    for (line, expected, found) in &sk.out_of_sequence {
        ctx.diag(
            Level::Warning,
            Some(*line),
            "numbering",
            format!("编号不连续：应为“{expected}”，实为“{found}”"),
            format!("numbering out of sequence: expected “{expected}”, found “{found}”"),
        );
    }

    let mut sections = Vec::new();
    for s in &sk.sections {
        let sid = s.no.to_string();
        let intro = join(&s.intro);
        figures_of(&mut ctx, &sid, &s.intro, s.kind);
        let items: Vec<Item> = s.items.iter().map(|u| build_item(&mut ctx, u, &sid, s.kind)).collect();
        sections.push(Section { no: s.no, title: s.title.clone(), kind: s.kind, text: intro, items });
    }
    if sk.sections.iter().all(|s| s.items.is_empty()) {
        ctx.diag(
            Level::Warning,
            None,
            "no_items",
            "未找到任何条目（(一)(二)…或1. 2.…）".into(),
            "no items found ((一)(二)… or 1. 2. …)".into(),
        );
    }

    let mut plan = Plan {
        title: notice.title.clone(),
        doc_number: notice.doc_number.clone(),
        issued_on: notice.issued_on.clone(),
        published_on: notice.published_on.clone(),
        valid_until: notice.valid_until.clone(),
        index_no: notice.index_no.clone(),
        issuers: notice.issuers.clone(),
        period: notice.period,
        sections,
        targets: std::mem::take(&mut ctx.targets),
        facts: std::mem::take(&mut ctx.facts),
        agencies: Vec::new(),
        cities: Vec::new(),
        layout: std::mem::take(&mut ctx.layout),
        diagnostics: Vec::new(),
        name: String::new(),
        preamble: join(&notice.preamble),
    };
    plan.name = display_name(&plan);
    plan.agencies = agency_roles(&plan);
    let mut cities: Vec<String> = Vec::new();
    for c in plan.all_items().into_iter().flat_map(|it| it.cities.iter()) {
        if !cities.contains(c) {
            cities.push(c.clone());
        }
    }
    plan.cities = cities;
    let missing: Vec<(String, usize)> = plan
        .sections
        .iter()
        .filter(|s| matches!(s.kind, SectionKind::Tasks | SectionKind::Programmes | SectionKind::Safeguards))
        .flat_map(|s| s.items.iter())
        .filter(|it| !has_responsibility(it))
        .map(|it| (it.id.clone(), it.line))
        .collect();
    for (id, line) in missing {
        ctx.diag(
            Level::Info,
            Some(line),
            "no_responsibility",
            format!("条目 {id} 没有责任分工（牵头/负责单位）"),
            format!("item {id} names no responsible body"),
        );
    }
    plan.diagnostics = ctx.diagnostics;
    Ok(plan)
}

fn has_responsibility(it: &Item) -> bool {
    !(it.lead.is_empty() && it.co.is_empty() && it.others.is_empty()) || it.children.iter().any(has_responsibility)
}

fn join(lines: &[Line]) -> String {
    lines.iter().map(|l| l.text.as_str()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("\n")
}

/// The unit's text with every responsibility clause removed, children included.
fn without_clauses(u: &Unit) -> String {
    let mut out = String::new();
    for l in &u.lines {
        let t = l.text.as_str();
        out.push_str(match clause::find_clause(t) {
            Some((_, at)) => &t[..at],
            None => t,
        });
        out.push('\n');
    }
    for c in &u.children {
        out.push_str(&without_clauses(c));
    }
    out
}

fn unit_text(u: &Unit) -> String {
    let mut parts = vec![join(&u.lines)];
    parts.extend(u.children.iter().map(|c| {
        let t = unit_text(c);
        format!("{}.{t}", c.no)
    }));
    parts.retain(|p| !p.is_empty());
    parts.join("\n")
}

/// A name to show when the document has no title: "…制定本行动计划" in the preamble names the genre.
fn display_name(plan: &Plan) -> String {
    if let Some(t) = &plan.title {
        return t.clone();
    }
    let pre = plan.preamble.as_str();
    for verb in ["加快培育", "培育发展", "加快发展", "培育", "发展", "推动", "推进"] {
        if let Some(i) = pre.find(verb) {
            let rest = &pre[i + verb.len()..];
            if let Some(end) = rest.find(['，', ',', '。']) {
                let what = &rest[..end];
                if what.ends_with("集群") || what.ends_with("产业") {
                    let genre = ["行动计划", "实施方案", "方案", "规划"]
                        .into_iter()
                        .find(|g| pre.contains(&format!("制定本{g}")));
                    return format!("{what}{}", genre.unwrap_or("行动计划"));
                }
            }
        }
    }
    "未命名行动计划".to_string()
}

fn build_item(ctx: &mut Ctx, u: &Unit, parent: &str, kind: SectionKind) -> Item {
    let id = format!("{parent}.{}", u.no);
    let heading = u.lines.iter().find(|l| !l.text.is_empty()).map(|l| l.text.as_str()).unwrap_or("");
    let mut title = text::first_sentence(heading).to_string();
    if let Some((_, at)) = clause::find_clause(&title) {
        title = title[..at].trim_end().to_string();
    }
    let text = unit_text(u);
    let mut resp = clause::Responsibility::default();
    for l in &u.lines {
        if let Some((c, _)) = clause::find_clause(&l.text)
            && let Some(r) = clause::parse_clause(c, &ctx.opts.agencies)
        {
            for name in &r.unknown {
                ctx.diag(
                    Level::Warning,
                    Some(l.no),
                    "unknown_agency",
                    format!("条目 {id}：单位“{name}”不在单位名录中，按原文保留"),
                    format!("item {id}: “{name}” is not in the agency registry; kept as written"),
                );
            }
            resp.merge(r);
        }
    }
    figures_of(ctx, &id, &u.lines, kind);
    for l in &u.lines {
        for (cities, subject) in places::layout(&l.text, &ctx.opts.regions) {
            ctx.layout.push(Layout { item: id.clone(), subject, cities, text: l.text.clone() });
        }
    }
    let mut children: Vec<Item> = u.children.iter().map(|c| build_item(ctx, c, &id, kind)).collect();
    // A clause standing on its own line after the last of several sub-items closes the item, not that
    // sub-item, unless the other sub-items carry clauses of their own.
    if children.len() >= 2
        && resp.is_empty()
        && let Some(last) = u.children.last()
        && last.lines.iter().skip(1).any(|l| clause::find_clause(&l.text).is_some_and(|(_, at)| at == 0))
        && children[..children.len() - 1].iter().all(|c| !has_responsibility(c))
        && let Some(last_item) = children.last_mut()
    {
        resp = clause::Responsibility {
            lead: std::mem::take(&mut last_item.lead),
            co: std::mem::take(&mut last_item.co),
            others: std::mem::take(&mut last_item.others),
            unknown: Vec::new(),
        };
    }
    // Places are read outside the clauses: 人民银行广州分行 is a body, not a mention of Guangzhou.
    let full = without_clauses(u);
    let full = full.as_str();
    Item {
        no: u.no,
        id,
        title,
        text: text.clone(),
        lead: resp.lead,
        co: resp.co,
        others: resp.others,
        cities: places::cities(full, &ctx.opts.regions),
        regions: places::regions(full, &ctx.opts.regions),
        line: u.lines.first().map(|l| l.no).unwrap_or(0),
        children: std::mem::take(&mut children),
    }
}

fn most_common_target_year(lines: &[Line]) -> Option<i32> {
    let mut counts: Vec<(i32, usize)> = Vec::new();
    for l in lines {
        for (i, _) in l.text.match_indices('到') {
            let rest = &l.text[i + '到'.len_utf8()..];
            let year = rest.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()) && rest[4..].starts_with('年'));
            if let Some(y) = year.and_then(|y| y.parse::<i32>().ok()) {
                match counts.iter_mut().find(|(cy, _)| *cy == y) {
                    Some(c) => c.1 += 1,
                    None => counts.push((y, 1)),
                }
            }
        }
    }
    counts.into_iter().max_by_key(|&(y, n)| (n, y)).map(|(y, _)| y)
}

fn figures_of(ctx: &mut Ctx, item: &str, lines: &[Line], kind: SectionKind) {
    for l in lines {
        let line = l.text.as_str();
        // A responsibility clause holds no figures.
        let body = match clause::find_clause(line) {
            Some((_, at)) => &line[..at],
            None => line,
        };
        let mut offset = 0;
        for sentence in text::sentences(body) {
            let s_start = body[offset..].find(sentence).map(|i| offset + i).unwrap_or(offset);
            offset = s_start + sentence.len();
            let figs = figures::scan(sentence);
            let mut prev: Option<(usize, String)> = None;
            for (k, f) in figs.iter().enumerate() {
                let prev_ref = prev.as_ref().map(|(i, s)| (&figs[*i], s.as_str()));
                let subject = figures::subject(sentence, f, prev_ref);
                prev = Some((k, subject.clone()));
                let mark = figures::last_year_mark(&body[..s_start + f.start]);
                let fact_words = figures::has_fact_words(sentence);
                let target_words = figures::has_target_words(sentence);
                let (is_target, year) = match mark {
                    Some(YearMark::By(y)) => (true, Some(y)),
                    Some(YearMark::AsOf(y)) => (false, Some(y)),
                    Some(YearMark::Bare(y)) => match ctx.reference_year {
                        Some(r) if y < r => (false, Some(y)),
                        Some(r) if y > r => (true, Some(y)),
                        _ => (target_words && !fact_words, Some(y)),
                    },
                    None if fact_words => (false, None),
                    None if kind == SectionKind::Overview && !target_words => (false, None),
                    None => (true, ctx.default_year),
                };
                if subject.is_empty() {
                    continue;
                }
                let text = sentence.trim().to_string();
                if is_target {
                    ctx.targets.push(Target {
                        item: item.to_string(),
                        subject,
                        cmp: f.cmp,
                        value: f.value,
                        value_max: f.value_max,
                        unit: f.unit.clone(),
                        year,
                        text,
                    });
                } else {
                    ctx.facts.push(Fact {
                        item: item.to_string(),
                        subject,
                        value: f.value,
                        unit: f.unit.clone(),
                        year,
                        text,
                    });
                }
            }
        }
    }
}

/// Each agency with the items it leads and those it shares, in order of first mention.
fn agency_roles(plan: &Plan) -> Vec<AgencyRoles> {
    let mut out: Vec<AgencyRoles> = Vec::new();
    for it in plan.all_items() {
        for (names, lead) in [(&it.lead, true), (&it.co, false)] {
            for n in names {
                let idx = match out.iter().position(|a| &a.name == n) {
                    Some(i) => i,
                    None => {
                        out.push(AgencyRoles { name: n.clone(), lead: vec![], co: vec![] });
                        out.len() - 1
                    }
                };
                let list = if lead { &mut out[idx].lead } else { &mut out[idx].co };
                list.push(it.id.clone());
            }
        }
    }
    out
}
