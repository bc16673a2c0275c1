//! `/challenges`: the open challenges (揭榜挂帅) and the workflow they follow (an example, said so);
//! `/challenges/new`: the form to draft one (prefilled from `?node=&rule=`, the chain pages' "turn a gap into a
//! challenge"); `/challenges/{id}`: one challenge with its moves, applications, panel, award check and
//! milestones; `/challenge-applications/{id}`: one application with its files and the review form.
//! Demo challenges are synthetic and say so.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jiqun_app::challenges::{
    ChallengeApplicationInput, ChallengeDetail, ChallengeExpertInput, ChallengeInput, ChallengeMilestoneInput,
    ChallengeMoveInput, ChallengeReviewInput, ChallengeView, GapKind, default_criteria,
};
use jiqun_app::{AppError, Session};
use jiqun_domain::Lang;
use jiqun_domain::challenges::ChallengeState;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{ApiError, PageResult, WithLang};
use crate::extract::{Form, Path};
use crate::kit::ui::{self, CsvColumn, Export};

fn synthetic_chip(lang: Lang) -> Markup {
    html! { span.chip.synthetic title=(lang.pick("演示用合成数据，非真实榜单", "made up for the demo, not a real challenge")) { (lang.pick("示例（合成）", "synthetic")) } }
}

fn state_chip(c: &ChallengeView) -> Markup {
    let class = match c.state {
        ChallengeState::Accepted => "chip oc-passed",
        ChallengeState::Failed => "chip oc-failed",
        _ => "chip",
    };
    html! { span class=(class) { (c.state_label) } }
}

fn workflow_note(lang: Lang, note: &str) -> Markup {
    html! {
        p.example role="note" {
            strong { (lang.pick("流程为示例配置", "The workflow is an example")) }
            " — " (note)
        }
    }
}

/// Whether the database holds the synthetic demo data set (the layout's banner says so on every page).
async fn demo_data(ctx: &Ctx) -> PageResult<bool> {
    Ok(ctx.app.snapshot().await.page(ctx.lang)?.synthetic)
}

const CHALLENGES_CSV: &[CsvColumn<ChallengeView>] = &[
    ("id", |c| c.id.to_string()),
    ("title", |c| c.title.clone()),
    ("state", |c| c.state_label.clone()),
    ("department", |c| c.department.clone()),
    ("chain_node", |c| c.chain_node.clone().unwrap_or_default()),
    ("gap_rule", |c| c.gap_rule.clone().unwrap_or_default()),
    ("funding_wan", |c| c.funding_wan.map(|f| f.to_string()).unwrap_or_default()),
    ("apply_by", |c| c.apply_by.map(|d| d.to_string()).unwrap_or_default()),
    ("finish_by", |c| c.finish_by.map(|d| d.to_string()).unwrap_or_default()),
    ("applications", |c| c.applications.to_string()),
    ("synthetic", |c| ui::flag(c.synthetic)),
];

pub async fn challenges(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let items = ctx.app.challenges(s, lang).await.page(lang)?;
    let workflow = ctx.app.challenge_workflow(s, lang).page(lang)?;
    let synthetic = items.iter().any(|c| c.synthetic);
    if let Some(export) = ui::list_export(&ctx, synthetic, ("challenges", "challenges"), &items, CHALLENGES_CSV) {
        return Ok(export);
    }
    let may_draft = ctx.app.may_draft_challenge(s).is_ok();
    let body = html! {
        div.pagehead {
            h1 { (t("揭榜挂帅", "Open challenges (揭榜挂帅)")) }
            p.sub { (t("针对产业链短板发布技术攻关榜单，企业和院所揭榜申报，专家评审（利益相关须回避），定榜后跟踪攻关并验收。", "Technical challenges issued against the chains' gaps: enterprises and institutes apply, experts review (standing aside where they have an interest), the winner's work is tracked to acceptance.")) }
            (ui::export_buttons(lang, "challenges", ""))
        }
        @if synthetic {
            (ui::example_banner(lang, "标有“示例（合成）”的榜单为演示用合成数据，题目、单位和评分均为虚构。", "challenges marked “synthetic” are made up for the demo: their titles, organisations and scores are invented."))
        }
        (workflow_note(lang, &workflow.note))
        @if may_draft {
            p { a.button href="/challenges/new" { (t("起草榜单", "Draft a challenge")) } }
        }
        @if items.is_empty() { p.muted { (t("尚无榜单。", "No challenges yet.")) } } @else {
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("榜单", "Challenge"), ui::col("发榜部门", "Issued by"), ui::col("产业链短板", "Chain gap"), ui::col("状态", "State"), ui::num_col("资助", "Funding"), ui::col("申报截止", "Apply by"), ui::num_col("申报数", "Applications")]))
                tbody { @for c in &items { tr {
                    th scope="row" { a href={ "/challenges/" (c.id) } { (c.title) } @if c.synthetic { " " (synthetic_chip(lang)) } }
                    td { (c.department) }
                    td { @if let Some(l) = &c.chain_node_label { (l) @if let Some(g) = &c.gap_rule_label { br; span.muted { (g) } } } @else { "—" } }
                    td { (state_chip(c)) }
                    td.numcell { @if let Some(f) = c.funding_wan { (ui::human(f, "万元")) } @else { "—" } }
                    td { @if let Some(d) = c.apply_by { (d.to_string()) } @else { "—" } }
                    td.numcell { (c.applications) }
                } } }
            } }
        }
        section aria-labelledby="h-flow" {
            h2 #h-flow { (t("流转与角色（示例）", "Moves and roles (example)")) }
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("从", "From"), ui::col("到", "To"), ui::col("可操作的角色", "Roles that may")]))
                tbody { @for m in &workflow.moves { tr { td { (m.from_label) } td { (m.to_label) } td { (m.roles.join(t("、", ", "))) } } } }
            } }
        }
        (ui::downloads(&ctx, lang))
    };
    let demo = synthetic || demo_data(&ctx).await?;
    Ok(ui::page_status(&ctx, s, demo, StatusCode::OK, t("揭榜挂帅", "Open challenges"), body))
}

/// The new-challenge form's query: the chain node and gap rule a chain page links with.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    node: String,
    rule: String,
}

pub async fn new_form(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    ctx.app.may_draft_challenge(s).page(ctx.lang)?;
    let q: NewQuery = crate::extract::query(&ctx.query).page(ctx.lang)?;
    let department = s.user.agency.as_ref().map(|a| a.as_str().to_string()).unwrap_or_default();
    let form = ChallengeForm { chain_node: q.node, gap_rule: q.rule, department, ..Default::default() };
    show_form(&ctx, s, &form, None).await
}

async fn show_form(ctx: &Ctx, s: &Session, form: &ChallengeForm, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let vocabulary = ctx.app.chain_vocabulary_for_forms().await.page(lang)?;
    let known_node = form.chain_node.is_empty() || vocabulary.node(&form.chain_node).is_some();
    let criteria = default_criteria();
    let body = html! {
        p.crumbs { a href="/challenges" { (t("揭榜挂帅", "Open challenges")) } }
        div.pagehead { h1 { (t("起草榜单", "Draft a challenge")) } p.sub { (t("起草后为“草拟”状态，由计划管理(牵头处室)发榜。", "A new challenge is a draft until the plan owner publishes it.")) } }
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        @if !known_node {
            p.form-error role="alert" { (t("链接中的产业链节点不在词表中，请重新选择：", "The chain node in the link is not in the vocabulary; choose one: ")) code { (form.chain_node) } }
        }
        form.grid method="post" action="/challenges" {
            (ui::csrf(s))
            label.wide { (t("榜单名称", "Title")) input name="title" required maxlength="100" value=(form.title); }
            label.wide { (t("技术难题", "The problem")) textarea name="problem" required maxlength="4000" rows="4" { (form.problem) } }
            label.wide { (t("技术指标", "Technical indicators to reach")) textarea name="indicators" required maxlength="4000" rows="4" { (form.indicators) } }
            label { (t("资助金额（万元）", "Funding (10k yuan)")) input name="funding_wan" type="number" min="0" step="any" value=(form.funding_wan); }
            label { (t("发榜部门", "Issuing department")) input name="department" required maxlength="60" value=(form.department); }
            label.wide { (t("奖励与支持", "Reward and support")) textarea name="reward" maxlength="2000" rows="2" { (form.reward) } }
            label.wide { (t("揭榜条件", "Eligibility")) textarea name="eligibility" maxlength="2000" rows="2" { (form.eligibility) } }
            label { (t("对应产业链节点", "Chain node it answers"))
                select name="chain_node" {
                    option value="" { (t("（无）", "(none)")) }
                    @for chain in &vocabulary.chains {
                        optgroup label=(chain.name.get(lang)) {
                            @for n in &chain.nodes { option value=(n.id) selected[form.chain_node == n.id] { (lang.pick(&n.name_zh, &n.name_en)) } }
                        }
                    }
                }
            }
            label { (t("短板规则", "Gap rule"))
                select name="gap_rule" {
                    option value="" { (t("（无）", "(none)")) }
                    @for k in GapKind::ALL { option value=(k.as_str()) selected[form.gap_rule == k.as_str()] { (k.label(lang)) } }
                }
            }
            label { (t("申报截止日", "Apply by")) input name="apply_by" type="date" value=(form.apply_by); }
            label { (t("攻关完成期限", "Work to be done by")) input name="finish_by" type="date" value=(form.finish_by); }
            div.actions { button type="submit" { (t("保存草稿", "Save the draft")) } }
        }
        p.muted { (t("评审标准（默认）：", "Review criteria (default): "))
            @for (i, k) in criteria.iter().enumerate() { @if i > 0 { (t("；", "; ")) } (lang.pick(&k.name_zh, &k.name_en)) " " (k.weight) } }
    };
    let demo = demo_data(ctx).await?;
    Ok(ui::page_status(ctx, s, demo, ui::form_status(error.as_ref()), t("起草榜单", "Draft a challenge"), body))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ChallengeForm {
    csrf: String,
    title: String,
    problem: String,
    indicators: String,
    funding_wan: String,
    reward: String,
    eligibility: String,
    department: String,
    chain_node: String,
    gap_rule: String,
    apply_by: String,
    finish_by: String,
}

impl ChallengeForm {
    fn input(&self) -> Result<ChallengeInput, AppError> {
        let funding_wan = match self.funding_wan.trim() {
            "" => None,
            f => Some(f.parse::<f64>().map_err(|_| {
                AppError::invalid("funding_wan", format!("“{f}”不是数"), format!("“{f}” is not a number"))
            })?),
        };
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(ChallengeInput {
            title: self.title.clone(),
            problem: self.problem.clone(),
            indicators: self.indicators.clone(),
            funding_wan,
            reward: self.reward.clone(),
            eligibility: self.eligibility.clone(),
            department: self.department.clone(),
            chain_node: some(&self.chain_node),
            gap_rule: some(&self.gap_rule),
            criteria: None,
            apply_by: some(&self.apply_by),
            finish_by: some(&self.finish_by),
            version: None,
        })
    }
}

pub async fn create(ctx: Ctx, Form(f): Form<ChallengeForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    ctx.app.may_draft_challenge(s).page(lang)?;
    let made = match f.input() {
        Ok(input) => ctx.app.create_challenge(s, &input, &ctx.ip).await,
        Err(e) => Err(e),
    };
    let done = made.map(|id| format!("/challenges/{id}"));
    ui::after_post(lang, done, ui::REFUSED, |e| show_form(&ctx, s, &f, Some(e))).await
}

pub async fn challenge(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show(&ctx, s, id, None).await
}

async fn show(ctx: &Ctx, s: &Session, id: i64, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let d = ctx.app.challenge(s, id, lang).await.page(lang)?;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(d.challenge.synthetic, "challenge", json!(d)));
    }
    let c = &d.challenge;
    let body = html! {
        p.crumbs { a href="/challenges" { (t("揭榜挂帅", "Open challenges")) } }
        div.pagehead {
            h1 { (c.title) @if c.synthetic { " " (synthetic_chip(lang)) } }
            p.sub { (state_chip(c)) " · " (c.department) @if let Some(l) = &c.chain_node_label { " · " (l) } }
        }
        @if c.synthetic {
            (ui::example_banner(lang, "本榜单为演示用合成数据，题目、申报单位、专家意见和评分均为虚构。", "this challenge is made up for the demo: its title, applicants, reviews and scores are invented."))
        }
        (workflow_note(lang, &d.workflow_note))
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        dl.facts {
            dt { (t("技术难题", "Problem")) } dd { (c.problem) }
            dt { (t("技术指标", "Indicators")) } dd { (c.indicators) }
            dt { (t("资助", "Funding")) } dd { @if let Some(f) = c.funding_wan { (ui::human(f, "万元")) } @else { "—" } }
            dt { (t("奖励与支持", "Reward")) } dd { @if c.reward.is_empty() { "—" } @else { (c.reward) } }
            dt { (t("揭榜条件", "Eligibility")) } dd { @if c.eligibility.is_empty() { "—" } @else { (c.eligibility) } }
            dt { (t("产业链短板", "Chain gap")) } dd {
                @if let Some(n) = &c.chain_node {
                    @let label = c.chain_node_label.as_deref().unwrap_or(n);
                    @if s.can(&jiqun_app::Action::ReadChains) {
                        a href={ "/chains/" (ui::enc(n.split('.').next().unwrap_or(""))) "/nodes/" (ui::enc(n)) } { (label) }
                    } @else { (label) }
                    " " code { (n) }
                } @else { "—" }
                @if let Some(g) = &c.gap_rule_label { " · " (g) }
            }
            dt { (t("申报截止", "Apply by")) } dd { @if let Some(x) = c.apply_by { (x.to_string()) } @else { "—" } }
            dt { (t("完成期限", "Done by")) } dd { @if let Some(x) = c.finish_by { (x.to_string()) } @else { "—" } }
            dt { (t("评审标准", "Criteria")) } dd { @for (i, k) in c.criteria.iter().enumerate() { @if i > 0 { (t("；", "; ")) } (lang.pick(&k.name_zh, &k.name_en)) "（" (k.weight) "）" } }
            @if let Some(w) = &c.winner_name { dt { (t("中榜单位", "Winner")) } dd { (w) } }
            @if let Some(n) = &c.outcome_note { dt { (t("验收意见", "Acceptance")) } dd { (n) } }
        }
        (moves(s, &d, lang))
        section aria-labelledby="h-apps" {
            h2 #h-apps { (t("揭榜申报", "Applications")) " · " (c.applications) }
            @if d.applications.is_empty() {
                p.muted { @if c.applications > 0 { (t("申报内容仅发榜部门、申报单位和无须回避的评审专家可见。", "Applications are shown only to the issuing department, the applicant and the experts who need not stand aside.")) } @else { (t("尚无申报。", "No applications yet.")) } }
            } @else {
                div.scroll { table.data.compact {
                    (ui::head(lang, &[ui::col("申报单位", "Applicant"), ui::col("类别", "Kind"), ui::num_col("得分", "Score"), ui::col("评审", "Reviews")]))
                    tbody { @for a in &d.applications { tr {
                        th scope="row" { a href={ "/challenge-applications/" (a.id) } { (a.org_name) } }
                        td { @if a.org_kind == "firm" { (t("企业", "firm")) } @else { (t("院所", "institute")) } }
                        td.numcell { @if let Some(sc) = a.score { (sc) } @else { "—" } }
                        td { (a.reviews.iter().filter(|r| r.submitted).count()) "/" (a.reviews.len()) (t(" 份已提交", " handed in")) @if a.may_review { " · " a href={ "/challenge-applications/" (a.id) "#review" } { (t("去评审", "review")) } } }
                    } } }
                } }
            }
            @if d.may_apply {
                details.panel open[error.is_some()] {
                    summary { (t("揭榜申报", "Apply")) }
                    form.grid method="post" action={ "/challenges/" (c.id) "/apply" } {
                        (ui::csrf(s))
                        label.wide { (t("申报方案摘要", "What you propose")) textarea name="summary" required maxlength="4000" rows="4" {} }
                        @if s.user.uscc.is_none() {
                            label { (t("企业统一社会信用代码", "Firm's USCC")) input name="uscc" maxlength="18"; }
                            label { (t("或：院所名称", "or: institute's name")) input name="institute" maxlength="100"; }
                            label { (t("单位名称（企业库未登记时）", "Name (if not in the registry)")) input name="org_name" maxlength="100"; }
                        }
                        div.actions { button type="submit" { (t("提交申报", "Apply")) } }
                    }
                    p.muted { (t("提交后可在申报页上传附件。", "Files can be attached on the application's page afterwards.")) }
                }
            }
        }
        @if d.may_manage {
            section aria-labelledby="h-panel" {
                h2 #h-panel { (t("评审专家", "Expert panel")) }
                @if d.experts.is_empty() { p.muted { (t("尚未指派专家。", "No expert assigned yet.")) } } @else {
                    ul { @for e in &d.experts { li {
                        strong { (e.username) } @if !e.name.is_empty() { " " (e.name) }
                        @if let Some(o) = &e.organisation { " · " (t("单位：", "works for: ")) (o) }
                        @if !e.interests.is_empty() { " · " (t("申报利益关系：", "declared interests: ")) (e.interests.join(t("、", ", "))) }
                        @for r in &e.recused { br; span.chip.oc-failed { (t("回避", "stands aside")) } " " (r.org_name) (t("：", ": ")) (r.reason) }
                    } } }
                }
                @if let Some(a) = &d.award {
                    @if a.may_award { p { span.chip.oc-passed { (t("评审已全部完成，可以定榜", "every review is in: it may be awarded")) } } } @else {
                        p { strong { (t("尚不能定榜：", "Not yet ready for the award: ")) } }
                        ul { @for m in &a.missing { li { (m) } } }
                    }
                }
                @if matches!(c.state, ChallengeState::Draft | ChallengeState::Published | ChallengeState::ApplicationsOpen | ChallengeState::Review) {
                    details.panel {
                        summary { (t("指派专家", "Assign an expert")) }
                        form.grid method="post" action={ "/challenges/" (c.id) "/experts" } {
                            (ui::csrf(s))
                            label { (t("专家用户名", "Expert's user name")) input name="username" required maxlength="40"; }
                            label { (t("所在单位（统一社会信用代码或院所名称）", "Works for (USCC or institute)")) input name="organisation" maxlength="100"; }
                            label.wide { (t("申报的利益关系单位（每行一个，统一社会信用代码或名称）", "Declared interests (one a line: USCC or name)")) textarea name="interests" rows="3" {} }
                            div.actions { button type="submit" { (t("指派", "Assign")) } }
                        }
                        p.muted { (t("与申报单位为同一单位或申报了利益关系的专家须回避：看不到该申报，也不计其评分。", "An expert of the applicant's organisation, or who declared an interest in it, stands aside: the application is hidden from the expert and no review of it counts.")) }
                    }
                }
            }
        }
        @if matches!(c.state, ChallengeState::Awarded | ChallengeState::InProgress | ChallengeState::Accepted | ChallengeState::Failed) {
            section aria-labelledby="h-ms" {
                h2 #h-ms { (t("攻关里程碑", "Milestones")) }
                @if d.milestones.is_empty() { p.muted { (t("尚无里程碑。", "No milestones yet.")) } } @else {
                    ul { @for m in &d.milestones { li {
                        (m.name) " · " (t("计划 ", "due ")) (m.due_on.to_string())
                        @if let Some(x) = m.done_on { " · " span.chip.oc-passed { (t("已完成 ", "done ")) (x.to_string()) } }
                        @if !m.note.is_empty() { " · " (m.note) }
                    } } }
                }
                @if d.may_manage && matches!(c.state, ChallengeState::Awarded | ChallengeState::InProgress) {
                    details.panel {
                        summary { (t("记录里程碑", "Record a milestone")) }
                        form.grid method="post" action={ "/challenges/" (c.id) "/milestones" } {
                            (ui::csrf(s))
                            label.wide { (t("里程碑", "Milestone")) input name="name" required maxlength="200"; }
                            label { (t("计划日期", "Due on")) input name="due_on" type="date" required; }
                            label { (t("完成日期", "Done on")) input name="done_on" type="date"; }
                            label.wide { (t("说明", "Note")) input name="note" maxlength="2000"; }
                            div.actions { button type="submit" { (t("记录", "Record")) } }
                        }
                    }
                }
            }
        }
    };
    let demo = c.synthetic || demo_data(ctx).await?;
    Ok(ui::page_status(ctx, s, demo, ui::form_status(error.as_ref()), &c.title, body))
}

/// The moves from the challenge's state: a button for each the caller may make (with the winner or the note
/// where the move needs one), the others listed with the roles that may.
fn moves(s: &Session, d: &ChallengeDetail, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let c = &d.challenge;
    let may_award = d.award.as_ref().is_none_or(|a| a.may_award);
    let any = d.may_manage || c.moves.iter().any(|m| m.allowed);
    html! {
        @if !c.moves.is_empty() && any {
            section.moves aria-labelledby="h-moves" {
                h2 #h-moves { (t("流转", "Moves")) }
                @for m in &c.moves {
                    @if m.allowed && m.to == ChallengeState::Awarded && !may_award {
                        p.muted { (m.to_label) (t("：评审尚未全部完成，暂不能定榜（见“评审专家”）", ": not every review is in yet (see the expert panel)")) }
                    } @else if m.allowed {
                        form.inline method="post" action={ "/challenges/" (c.id) "/move" } {
                            (ui::csrf(s))
                            input type="hidden" name="to" value=(m.to.as_str());
                            input type="hidden" name="version" value=(c.version);
                            @if m.to == ChallengeState::Awarded {
                                label { (t("中榜申报", "Winning application")) " "
                                    select name="winner" required { @for id in &d.ranking { @if let Some(a) = d.applications.iter().find(|a| a.id == *id) {
                                        option value=(a.id) { (a.org_name) @if let Some(sc) = a.score { "（" (sc) "）" } }
                                    } } }
                                }
                            }
                            @if matches!(m.to, ChallengeState::Accepted | ChallengeState::Failed) {
                                label { (t("验收意见", "What the acceptance found")) input name="note" required maxlength="2000"; }
                            }
                            @let back = ChallengeState::ALL.iter().position(|x| *x == m.to) < ChallengeState::ALL.iter().position(|x| *x == c.state);
                            button type="submit" class=[back.then_some("secondary")] { (t("转为：", "Move to: ")) (m.to_label) }
                        }
                    } @else {
                        p.muted { (m.to_label) (t("：须由 ", ": made by ")) (m.roles.join(t("、", ", "))) (t(" 操作", "")) }
                    }
                }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    to: String,
    winner: String,
    note: String,
    version: String,
}

pub async fn move_to(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MoveForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    ctx.app.may_move_challenge(s, id).await.page(lang)?;
    let input = ChallengeMoveInput {
        to: f.to.clone(),
        winner: f.winner.trim().parse().ok(),
        note: (!f.note.trim().is_empty()).then(|| f.note.clone()),
        version: f.version.trim().parse().ok(),
    };
    let done = ctx.app.move_challenge(s, id, &input, &ctx.ip).await.map(|()| format!("/challenges/{id}"));
    ui::after_post(lang, done, ui::GONE, |e| show(&ctx, s, id, Some(e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    csrf: String,
    summary: String,
    uscc: String,
    institute: String,
    org_name: String,
}

pub async fn apply(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ApplyForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    ctx.app.may_apply_challenge(s).page(lang)?;
    let some = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    let input = ChallengeApplicationInput {
        summary: f.summary.clone(),
        uscc: some(&f.uscc),
        institute: some(&f.institute),
        org_name: some(&f.org_name),
    };
    let done =
        ctx.app.apply_challenge(s, id, &input, &ctx.ip).await.map(|aid| format!("/challenge-applications/{aid}"));
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| show(&ctx, s, id, Some(e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExpertForm {
    csrf: String,
    username: String,
    organisation: String,
    interests: String,
}

pub async fn assign_expert(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<ExpertForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    ctx.app.may_manage_challenge(s, id).await.page(lang)?;
    let input = ChallengeExpertInput {
        username: f.username.clone(),
        organisation: f.organisation.clone(),
        interests: f.interests.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect(),
    };
    let done =
        ctx.app.assign_challenge_expert(s, id, &input, &ctx.ip).await.map(|()| format!("/challenges/{id}#h-panel"));
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| show(&ctx, s, id, Some(e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MilestoneForm {
    csrf: String,
    name: String,
    due_on: String,
    done_on: String,
    note: String,
}

pub async fn add_milestone(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<MilestoneForm>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer(Some(&f.csrf))?;
    ctx.app.may_manage_challenge(s, id).await.page(lang)?;
    let input = ChallengeMilestoneInput {
        name: f.name.clone(),
        due_on: f.due_on.clone(),
        done_on: (!f.done_on.trim().is_empty()).then(|| f.done_on.clone()),
        note: f.note.clone(),
    };
    let done = ctx.app.add_challenge_milestone(s, id, &input, &ctx.ip).await.map(|_| format!("/challenges/{id}#h-ms"));
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| show(&ctx, s, id, Some(e))).await
}

pub async fn application(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_application(&ctx, s, id, None).await
}

async fn show_application(ctx: &Ctx, s: &Session, id: i64, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let a = ctx.app.challenge_application(s, id, lang).await.page(lang)?;
    let d = ctx.app.challenge(s, a.challenge_id, lang).await.page(lang)?;
    let c = &d.challenge;
    if let Some(Export::Json) = ui::export(ctx) {
        return Ok(ui::json(c.synthetic, "challenge-application", json!(a)));
    }
    let mine = a.reviews.iter().find(|r| r.expert_id == s.user.id);
    let may_upload =
        c.state == ChallengeState::ApplicationsOpen && ctx.app.may_attach_to_application(s, id).await.is_ok();
    let body = html! {
        p.crumbs { a href="/challenges" { (t("揭榜挂帅", "Open challenges")) } " › " a href={ "/challenges/" (c.id) } { (c.title) } }
        div.pagehead {
            h1 { (a.org_name) @if c.synthetic { " " (synthetic_chip(lang)) } }
            p.sub { (t("揭榜申报", "Application")) " · " (state_chip(c)) " · " code { (a.org_id) } }
        }
        @if c.synthetic {
            (ui::example_banner(lang, "本申报为演示用合成数据。", "this application is made up for the demo."))
        }
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        dl.facts {
            dt { (t("申报方案", "Proposal")) } dd { (a.summary) }
            @if let Some(sc) = a.score { dt { (t("得分（已完成且无须回避的评审的平均）", "Score (mean of complete reviews by experts who need not stand aside)")) } dd { (sc) } }
            dt { (t("附件", "Files")) } dd {
                @if a.attachments.is_empty() { "—" } @else {
                    ul.files { @for f in &a.attachments { li { a href={ "/challenge-attachments/" (f.id) } { (f.filename) } " " span.muted { "(" (f.size) " B)" } } } }
                }
            }
        }
        @if may_upload {
            form.upload method="post" action={ "/challenge-applications/" (a.id) "/attachments" } data-upload={ "/challenge-applications/" (a.id) "/attachments" } data-max=(jiqun_app::challenges::MAX_CHALLENGE_ATTACHMENT) {
                label for="file" { (t("上传附件（不超过 10 MB）", "Attach a file (up to 10 MB)")) }
                input #file type="file" required;
                button.secondary type="submit" { (t("上传", "Upload")) }
                span.upload-status role="status" aria-live="polite" {}
            }
        }
        @if !a.reviews.is_empty() {
            h2 { (t("评审意见", "Reviews")) }
            div.scroll { table.data.compact {
                (ui::head(lang, &[ui::col("专家", "Expert"), ui::col("分数", "Scores"), ui::col("意见", "Comment"), ui::col("状态", "State")]))
                tbody { @for r in &a.reviews { tr {
                    th scope="row" { (r.expert) }
                    td { @for (i, line) in r.breakdown.iter().enumerate() { @if i > 0 { br; } (line) } }
                    td { (r.comment) }
                    td {
                        @if r.submitted { (t("已提交", "handed in")) } @else { (t("草稿", "draft")) }
                        @if r.counted { " · " span.chip.oc-passed { (t("计入得分", "counts")) } }
                        @if let Some(why) = &r.not_counted_reason { " · " span.muted { (why) } }
                    }
                } } }
            } }
        }
        @if a.may_review {
            section #review aria-labelledby="h-review" {
                h2 #h-review { (t("我的评审", "My review")) }
                form.grid method="post" action={ "/challenge-applications/" (a.id) "/review" } {
                    (ui::csrf(s))
                    @for k in &c.criteria {
                        @let v = mine.and_then(|r| r.scores.get(&k.id)).map(|v| v.to_string()).unwrap_or_default();
                        label { (lang.pick(&k.name_zh, &k.name_en)) (t("（权重 ", " (weight ")) (k.weight) (t("，0–100）", ", 0–100)"))
                            input name={ "score_" (k.id) } type="number" min="0" max="100" step="any" value=(v); }
                    }
                    label.wide { (t("评审意见", "Comment")) textarea name="comment" maxlength="4000" rows="3" { @if let Some(r) = mine { (r.comment) } } }
                    div.actions {
                        button.secondary type="submit" name="action" value="save" { (t("暂存", "Save")) }
                        button type="submit" name="action" value="submit" { (t("提交评审（提交后不可修改）", "Hand in (final)")) }
                    }
                }
            }
        }
    };
    let demo = c.synthetic || demo_data(ctx).await?;
    Ok(ui::page_status(ctx, s, demo, ui::form_status(error.as_ref()), &a.org_name, body))
}

pub async fn review(ctx: Ctx, Path(id): Path<i64>, Form(pairs): Form<Vec<(String, String)>>) -> PageResult<Response> {
    let lang = ctx.lang;
    // The scores come as `score_<criterion>` fields, so the form is read as pairs.
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let s = ctx.page_writer(Some(&field("csrf")))?;
    ctx.app.may_review_application(s, id).await.page(lang)?;
    let mut scores = std::collections::BTreeMap::new();
    let mut bad = None;
    for (k, v) in &pairs {
        if let Some(c) = k.strip_prefix("score_")
            && !v.trim().is_empty()
        {
            match v.trim().parse::<f64>() {
                Ok(x) => {
                    scores.insert(c.to_string(), x);
                }
                Err(_) => {
                    bad = Some(AppError::invalid(
                        &format!("scores.{c}"),
                        format!("“{v}”不是数"),
                        format!("“{v}” is not a number"),
                    ))
                }
            }
        }
    }
    let input = ChallengeReviewInput { scores, comment: field("comment"), submit: field("action") == "submit" };
    let done = match bad {
        Some(e) => Err(e),
        None => ctx.app.review_application(s, id, &input, &ctx.ip).await,
    };
    let done = done.map(|()| format!("/challenge-applications/{id}"));
    ui::after_post(lang, done, ui::REFUSED_OR_GONE, |e| show_application(&ctx, s, id, Some(e))).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UploadQuery {
    name: String,
}

pub async fn upload(ctx: Ctx, Path(id): Path<i64>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let lang = ctx.lang;
    let e = |err: AppError| ApiError(err, lang);
    ctx.require_csrf(None).map_err(e)?;
    let s = ctx.user().map_err(e)?;
    ctx.app.may_attach_to_application(s, id).await.map_err(e)?;
    let q: UploadQuery = crate::extract::query(&ctx.query).map_err(e)?;
    let name = ui::clean_upload_name(&q.name);
    let kind = ui::clean_upload_type(&headers);
    let aid = ctx.app.attach_to_application(s, id, &name, &kind, &body, &ctx.ip).await.map_err(e)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "id": aid, "application_id": id, "filename": name, "size": body.len() })),
    )
        .into_response())
}

pub async fn download(ctx: Ctx, Path(id): Path<i64>) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let (name, data) = ctx.app.challenge_attachment(s, id).await.page(ctx.lang)?;
    Ok(ui::download(&name, "application/octet-stream", data))
}
