//! `/users`: the accounts (system and security administrators) and, for system administrators, the form to
//! create one. Roles follow the separation of duties the use case enforces. `/roles`: the role definitions,
//! a permission matrix, and the security administrator's forms to change them.

use axum::response::{IntoResponse, Redirect, Response};
use jiqun_app::model::UserRow;
use jiqun_app::users::UserInput;
use jiqun_app::{Action, AppError, Perm, RoleDef, Scope, Session};
use jiqun_domain::Lang;
use maud::{Markup, html};
use serde_json::json;

use crate::ctx::Ctx;
use crate::error::{PageError, PageResult, WithLang};
use crate::extract::Form;
use crate::kit::ui::{self, Csv, Export, can};

pub async fn list(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user_for(&Action::ReadUsers)?;
    show(&ctx, s, None, &NewUserForm::default()).await
}

#[derive(Default)]
struct NewUserForm {
    username: String,
    display_name: String,
    roles: Vec<String>,
    agency: String,
    city: String,
    uscc: String,
}

async fn show(ctx: &Ctx, s: &Session, error: Option<AppError>, form: &NewUserForm) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let users = ctx.app.users(s).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    match ui::export(ctx) {
        Some(Export::Json) => return Ok(ui::json(snap.synthetic, "users", json!({ "users": users }))),
        Some(Export::Csv) => return Ok(users_csv(&users, lang).respond("users", snap.synthetic)),
        None => {}
    }
    let agencies: Vec<String> =
        snap.current_plan().map(|p| p.agencies().iter().map(|a| a.to_string()).collect()).unwrap_or_default();
    // Role names as the role table says them (custom roles included).
    let table = ctx.app.role_table().await.page(lang)?;
    let role_label = |r: &str| table.role(r).map_or_else(|| r.to_string(), |d| d.label(lang).to_string());
    let status = ui::form_status(error.as_ref());
    let body = html! {
        div.pagehead { h1 { (t("用户", "Users")) } }
        div.scroll {
            table.data {
                caption { (t("系统账户及其角色", "Accounts and their roles")) }
                (ui::head(lang, &[ui::col("用户名", "Username"), ui::col("姓名 / 单位", "Name"), ui::col("角色", "Roles"), ui::col("所属部门", "Department"), ui::col("所属城市", "City"), ui::col("最近登录", "Last login"), ui::col("状态", "State")]))
                tbody { @for u in &users {
                    tr {
                        th scope="row" { (u.username) }
                        td { (u.display_name) }
                        td { (u.roles.iter().map(|r| role_label(r)).collect::<Vec<_>>().join(ui::sep(lang))) }
                        td { (u.agency.as_deref().unwrap_or("")) }
                        td { (u.city.as_deref().unwrap_or("")) }
                        td { (ui::opt_datetime(u.last_login_at)) }
                        td {
                            @if u.disabled { span.flag.bad { (t("已停用", "disabled")) } }
                            @else if u.locked_until.is_some_and(|x| x > jiqun_app::model::now_ms()) { span.flag.warn { (t("已锁定", "locked")) } }
                            @else { (t("正常", "active")) }
                        }
                    }
                } }
            }
        }
        @if can(s, &Action::ManageUsers) {
            section.panel #new aria-labelledby="h-new" {
                h2 #h-new { (t("新建用户", "Create a user")) }
                p.muted { (t("三员分立：系统管理员、安全管理员、审计管理员不能由同一账户兼任。密码至少 8 位，含大写、小写、数字、符号中的三类。", "Separation of duties: no account holds two of the system, security and audit administrator roles. Passwords: at least 8 characters from three of upper case, lower case, digits and symbols.")) }
                @if let Some(e) = &error { (ui::form_error(e, lang)) }
                form.grid method="post" action="/users" {
                    (ui::csrf(s))
                    div.field {
                        label for="u-name" { (t("用户名", "Username")) }
                        input #u-name name="username" required maxlength="64" value=(form.username) autocomplete="off";
                    }
                    div.field {
                        label for="u-display" { (t("姓名 / 单位", "Display name")) }
                        input #u-display name="display_name" maxlength="100" value=(form.display_name);
                    }
                    div.field {
                        label for="u-pass" { (t("初始密码", "Initial password")) }
                        input #u-pass name="password" type="password" required autocomplete="new-password";
                    }
                    fieldset.field.full {
                        legend { (t("角色", "Roles")) }
                        div.checks {
                            @for r in &table.roles {
                                label.check { input type="checkbox" name="roles" value=(r.name) checked[form.roles.contains(&r.name)]; " " (r.label(lang)) }
                            }
                        }
                    }
                    div.field {
                        label for="u-agency" { (t("所属部门（部门填报员必填）", "Department (for department reporters)")) }
                        input #u-agency name="agency" list="agency-list" maxlength="100" value=(form.agency);
                        datalist #agency-list { @for a in &agencies { option value=(a) {} } }
                    }
                    div.field {
                        label for="u-city" { (t("所属城市（地市填报员必填）", "City (for city reporters)")) }
                        select #u-city name="city" {
                            option value="" { (t("（无）", "(none)")) }
                            @for c in ui::regions().prefecture_cities() { option value=(c.name) selected[form.city == c.name] { (c.name) } }
                        }
                    }
                    div.field {
                        label for="u-uscc" { (t("企业统一社会信用代码（企业用户必填）", "Firm's USCC (for enterprise users)")) }
                        input #u-uscc name="uscc" maxlength="18" value=(form.uscc) autocomplete="off";
                    }
                    div.actions { button type="submit" { (t("创建", "Create")) } }
                }
            }
        }
        (ui::downloads(ctx, lang))
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("用户", "Users"), body))
}

fn users_csv(users: &[UserRow], lang: jiqun_domain::Lang) -> Csv {
    let mut csv = Csv::translated(
        lang,
        &[
            ("用户名", "username"),
            ("姓名", "display name"),
            ("角色", "roles"),
            ("部门", "department"),
            ("城市", "city"),
            ("最近登录", "last login"),
            ("停用", "disabled"),
        ],
    );
    for u in users {
        csv.row([
            u.username.clone(),
            u.display_name.clone(),
            u.roles.join(" "),
            u.agency.as_deref().unwrap_or_default().to_string(),
            u.city.as_deref().unwrap_or_default().to_string(),
            ui::opt_datetime(u.last_login_at),
            u.disabled.to_string(),
        ]);
    }
    csv
}

/// The form arrives as pairs, because the roles are repeated checkboxes.
pub async fn create(ctx: Ctx, Form(pairs): Form<Vec<(String, String)>>) -> PageResult<Response> {
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let s = ctx.page_writer(Some(&get("csrf")))?;
    let form = NewUserForm {
        username: get("username"),
        display_name: get("display_name"),
        roles: pairs.iter().filter(|(n, _)| n == "roles").map(|(_, v)| v.clone()).collect(),
        agency: get("agency"),
        city: get("city"),
        uscc: get("uscc").trim().to_ascii_uppercase(),
    };
    let input = UserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        password: get("password"),
        roles: form.roles.clone(),
        agency: Some(form.agency.trim().to_string()).filter(|a| !a.is_empty()),
        city: Some(form.city.trim().to_string()).filter(|c| !c.is_empty()),
        uscc: Some(form.uscc.clone()).filter(|c| !c.is_empty()),
    };
    match ctx.app.create_user(Some(s), &input, &ctx.ip).await {
        Ok(_) => Ok(Redirect::to("/users").into_response()),
        Err(e) if matches!(e.status(), 409 | 422) => show(&ctx, s, Some(e), &form).await,
        Err(e) => Err(PageError(e, ctx.lang)),
    }
}

// ---- /roles ----

pub async fn roles(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    show_roles(&ctx, s, None).await
}

async fn show_roles(ctx: &Ctx, s: &Session, error: Option<AppError>) -> PageResult<Response> {
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let table = ctx.app.roles(s).await.page(lang)?;
    let snap = ctx.app.snapshot().await.page(lang)?;
    let edit = s.can(&Action::ManageRoles);
    let scope_of = |r: &RoleDef, p: Perm| -> Option<Scope> { r.grants.iter().find(|g| g.perm == p).map(|g| g.scope) };
    let status = ui::form_status(error.as_ref());
    let body = html! {
        div.pagehead {
            h1 { (t("角色与权限", "Roles and permissions")) }
            p.sub { (t("每个角色是一组“权限＋范围”。三员（系统、安全、审计管理员）权限固定且互斥；其余角色的权限由安全管理员维护。", "Each role is a set of permissions with scopes. The three administrator roles are fixed and exclusive; the security administrator maintains the others.")) }
        }
        @if let Some(e) = &error { (ui::form_error(e, lang)) }
        div.scroll { table.data.compact {
            caption { (t("权限矩阵（单元格为范围）", "Permission matrix (cells give the scope)")) }
            thead { tr { th scope="col" { (t("权限", "Permission")) } @for r in &table.roles { th scope="col" { (r.label(lang)) } } } }
            tbody { @for p in Perm::ALL { tr {
                th scope="row" { (p.label(lang)) }
                @for r in &table.roles { td { @if let Some(sc) = scope_of(r, p) { (sc.label(lang)) } } }
            } } }
        } }
        @if edit {
            h2 { (t("修改角色", "Edit a role")) }
            @for r in table.roles.iter().filter(|r| !r.fixed()) {
                details.panel {
                    summary { (r.label(lang)) " (" code { (r.name) } ")" }
                    (role_form(s, r, lang))
                }
            }
            details.panel {
                summary { (t("新增角色", "Add a role")) }
                (role_form(s, &RoleDef { name: String::new(), label_zh: String::new(), label_en: String::new(), grants: Vec::new(), builtin: false, perms_version: jiqun_app::authz::PERMS_VERSION }, lang))
            }
        }
    };
    Ok(ui::page_status(ctx, s, snap.synthetic, status, t("角色与权限", "Roles and permissions"), body))
}

fn role_form(s: &Session, r: &RoleDef, lang: Lang) -> Markup {
    let t = |zh, en| lang.pick(zh, en);
    let scope_of = |p: Perm| r.grants.iter().find(|g| g.perm == p).map(|g| g.scope);
    html! {
        form.grid method="post" action="/roles" {
            (ui::csrf(s))
            label { (t("角色标识", "Role name")) input name="name" required maxlength="40" pattern="[a-z0-9_]+" value=(r.name) readonly[!r.name.is_empty()]; }
            label { (t("中文名称", "Chinese label")) input name="label_zh" required maxlength="40" value=(r.label_zh); }
            label { (t("英文名称", "English label")) input name="label_en" required maxlength="40" value=(r.label_en); }
            @for p in Perm::ALL.iter().filter(|p| p.reserved_to().is_none()) {
                label { (p.label(lang))
                    select name=(p.as_str()) {
                        option value="" { (t("（无）", "(none)")) }
                        @for sc in Scope::ALL { option value=(sc.as_str()) selected[scope_of(*p) == Some(sc)] { (sc.label(lang)) } }
                    }
                }
            }
            button type="submit" { (t("保存角色", "Save the role")) }
        }
    }
}

pub async fn set_role(ctx: Ctx, Form(f): Form<std::collections::HashMap<String, String>>) -> PageResult<Response> {
    let lang = ctx.lang;
    let s = ctx.page_writer_for(f.get("csrf").map(String::as_str), &Action::ManageRoles)?;
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let mut grants = Vec::new();
    for p in Perm::ALL {
        if let Some(scope) = Scope::parse(&get(p.as_str())) {
            grants.push(jiqun_app::authz::Grant { perm: p, scope });
        }
    }
    let def = RoleDef {
        name: get("name"),
        label_zh: get("label_zh"),
        label_en: get("label_en"),
        grants,
        builtin: false,
        perms_version: jiqun_app::authz::PERMS_VERSION,
    };
    let done = ctx.app.set_role(s, &def, &ctx.ip).await.map(|()| "/roles".into());
    ui::after_post(lang, done, ui::REFUSED, |e| show_roles(&ctx, s, Some(e))).await
}
