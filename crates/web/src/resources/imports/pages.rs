//! `/imports`: the templates the user may fill in, and the upload of a filled-in file. The file goes to
//! `/api/v1/imports` as the request body (app.js); a refused file's mistakes are listed, and the same
//! file can be fetched back with its mistakes marked (`/api/v1/imports/marked`).

use axum::response::Response;
use jiqun_app::imports::ImportKind;
use jiqun_app::{Perm, Scope, Session};
use jiqun_domain::Lang;
use maud::html;

use crate::ctx::Ctx;
use crate::error::{PageResult, WithLang};
use crate::kit::ui;

/// The kinds of template a user may fill in, with the permission each needs.
fn kinds(s: &Session) -> Vec<ImportKind> {
    let has =
        |p: Perm, scopes: &[Scope]| s.roles.scopes(&s.user, p).iter().any(|x| scopes.is_empty() || scopes.contains(x));
    let mut out = Vec::new();
    if has(Perm::AddObservation, &[]) {
        out.push(ImportKind::Observations);
    }
    if has(Perm::FileReport, &[]) {
        out.push(ImportKind::Reports);
    }
    if has(Perm::EditEnterprise, &[Scope::All, Scope::OwnCity]) {
        out.push(ImportKind::Enterprises);
    }
    if has(Perm::ReportProject, &[]) {
        out.push(ImportKind::Projects);
    }
    out
}

fn what(kind: ImportKind, lang: Lang) -> &'static str {
    match kind {
        ImportKind::Observations => lang.pick(
            "每个指标、每个地区一行，填写期别的数值和来源；地市只含本市。",
            "A row per indicator and region: the period's value and its source; a city bureau's holds its city only.",
        ),
        ImportKind::Reports => lang.pick(
            "本单位的任务分工，每项一行：进展状态（下拉选择）、完成比例、工作进展；可直接提交审核。",
            "Your department's assignments, a row each: status (from the list), percent done, progress; may be submitted for review.",
        ),
        ImportKind::Enterprises => lang.pick(
            "企业名录和经营数据，列同企业 CSV 导入；规模可填“规上/规下”，金额单位可在表头改为“亿元”。",
            "Firms and their figures, the columns of the enterprise CSV; scale as 规上/规下; a money column's header may say 亿元.",
        ),
        ImportKind::Projects => lang.pick(
            "所负责重点项目每期进展：本期和累计完成投资（万元）、形象进度。",
            "Progress of the key projects you report on, per period: investment in the period and to date (万元), physical progress.",
        ),
    }
}

pub async fn imports(ctx: Ctx) -> PageResult<Response> {
    let s = ctx.page_user()?;
    let lang = ctx.lang;
    let t = |zh, en| lang.pick(zh, en);
    let snap = ctx.app.snapshot().await.page(lang)?;
    let plan = snap.current_plan().map(|p| p.plan.id);
    let plan_q = plan.map_or(String::new(), |id| format!("?plan={id}"));
    let body = html! {
        h1 { (t("填报模板与导入", "Templates and import")) }
        p.muted { (t(
            "下载模板，在 Excel 中填写后上传。整份文件校验通过才导入（全部导入或全部不导入）；有错误时逐格列出，并可下载标出错误的工作簿，改正后重新上传。也可上传同样列名的 CSV（UTF-8 或 GB18030）。",
            "Download a template, fill it in in Excel and upload it. The whole file is checked first and imported all or nothing; mistakes are listed cell by cell, and the workbook can be fetched back with them marked, to correct and upload again. A CSV with the same columns (UTF-8 or GB18030) works too."
        )) }
        section.panel {
            h2 { (t("下载模板", "Download a template")) }
            table {
                thead { tr { th { (t("模板", "Template")) } th { (t("内容", "What it holds")) } th {} } }
                tbody { @for k in kinds(s) {
                    tr {
                        td { (k.label(lang)) }
                        td { (what(k, lang)) }
                        td { a.button href={ "/api/v1/templates/" (k.as_str()) (plan_q) } download { (t("下载 Excel 模板", "Download (.xlsx)")) } }
                    }
                } }
            }
        }
        section.panel {
            h2 { (t("上传填好的文件", "Upload a filled-in file")) }
            form data-import-file="/api/v1/imports" data-marked="/api/v1/imports/marked" {
                input type="file" name="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv" required aria-label=(t("文件", "File"));
                " "
                button type="submit" { (t("校验并导入", "Check and import")) }
                progress.import-progress hidden max="100" value="0" aria-label=(t("上传进度", "Upload progress")) {}
                p.import-status role="status" aria-live="polite" {}
                div.import-errors {}
            }
        }
    };
    Ok(ui::page(&ctx, s, snap.synthetic, t("填报模板与导入", "Templates and import"), body))
}
