//! The page frame: header with navigation and the language switch, the synthetic-data banner, and the
//! footer. Every page is rendered inside it.

use jiqun_app::{Action, Perm, Session};
use jiqun_domain::Lang;
use maud::{DOCTYPE, Markup, html};

use super::ui::enc;

/// A page with no navigation (login, errors).
pub fn bare(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.pick("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.pick("集群", "Jiqun")) }
                link rel="stylesheet" href="/assets/app.css";
            }
            body { (body) }
        }
    }
}

/// What the frame needs to know about the request.
pub struct Frame<'a> {
    pub lang: Lang,
    pub session: &'a Session,
    /// The path and query of this page, for the language switch.
    pub here: &'a str,
    /// The database holds the synthetic demo data set: every page says so.
    pub synthetic: bool,
}

pub fn switch_lang(here: &str, to: &str) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let kept: Vec<&str> = query.split('&').filter(|kv| !kv.is_empty() && !kv.starts_with("lang=")).collect();
    let mut q = kept.join("&");
    if !q.is_empty() {
        q.push('&');
    }
    format!("{path}?{q}lang={to}")
}

/// Which navigation entry a path belongs to: `page` for the entry itself, `true` for a page under it.
fn current(path: &str, href: &str) -> Option<&'static str> {
    if path == href {
        return Some("page");
    }
    let under: &[&str] = match href {
        "/plan" => &["/plans"],
        "/indicators" => &["/indicators/"],
        "/supervision" => &["/agencies/", "/assignments/"],
        "/cities" => &["/cities/"],
        "/libraries" => &["/libraries/"],
        "/projects" => &["/projects/"],
        "/bases" => &["/bases/"],
        "/chains" => &["/chains/"],
        "/challenges" => &["/challenges/", "/challenge-applications/"],
        "/matching" => &["/matching/"],
        _ => &[],
    };
    under.iter().any(|p| path.starts_with(p)).then_some("true")
}

pub fn page(f: &Frame, title: &str, body: Markup) -> Markup {
    let t = |zh, en| f.lang.pick(zh, en);
    let u = &f.session.user;
    let s = f.session;
    let mut nav: Vec<(&str, &str)> = vec![("/", t("总览", "Dashboard"))];
    if s.can(&Action::ReadPlan) {
        nav.extend([
            ("/plan", t("计划与分工", "Plan")),
            ("/indicators", t("指标", "Indicators")),
            ("/supervision", t("督办", "Supervision")),
            ("/cities", t("地市", "Cities")),
            ("/bases", t("平台与基地", "Bases")),
        ]);
    }
    if s.can(&Action::ReadChains) {
        nav.push(("/chains", t("产业链", "Chains")));
    }
    if (u.has_role("agency_reporter") && u.agency.is_some()) || (u.has_role("city_reporter") && u.city.is_some()) {
        nav.push(("/my", t("我的任务", "My tasks")));
    }
    let firms = s.can(&Action::ReadEnterprises) || !s.roles.scopes(u, Perm::ReadFigures).is_empty();
    if firms {
        let own_firm = !s.can(&Action::ReadEnterprises) && u.uscc.is_some();
        nav.push(("/enterprises", if own_firm { t("本企业", "My enterprise") } else { t("企业", "Enterprises") }));
        nav.push(("/evaluations", t("亩均评价", "Per-mu")));
    }
    if s.can(&Action::ReadEnterprises) {
        nav.push(("/libraries", t("培育库", "Libraries")));
    }
    // Key projects for those who read them (the admission page is linked from there); the admission page
    // itself for a role that assesses projects without reading the key projects.
    if !s.roles.scopes(u, Perm::ReadProjects).is_empty() {
        nav.push(("/projects", t("重点项目", "Key projects")));
    } else if !s.roles.scopes(u, Perm::AssessProjects).is_empty() {
        nav.push(("/projects/admission", t("项目准入", "Admission")));
    }
    if s.can(&Action::ReadChallenges) {
        nav.push(("/challenges", t("揭榜挂帅", "Challenges")));
    }
    if !s.roles.scopes(u, Perm::ReadMatches).is_empty() {
        nav.push(("/matching", t("芯片对接", "Chip matching")));
    }
    let fills = [Perm::EditEnterprise, Perm::AddObservation, Perm::FileReport, Perm::ReportProject];
    if fills.iter().any(|p| !s.roles.scopes(u, *p).is_empty()) {
        nav.push(("/imports", t("填报导入", "Templates & import")));
    }
    if s.can(&Action::ReadUsers) {
        nav.push(("/users", t("用户", "Users")));
        nav.push(("/roles", t("角色", "Roles")));
    }
    let path = f.here.split('?').next().unwrap_or("");
    let own = u.agency.as_deref().filter(|_| u.has_role("agency_reporter")).map(|a| format!("/agencies/{}", enc(a)));
    let own_city = u.city.as_deref().filter(|_| u.has_role("city_reporter")).map(|c| format!("/cities/{}", enc(c)));
    let current = |path: &str, href: &str| {
        if href == "/my" && (own.as_deref() == Some(path) || own_city.as_deref() == Some(path)) {
            return Some("page");
        }
        current(path, href)
    };
    html! {
        (DOCTYPE)
        html lang=(f.lang.pick("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t("集群", "Jiqun")) }
                meta name="csrf" content=(f.session.csrf);
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body {
                a.skip href="#main" { (t("跳到正文", "Skip to content")) }
                header.top {
                    a.brand href="/" { span.logo aria-hidden="true" { "集" } span { (t("产业集群行动计划管理系统", "Industrial-cluster plan system")) } }
                    nav aria-label=(t("主导航", "Main")) {
                        ul { @for (href, label) in &nav {
                            li { a href=(href) aria-current=[current(path, href)] { (label) } }
                        } }
                    }
                    div.who {
                        a href="/account" title=(u.roles.join(", ")) { (if u.display_name.is_empty() { &u.username } else { &u.display_name }) }
                        a.lang href=(switch_lang(f.here, if f.lang == Lang::Zh { "en" } else { "zh" })) lang=(if f.lang == Lang::Zh { "en" } else { "zh-CN" }) {
                            (if f.lang == Lang::Zh { "English" } else { "中文" })
                        }
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(f.session.csrf);
                            button.link type="submit" { (t("退出", "Log out")) }
                        }
                    }
                }
                @if f.synthetic {
                    p.synthetic role="note" { strong { "示例数据 (synthetic)" } " — " (t("本系统当前载入的是演示用合成数据，并非官方统计。", "this database holds a synthetic demo data set, not official statistics.")) }
                }
                main #main { (body) }
                footer.bottom { p { (t("集群 · 产业集群行动计划管理系统", "Jiqun · industrial-cluster action plan system")) } }
            }
        }
    }
}
