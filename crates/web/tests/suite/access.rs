//! The role × route matrix: every API route (at its path and at each alias), called by a user of every role,
//! is allowed or refused exactly as its declared `Access` says. A new route must declare its access (the
//! table does not compile without it) and is then walked here with every role.

use crate::common::{Client, ROLE_PASSWORD, csrf_meta};

use axum::http::StatusCode;
use jiqun_app::users::UserInput;
use jiqun_web::routes::{Access, api_routes, page_routes};
use serde_json::json;

const ROLES: &[&str] = jiqun_app::auth::ROLES;

/// The expected answer for a user of the built-in role whose scope (department 省科技厅, city 深圳, …)
/// covers the object the walk uses.
fn allowed(access: Access, role: &str) -> bool {
    match access {
        Access::Public | Access::Account => true,
        Access::Perm(p) => jiqun_app::RoleTable::default().role_has(role, p),
        Access::Any(perms) => perms.iter().any(|p| jiqun_app::RoleTable::default().role_has(role, *p)),
        Access::Scoped(p, scopes) => jiqun_app::RoleTable::default()
            .role(role)
            .is_some_and(|r| r.grants.iter().any(|g| g.perm == p && scopes.contains(&g.scope))),
    }
}

/// The objects the walks address: one of 省科技厅's assignments, its latest report, a firm of 深圳 (the
/// enterprise user's own, assigned to the expert), an evaluation run and a project proposal of 深圳.
#[derive(Clone, Copy)]
struct Ids {
    assignment: i64,
    report: i64,
    firm: i64,
    evaluation: i64,
    project: i64,
    problem: i64,
    admission: i64,
    milestone: i64,
    challenge: i64,
    application: i64,
    attachment: i64,
    /// A chip product, a terminal need and a meeting of the enterprise user's firm (of 深圳).
    match_product: i64,
    match_need: i64,
    match_meeting: i64,
}

/// The demo data set, a user of every role (`{prefix}_{role}`, password `Role-12345`; the department reporter
/// of 省科技厅, the city reporter of 深圳, the enterprise user of the demo's first firm of 深圳, the expert
/// assigned to that firm), and the ids of the objects the walks use.
async fn demo_with_a_user_per_role(prefix: &str) -> (Client, Ids, String) {
    let client = Client::demo_sqlite().await;
    let app = &client.app;
    let firm_uscc = app.store_for_tests().user_by_name("qiye").await.unwrap().unwrap().uscc.unwrap();
    let firm = app.store_for_tests().enterprise_by_uscc(&firm_uscc).await.unwrap().unwrap();
    assert_eq!(firm.city, "深圳");
    for role in ROLES {
        let input = UserInput {
            username: format!("{prefix}_{role}"),
            display_name: String::new(),
            password: ROLE_PASSWORD.into(),
            roles: vec![role.to_string()],
            agency: (*role == "agency_reporter").then(|| "省科技厅".to_string()),
            city: (*role == "city_reporter").then(|| "深圳".to_string()),
            uscc: (*role == "enterprise").then(|| firm_uscc.clone()),
        };
        let id = app.create_user(None, &input, "").await.unwrap();
        if *role == "expert" {
            app.store_for_tests().assign_expert(id, firm.id, &jiqun_store::Actor::system("test")).await.unwrap();
        }
    }
    let assignment = app
        .store_for_tests()
        .assignments(Some(1), Some(&jiqun_domain::AgencyName::parse("省科技厅").unwrap()))
        .await
        .unwrap()[0]
        .id;
    let report = app.store_for_tests().assignment_reports(assignment).await.unwrap().last().unwrap().id;
    let evaluation = app.store_for_tests().evaluations().await.unwrap()[0].id;
    // The enterprise's own project (in 深圳), and its problem routed to 省科技厅 for the department's walk.
    let own = jiqun_app::model::ProjectFilter { owner_uscc: Some(firm_uscc.clone()), ..Default::default() };
    let project = app.store_for_tests().projects(&own).await.unwrap()[0].id;
    let problem = app.store_for_tests().problems(Some(project)).await.unwrap()[0].id;
    let due = jiqun_domain::date::Date::parse("2099-01-01").unwrap();
    let system = jiqun_store::Actor::system("test");
    app.store_for_tests().reroute_problem(problem, "省科技厅", due, &system).await.unwrap();
    let admission = app.store_for_tests().proposals(Some(jiqun_domain::CityCode::Shenzhen)).await.unwrap()[0].id;
    // A milestone of that project, for the milestone routes.
    let milestone = app.store_for_tests().milestones(Some(project)).await.unwrap()[0].id;
    // A challenge of 省科技厅 under review, the enterprise's application to it (with a file), the walk's expert
    // on its panel (need not stand aside).
    let (challenge, application, attachment) = walk_challenge(app, &firm_uscc).await;
    // A product of the firm (the demo lists a need of it), and a meeting on its need with a product of another
    // firm of the same category, for the matchmaking routes.
    let store = app.store_for_tests();
    let mut product = jiqun_store::NewMatchProduct {
        enterprise_id: firm.id,
        name: "（测试）走查产品".into(),
        category: "mcu".into(),
        process_node_nm: None,
        maturity: jiqun_domain::matching::Maturity::Sample,
        annual_volume: None,
        note: String::new(),
        active: true,
        synthetic: false,
    };
    let match_product = store.insert_match_product(&product, &system).await.unwrap();
    let need = store.match_needs().await.unwrap().into_iter().find(|n| n.uscc == firm_uscc).expect("the firm's need");
    let (some, _) = store.enterprises(&Default::default(), 0, 2).await.unwrap();
    product.enterprise_id = some.iter().find(|e| e.uscc != firm_uscc).unwrap().id;
    product.category = need.category.clone();
    let other = store.insert_match_product(&product, &system).await.unwrap();
    let meeting = jiqun_store::NewMatchMeeting {
        product_id: other,
        need_id: need.id,
        held_on: jiqun_domain::date::Date::parse("2026-01-05").unwrap(),
        place: "（测试）走查对接会".into(),
        note: String::new(),
        synthetic: false,
    };
    let match_meeting = store.insert_match_meeting(&meeting, &system).await.unwrap();
    let ids = Ids {
        assignment,
        report,
        firm: firm.id,
        evaluation,
        project,
        problem,
        admission,
        milestone,
        challenge,
        application,
        attachment,
        match_product,
        match_need: need.id,
        match_meeting,
    };
    (client, ids, firm_uscc)
}

/// A challenge issued by 省科技厅 under review, with an application of the firm `firm_uscc` carrying a file, and
/// the walk's expert (`r_expert` or `p_expert`) on its panel.
async fn walk_challenge(app: &jiqun_app::App, firm_uscc: &str) -> (i64, i64, i64) {
    let store = app.store_for_tests();
    let system = jiqun_store::Actor::system("test");
    let c = jiqun_app::model::NewChallenge {
        title: "（测试）巡检榜单".into(),
        problem: "x".into(),
        indicators: "x".into(),
        funding_wan: None,
        reward: String::new(),
        eligibility: String::new(),
        department: "省科技厅".into(),
        chain_node: None,
        gap_rule: None,
        criteria: serde_json::to_string(&jiqun_app::challenges::default_criteria()).unwrap(),
        apply_by: None,
        finish_by: None,
        synthetic: false,
    };
    let id = store.insert_challenge(&c, &system).await.unwrap();
    use jiqun_app::model::ChallengeStep;
    use jiqun_domain::challenges::ChallengeState::*;
    for (from, to) in [(Draft, Published), (Published, ApplicationsOpen)] {
        store.move_challenge(id, &ChallengeStep::plain(from, to), None, &system).await.unwrap();
    }
    let a = jiqun_app::model::NewChallengeApplication {
        org_kind: "firm".into(),
        org_id: firm_uscc.into(),
        org_name: "（测试）企业".into(),
        summary: "x".into(),
    };
    let aid = store.insert_challenge_application(id, &a, &system).await.unwrap();
    let file = store.insert_challenge_attachment(aid, "a.txt", "text/plain", b"x", &system).await.unwrap();
    for u in store.users().await.unwrap().into_iter().filter(|u| u.roles.iter().any(|r| r == "expert")) {
        let e = jiqun_app::model::NewChallengeExpert {
            user_id: u.id,
            org_kind: String::new(),
            org_id: String::new(),
            interests: "[]".into(),
        };
        store.insert_challenge_expert(id, &e, &system).await.unwrap();
    }
    store.move_challenge(id, &ChallengeStep::plain(ApplicationsOpen, Review), None, &system).await.unwrap();
    (id, aid, file)
}

/// A body each writing route accepts far enough to get past its permission check: the firm of 深圳 for
/// the registry's writes, the city 深圳 for an observation.
fn api_body(path: &str, firm_uscc: &str) -> Vec<u8> {
    if path.ends_with("/observations") {
        json!({ "period": "2026", "value": 1, "region": "深圳" }).to_string().into_bytes()
    } else if path.ends_with("/attachments") || path == "/api/v1/plans" || path.ends_with("/import") {
        b"x".to_vec()
    } else if path == "/api/v1/projects" {
        json!({ "city": "深圳" }).to_string().into_bytes()
    } else if path == "/api/v1/enterprises" {
        json!({ "uscc": firm_uscc, "name": "x", "city": "深圳", "scale": "above", "founded_year": 2000 })
            .to_string()
            .into_bytes()
    } else {
        b"{}".to_vec()
    }
}

#[tokio::test]
async fn every_route_with_every_role() {
    let (api, ids, firm_uscc) = demo_with_a_user_per_role("r").await;
    let mut checked = 0;
    for role in ROLES {
        let token = api.login(&format!("r_{role}"), ROLE_PASSWORD).await;
        for r in api_routes() {
            // Every path the route answers at: its own and each old one kept as an alias.
            for path in std::iter::once(r.path).chain(r.aliases.iter().copied()) {
                if path == "/api/v1/auth/logout" {
                    continue; // would end this role's session for the routes after it; covered in tests/api.rs
                }
                let id = if path.starts_with("/api/v1/assignments/")
                    || path.starts_with("/api/v1/supervision/assignments/")
                {
                    ids.assignment
                } else if path.starts_with("/api/v1/reports/") || path.starts_with("/api/v1/supervision/reports/") {
                    ids.report
                } else if path.starts_with("/api/v1/enterprises/") {
                    ids.firm
                } else if path.starts_with("/api/v1/evaluations/") {
                    ids.evaluation
                } else if path.starts_with("/api/v1/projects/admissions/") {
                    ids.admission
                } else if path.starts_with("/api/v1/projects/") {
                    ids.project
                } else if path.starts_with("/api/v1/problems/") {
                    ids.problem
                } else if path.starts_with("/api/v1/milestones/") {
                    ids.milestone
                } else if path.starts_with("/api/v1/challenges/") {
                    ids.challenge
                } else if path.starts_with("/api/v1/challenge-applications/") {
                    ids.application
                } else if path.starts_with("/api/v1/challenge-attachments/") {
                    ids.attachment
                } else if path.starts_with("/api/v1/matches/products/") {
                    ids.match_product
                } else if path.starts_with("/api/v1/matches/needs/") {
                    ids.match_need
                } else if path.starts_with("/api/v1/matches/meetings/") {
                    ids.match_meeting
                } else {
                    1
                };
                let mut uri = path
                    .replace("/chains/{id}", "/chains/integrated_circuits")
                    .replace("{node}", "integrated_circuits.design")
                    .replace("{id}", &id.to_string())
                    .replace("{name}", "walk_role")
                    .replace("{period}", "2025Q1");
                if path.ends_with("/attachments") {
                    uri.push_str("?filename=a.txt");
                }
                if path.ends_with("/history") {
                    uri.push_str("?year=2025&metric=tax_wan");
                }
                let body = api_body(path, &firm_uscc);
                let (s, v) = api.raw(&r.method.to_uppercase(), &uri, &token, body).await;
                let expect = allowed(r.access, role);
                if expect {
                    assert!(
                        s != StatusCode::FORBIDDEN && s != StatusCode::UNAUTHORIZED,
                        "{role} may {} {uri}: got {s} {v}",
                        r.method
                    );
                } else {
                    assert_eq!(s, StatusCode::FORBIDDEN, "{role} may not {} {uri}: {v}", r.method);
                }
                checked += 1;
            }
        }
    }
    let paths: usize = api_routes().iter().map(|r| 1 + r.aliases.len()).sum();
    assert_eq!(checked, ROLES.len() * (paths - 1));
}

/// The same walk over the UI's routes, with the session cookie and its CSRF token.
#[tokio::test]
async fn every_page_with_every_role() {
    let (ui, ids, firm_uscc) = demo_with_a_user_per_role("p").await;
    let (assignment, report) = (ids.assignment, ids.report);
    let enc = |s: &str| -> String { s.bytes().map(|b| format!("%{b:02X}")).collect() };
    let mut checked = 0;
    for role in ROLES {
        let login = ui.post("/login").form_encoded(&format!("username=p_{role}&password={ROLE_PASSWORD}")).await;
        assert_eq!(login.status, StatusCode::SEE_OTHER, "{role} logs in");
        let cookie = login.session_cookie().unwrap();
        let csrf = csrf_meta(&ui.get("/account").cookie(&cookie).await.body);
        for p in page_routes() {
            if p.path == "/logout" || p.path == "/login" {
                continue; // logout would end the walk's session; the login form is public by design
            }
            let uri = p
                .path
                .replace("/assignments/{id}", &format!("/assignments/{assignment}"))
                .replace("/reports/{id}", &format!("/reports/{report}"))
                .replace("/agencies/{name}", &format!("/agencies/{}", enc("省科技厅")))
                .replace("/cities/{name}", &format!("/cities/{}", enc("深圳")))
                .replace("/enterprises/{id}", &format!("/enterprises/{}", ids.firm))
                .replace("/evaluations/{id}", &format!("/evaluations/{}", ids.evaluation))
                .replace("/projects/admission/{id}", &format!("/projects/admission/{}", ids.admission))
                .replace("/projects/{id}", &format!("/projects/{}", ids.project))
                .replace("/problems/{id}", &format!("/problems/{}", ids.problem))
                .replace("/milestones/{id}", &format!("/milestones/{}", ids.milestone))
                .replace("/challenges/{id}", &format!("/challenges/{}", ids.challenge))
                .replace("/challenge-applications/{id}", &format!("/challenge-applications/{}", ids.application))
                .replace("/challenge-attachments/{id}", &format!("/challenge-attachments/{}", ids.attachment))
                .replace("/matching/meetings/{id}", &format!("/matching/meetings/{}", ids.match_meeting))
                .replace("/matching/products/{id}", &format!("/matching/products/{}", ids.match_product))
                .replace("/matching/needs/{id}", &format!("/matching/needs/{}", ids.match_need))
                .replace("{period}", "2025Q1")
                .replace("/libraries/{name}", "/libraries/backbone")
                .replace("/chains/{id}", "/chains/integrated_circuits")
                .replace("{node}", "integrated_circuits.design")
                .replace("{id}", "1");
            let a = if p.method == "get" {
                ui.get(&uri).cookie(&cookie).await
            } else if p.path.ends_with("/attachments") {
                let call = ui.post(&format!("{uri}?name=a.txt")).cookie(&cookie).header("x-csrf-token", &csrf);
                call.body("application/octet-stream", b"x".to_vec()).await
            } else {
                let form = format!(
                    "csrf={csrf}&period=2026&value=1&region={sz}&status=on_schedule&percent=1&narrative=x\
                     &uscc={firm_uscc}&city={sz}&name=x&scale=above&founded_year=2000",
                    sz = enc("深圳")
                );
                ui.post(&uri).cookie(&cookie).form_encoded(&form).await
            };
            let (s, loc, body) = (a.status, a.location(), &a.body);
            let expect = allowed(p.access, role);
            if expect {
                assert!(s != StatusCode::FORBIDDEN && loc != "/login", "{role} may {} {uri}: got {s} {loc}", p.method);
            } else {
                assert_eq!(
                    s,
                    StatusCode::FORBIDDEN,
                    "{role} may not {} {uri}: got {s} {loc} {}",
                    p.method,
                    &body[..body.len().min(200)]
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, ROLES.len() * (page_routes().len() - 3));
}

/// The one door: the web server and the CLI reach storage only through the application layer. Neither
/// depends on `jiqun-store` (so no route handler or CLI verb can call it; the compiler enforces that), and
/// neither names the test-only way to it.
#[test]
fn web_and_cli_reach_the_store_only_through_the_application() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in ["web", "cli"] {
        let manifest = std::fs::read_to_string(crates.join(krate).join("Cargo.toml")).unwrap();
        let deps = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
        assert!(!deps.contains("jiqun-store"), "crates/{krate} depends on jiqun-store");
        let mut stack = vec![crates.join(krate).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for needle in ["jiqun_store", "store_for_tests"] {
                        assert!(!text.contains(needle), "{} names {needle}", path.display());
                    }
                }
            }
        }
    }
}

/// Permission comes before validation on every route (contract §3): a caller the route does not admit gets
/// 403 even when its query parameters are garbage, never a 400 that tells it about the route's input.
#[tokio::test]
async fn permission_comes_before_the_query_on_every_route() {
    let (api, ids, _) = demo_with_a_user_per_role("q").await;
    let mut checked = 0;
    for role in ROLES {
        let token = api.login(&format!("q_{role}"), ROLE_PASSWORD).await;
        for r in api_routes().into_iter().filter(|r| !r.query.is_empty() && !allowed(r.access, role)) {
            let query: Vec<String> = r.query.iter().map(|(name, _)| format!("{name}=%25not-a-value")).collect();
            let uri = format!("{}?{}", r.path.replace("{id}", &ids.firm.to_string()), query.join("&"));
            let (s, v) = api.raw(&r.method.to_uppercase(), &uri, &token, b"{}".to_vec()).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{role} {} {uri}: {v}", r.method);
            checked += 1;
        }
    }
    assert!(checked > 10, "{checked} refusals checked");
}
