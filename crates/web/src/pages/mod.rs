//! The server-rendered UI. Each page is a handler that reads the computed snapshot and renders HTML with
//! maud (escaped by construction); forms post back with the session's CSRF token. `?format=csv` and
//! `?format=json` on a page return the data it shows.
//!
//! | route | page |
//! |---|---|
//! | `/` | dashboard of the current plan |
//! | `/plan`, `/plans/{id}`, `/plans` | a plan (sections, items, responsibility matrix); the plans and the import |
//! | `/indicators`, `/indicators/{id}` | indicators; one indicator's chart, status inputs, values and forms |
//! | `/supervision`, `/agencies/{name}`, `/my`, `/assignments/{id}` | review list, department tasks, reports |
//! | `/cities`, `/cities/{name}` | tile map of the 21 cities; a city's role and figures |
//! | `/enterprises`, `/enterprises/{id}`, `/evaluations`, `/evaluations/{id}`, `/roles` | registry, firm, per-mu runs, roles |
//! | `/libraries`, `/libraries/{name}` | cultivation libraries: members, candidates, checks, designation |
//! | `/projects`, `/projects/{id}` | new-project admission: the form, the proposals, one decision |
//! | `/evaluations/{id}/policy` | the differentiated resource policy (example table) applied to a run |
//! | `/users` | accounts (administrators) |
//! | `/account` | my password and second factor |

pub mod account;
pub mod charts;
pub mod cities;
pub mod cultivation;
pub mod dashboard;
pub mod enterprises;
pub mod indicators;
pub mod layout;
pub mod manage;
pub mod plan;
pub mod supervision;
pub mod ui;
pub mod users;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use maud::html;
use serde::Deserialize;

use crate::ctx::{AppState, Ctx, SESSION_COOKIE};
use crate::extract::Form;
use crate::routes::Access;
use jiqun_app::Perm;

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

/// A page route and who may use it. The router is built from this table, and the role × route test walks
/// it with every role (as it walks the API's), so a page cannot be added without saying who may use it.
pub struct PageRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub handler: fn() -> MethodRouter<AppState>,
}

/// Who reads a firm: the directory readers, and those who read some firm's figures.
const FIRM_READERS: Access = Access::Any(&[Perm::ReadEnterprises, Perm::ReadFigures]);

pub const PAGES: &[PageRoute] = &[
    PageRoute { method: "get", path: "/login", access: Access::Public, handler: || get(login_page) },
    PageRoute { method: "post", path: "/login", access: Access::Public, handler: || post(login_submit) },
    PageRoute { method: "post", path: "/logout", access: Access::Account, handler: || post(logout) },
    PageRoute { method: "get", path: "/account", access: Access::Account, handler: || get(account::page) },
    PageRoute {
        method: "post",
        path: "/account/password",
        access: Access::Account,
        handler: || post(account::change_password),
    },
    PageRoute {
        method: "post",
        path: "/account/totp/enroll",
        access: Access::Account,
        handler: || post(account::enrol),
    },
    PageRoute {
        method: "post",
        path: "/account/totp/confirm",
        access: Access::Account,
        handler: || post(account::confirm),
    },
    PageRoute {
        method: "get",
        path: "/assets/app.css",
        access: Access::Public,
        handler: || get(|| async { asset(CSS, "text/css; charset=utf-8") }),
    },
    PageRoute {
        method: "get",
        path: "/assets/app.js",
        access: Access::Public,
        handler: || get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
    },
    // The dashboard greets every logged-in user; roles that do not read the plan see only a welcome.
    PageRoute { method: "get", path: "/", access: Access::Account, handler: || get(dashboard::dashboard) },
    PageRoute { method: "get", path: "/plan", access: Access::Perm(Perm::ReadPlan), handler: || get(plan::current) },
    PageRoute { method: "get", path: "/plans", access: Access::Perm(Perm::ReadPlan), handler: || get(plan::list) },
    PageRoute {
        method: "post",
        path: "/plans/import",
        access: Access::Perm(Perm::ImportPlan),
        handler: || post(plan::import),
    },
    PageRoute {
        method: "get",
        path: "/plans/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(plan::by_id),
    },
    PageRoute {
        method: "post",
        path: "/plans/{id}/rounds",
        access: Access::Perm(Perm::ManageRounds),
        handler: || post(supervision::set_round),
    },
    PageRoute {
        method: "post",
        path: "/plans/{id}/settings",
        access: Access::Perm(Perm::ManageRounds),
        handler: || post(supervision::set_settings),
    },
    PageRoute {
        method: "post",
        path: "/plans/{id}/close",
        access: Access::Perm(Perm::ClosePlan),
        handler: || post(manage::close),
    },
    PageRoute {
        method: "post",
        path: "/plans/{id}/indicators",
        access: Access::Perm(Perm::EditIndicator),
        handler: || post(manage::add_indicator),
    },
    PageRoute {
        method: "get",
        path: "/indicators",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(indicators::list),
    },
    PageRoute {
        method: "get",
        path: "/indicators/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(indicators::detail),
    },
    PageRoute {
        method: "post",
        path: "/indicators/{id}/observations",
        access: Access::Perm(Perm::AddObservation),
        handler: || post(indicators::add_observation),
    },
    PageRoute {
        method: "post",
        path: "/indicators/{id}/override",
        access: Access::Perm(Perm::OverrideStatus),
        handler: || post(indicators::override_status),
    },
    PageRoute {
        method: "post",
        path: "/indicators/{id}/edit",
        access: Access::Perm(Perm::EditIndicator),
        handler: || post(indicators::edit),
    },
    PageRoute {
        method: "get",
        path: "/supervision",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(supervision::supervision),
    },
    PageRoute {
        method: "post",
        path: "/reports/{id}/review",
        access: Access::Perm(Perm::ReviewReport),
        handler: || post(supervision::review),
    },
    PageRoute {
        method: "post",
        path: "/reports/{id}/attachments",
        access: Access::Perm(Perm::FileReport),
        handler: || post(supervision::upload).layer(DefaultBodyLimit::max(supervision::MAX_ATTACHMENT + 64 * 1024)),
    },
    PageRoute {
        method: "get",
        path: "/attachments/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(supervision::download),
    },
    PageRoute {
        method: "get",
        path: "/agencies/{name}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(supervision::agency),
    },
    PageRoute { method: "get", path: "/my", access: Access::Perm(Perm::ReadPlan), handler: || get(supervision::my) },
    PageRoute {
        method: "get",
        path: "/assignments/{id}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(supervision::assignment),
    },
    PageRoute {
        method: "post",
        path: "/assignments/{id}/reports",
        access: Access::Perm(Perm::FileReport),
        handler: || post(supervision::file_report),
    },
    PageRoute { method: "get", path: "/cities", access: Access::Perm(Perm::ReadPlan), handler: || get(cities::map) },
    PageRoute {
        method: "get",
        path: "/cities/{name}",
        access: Access::Perm(Perm::ReadPlan),
        handler: || get(cities::city),
    },
    PageRoute { method: "get", path: "/enterprises", access: FIRM_READERS, handler: || get(enterprises::list) },
    PageRoute {
        method: "post",
        path: "/enterprises",
        access: Access::Perm(Perm::EditEnterprise),
        handler: || post(enterprises::register),
    },
    PageRoute { method: "get", path: "/enterprises/{id}", access: FIRM_READERS, handler: || get(enterprises::detail) },
    PageRoute {
        method: "post",
        path: "/enterprises/{id}/figures",
        access: Access::Perm(Perm::EditEnterprise),
        handler: || post(enterprises::put_figures),
    },
    PageRoute {
        method: "post",
        path: "/enterprises/{id}/experts",
        access: Access::Perm(Perm::AssignExperts),
        handler: || post(enterprises::assign_expert),
    },
    PageRoute { method: "get", path: "/evaluations", access: FIRM_READERS, handler: || get(enterprises::evaluations) },
    PageRoute {
        method: "post",
        path: "/evaluations",
        access: Access::Perm(Perm::RunEvaluation),
        handler: || post(enterprises::run),
    },
    PageRoute {
        method: "get",
        path: "/evaluations/{id}",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(enterprises::evaluation),
    },
    PageRoute {
        method: "get",
        path: "/evaluations/{id}/policy",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(cultivation::resource_policy),
    },
    PageRoute {
        method: "post",
        path: "/enterprises/{id}/profile",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(cultivation::put_profile),
    },
    PageRoute {
        method: "get",
        path: "/libraries",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(cultivation::list),
    },
    PageRoute {
        method: "post",
        path: "/libraries/recompute",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(cultivation::recompute),
    },
    PageRoute {
        method: "get",
        path: "/libraries/{name}",
        access: Access::Perm(Perm::ReadEnterprises),
        handler: || get(cultivation::library),
    },
    PageRoute {
        method: "post",
        path: "/libraries/{name}/designations",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(cultivation::designate),
    },
    PageRoute {
        method: "post",
        path: "/libraries/{name}/ranking",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(cultivation::set_ranking),
    },
    PageRoute {
        method: "post",
        path: "/libraries/{name}/withdraw",
        access: Access::Perm(Perm::ManageLibraries),
        handler: || post(cultivation::withdraw),
    },
    PageRoute {
        method: "get",
        path: "/projects",
        access: Access::Perm(Perm::AssessProjects),
        handler: || get(cultivation::projects),
    },
    PageRoute {
        method: "post",
        path: "/projects",
        access: Access::Perm(Perm::AssessProjects),
        handler: || post(cultivation::assess),
    },
    PageRoute {
        method: "get",
        path: "/projects/{id}",
        access: Access::Perm(Perm::AssessProjects),
        handler: || get(cultivation::project),
    },
    PageRoute {
        method: "post",
        path: "/schemes",
        access: Access::Perm(Perm::RunEvaluation),
        handler: || post(enterprises::put_scheme),
    },
    PageRoute {
        method: "get",
        path: "/roles",
        access: Access::Perm(Perm::ReadUsers),
        handler: || get(enterprises::roles),
    },
    PageRoute {
        method: "post",
        path: "/roles",
        access: Access::Perm(Perm::ManageRoles),
        handler: || post(enterprises::set_role),
    },
    PageRoute { method: "get", path: "/users", access: Access::Perm(Perm::ReadUsers), handler: || get(users::list) },
    PageRoute {
        method: "post",
        path: "/users",
        access: Access::Perm(Perm::ManageUsers),
        handler: || post(users::create),
    },
];

pub fn router() -> Router<AppState> {
    let mut r = Router::new();
    for p in PAGES {
        r = r.route(p.path, (p.handler)());
    }
    r
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    r
}

fn login_form(ctx: &Ctx, error: Option<&str>, username: &str) -> maud::Markup {
    let t = |zh, en| ctx.lang.pick(zh, en);
    layout::bare(
        ctx.lang,
        t("登录", "Log in"),
        html! {
            main.login {
                h1 { span.logo aria-hidden="true" { "集" } (t("产业集群行动计划管理系统", "Industrial-cluster plan system")) }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/login" {
                    label for="username" { (t("用户名", "Username")) }
                    input #username name="username" autocomplete="username" required value=(username) autofocus;
                    label for="password" { (t("密码", "Password")) }
                    input #password name="password" type="password" autocomplete="current-password" required;
                    label for="totp" { (t("动态口令（已绑定时填写）", "One-time code (if enrolled)")) }
                    input #totp name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}";
                    button type="submit" { (t("登录", "Log in")) }
                }
                p.switch { a href=(if ctx.lang == jiqun_domain::Lang::Zh { "/login?lang=en" } else { "/login?lang=zh" }) { (t("English", "中文")) } }
            }
        },
    )
}

async fn login_page(ctx: Ctx) -> Response {
    if ctx.session.is_some() {
        return Redirect::to("/").into_response();
    }
    Html(login_form(&ctx, None, "").into_string()).into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    totp: String,
}

async fn login_submit(State(app): State<AppState>, ctx: Ctx, Form(f): Form<LoginForm>) -> Response {
    let totp = Some(f.totp.trim()).filter(|c| !c.is_empty());
    match app.login_with(&f.username, &f.password, totp, "cookie", &ctx.ip).await {
        Ok(ok) => {
            // A session that must first change its password or enrol TOTP goes to the account page.
            let to = if app.restriction_of(&ok.user).await.is_some() { "/account" } else { "/" };
            let mut r = Redirect::to(to).into_response();
            let cookie = format!("{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200", ok.token);
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            (status, Html(login_form(&ctx, Some(e.message(ctx.lang)), &f.username).into_string())).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(State(app): State<AppState>, ctx: Ctx, Form(f): Form<CsrfForm>) -> Response {
    if ctx.require_csrf(Some(&f.csrf)).is_ok()
        && let Some(s) = &ctx.session
    {
        let _ = app.logout(s, &ctx.ip).await;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("jiqun_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    r
}
