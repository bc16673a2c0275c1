//! `jiqun template --kind KIND --output FILE.xlsx [--db URL] [--plan ID] [--period P]` and
//! `jiqun import --db URL FILE [--errors MARKED.xlsx]`: the Excel templates and the filled-in files taken
//! back (docs/office.md). The operator who holds the database acts with every scope, as for `export`.

use std::path::Path;

use jiqun_app::imports::{ImportKind, Progress, Stage};
use jiqun_app::operations::operator_session;
use jiqun_domain::Lang;

use crate::{Refusal, io_refusal, server, write_whole};

pub fn template(
    kind: ImportKind,
    output: &Path,
    db: Option<&str>,
    plan: Option<i64>,
    period: Option<&str>,
    lang: Lang,
) -> Result<(), Refusal> {
    server::block_on(async move {
        let session = operator_session("命令行：jiqun template");
        let file = match db {
            Some(db) => server::open(db).await?.template(&session, kind, plan, period, lang).await?,
            None => jiqun_app::imports::template_of_builtin_plan(kind, period, lang).await?,
        };
        write_whole(output, &file.bytes)?;
        say!(
            lang,
            ("已生成{}模板：{}", kind.label(Lang::Zh), output.display()),
            ("{} template written to {}", kind.label(Lang::En), output.display())
        );
        Ok(())
    })
}

/// A bar on standard error while the import checks and writes, when standard error is a terminal.
fn bar(lang: Lang) -> Progress {
    use std::io::{IsTerminal, Write};
    if !std::io::stderr().is_terminal() {
        return Progress::default();
    }
    Progress::new(move |stage, done, total| {
        let what = match (stage, lang) {
            (Stage::Check, Lang::Zh) => "校验",
            (Stage::Check, Lang::En) => "checking",
            (Stage::Write, Lang::Zh) => "写入",
            (Stage::Write, Lang::En) => "writing",
        };
        let filled = (done * 30).checked_div(total).unwrap_or(30);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{what} [{}{}] {done}/{total} ", "#".repeat(filled), ".".repeat(30 - filled));
        if stage == Stage::Write && done == total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    })
}

pub fn import(db: &str, file: &Path, errors: Option<&Path>, lang: Lang) -> Result<(), Refusal> {
    let bytes = std::fs::read(file).map_err(io_refusal(file, false))?;
    let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    server::block_on(async move {
        let app = server::open(db).await?;
        let session = operator_session("命令行：jiqun import");
        match app.import_file_with_progress(&session, &bytes, &name, "", bar(lang)).await {
            Ok(done) => {
                say!(
                    lang,
                    (
                        "已导入{}：{} 行（新增 {}，更新 {}）。文件 SHA-256：{}",
                        done.kind.label(Lang::Zh),
                        done.rows,
                        done.created,
                        done.updated,
                        done.sha256
                    ),
                    (
                        "{} imported: {} rows ({} new, {} updated). File SHA-256: {}",
                        done.kind.label(Lang::En),
                        done.rows,
                        done.created,
                        done.updated,
                        done.sha256
                    )
                );
                Ok(())
            }
            Err(e) => {
                if let Some(out) = errors
                    && e.code == jiqun_app::Code::InvalidFile
                    && let Ok(Some(marked)) = app.import_annotated(&session, &bytes, &name, lang).await
                {
                    write_whole(out, &marked)?;
                    note!(
                        lang,
                        ("已把标出错误的工作簿写到 {}", out.display()),
                        ("the workbook with its mistakes marked is in {}", out.display())
                    );
                }
                Err(Refusal(e))
            }
        }
    })
}
