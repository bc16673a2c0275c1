//! The `jiqun` command. Exit status: 0 success, 1 the input is wrong or the action refused, 2 usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use jiqun_app::operations::AuditCheck;
use jiqun_app::{AppError, Code};
use jiqun_compiler::{Options, compile, markdown};
use jiqun_domain::{AgencyRegistry, Lang, RegionModel, TableError};

#[derive(Parser)]
#[command(name = "jiqun", version, about = "Jiqun (集群): the system of record for an industrial-cluster action plan")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the demo database if absent (built-in plan and a synthetic data set) and serve the web UI and API.
    Demo {
        #[arg(long, default_value = "sqlite://jiqun-demo.db")]
        db: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        tls: server::TlsArgs,
    },
    /// Serve an existing database (sqlite://PATH or postgres://…).
    Serve {
        #[arg(long)]
        db: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[command(flatten)]
        tls: server::TlsArgs,
    },
    /// Action plans: compile a document, show the built-in plan.
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// A consistent online copy of the database (also while a server writes to it).
    Backup {
        #[arg(long)]
        db: String,
        #[arg(long)]
        output: PathBuf,
    },
    /// Restore a backup into a new, empty database (SQLite or PostgreSQL, whichever the backup came from).
    Restore {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        db: String,
    },
    /// The key file: rotate the field-encryption key and re-seal what it protects.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The audit trail: check its hash chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Synthetic data sets for demonstrations, tests and benchmarks.
    DemoData {
        #[command(subcommand)]
        command: DemoDataCommand,
    },
    /// Per-mu evaluation (亩均效益综合评价) of an input CSV under a scheme (default: contracts §4).
    Evaluate {
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
        /// A scheme file (JSON, docs/evaluation.md), or the id of a built-in scheme: default, huangyan-2021,
        /// huangyan-2022. An existing file wins over an id.
        #[arg(long)]
        scheme: Option<PathBuf>,
        /// Also write each rated enterprise's items (value, benchmark, weight, score) and bonus or deduction
        /// points to this CSV.
        #[arg(long)]
        details: Option<PathBuf>,
        /// Evaluate the valid rows and write the errors beside the output (OUTPUT.errors.csv).
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Export a table of the database as an Excel workbook, CSV or JSON, written row by row.
    Export {
        #[arg(long)]
        db: String,
        /// indicators, observations, reports, enterprises, evaluations, projects, bases, chains, challenges
        /// or matches
        #[arg(long)]
        table: String,
        #[arg(long, value_enum)]
        format: export::ExportFormat,
        #[arg(long)]
        output: PathBuf,
        /// evaluations: the run (the latest year's newest run by default)
        #[arg(long)]
        run: Option<i64>,
        /// enterprises: the figures' year (the latest year with figures by default)
        #[arg(long)]
        year: Option<i64>,
    },
    /// An Excel template to fill in and import: observations, reports, enterprises or projects. With
    /// --db, the database's plan and its rows (assignments, indicators, projects); without, the built-in plan.
    Template {
        #[arg(long, value_parser = parse_kind)]
        kind: jiqun_app::imports::ImportKind,
        #[arg(long)]
        output: PathBuf,
        #[arg(long)]
        db: Option<String>,
        /// The plan's id (default: the first plan).
        #[arg(long)]
        plan: Option<i64>,
        /// The period the rows are for: 2025, 2025Q2 or 2025-06 (default: the one under way).
        #[arg(long)]
        period: Option<String>,
    },
    /// Import a filled-in template (.xlsx) or a CSV with the same columns; the kind is read from the file.
    /// All or nothing: a refused file lists every mistake (sheet, row, column).
    Import {
        #[arg(long)]
        db: String,
        file: PathBuf,
        /// Where to write the workbook with its mistakes marked, when it is refused.
        #[arg(long)]
        errors: Option<PathBuf>,
    },
    /// The progress bulletin of a plan for a period (督办通报): a printable HTML document, a Word document
    /// (.docx, with a chart per target) or PDF (the Word document converted by LibreOffice, which must be
    /// installed).
    Report {
        #[arg(long)]
        db: String,
        /// The plan's id (`jiqun plan` lists them; 1 for the demo's).
        #[arg(long)]
        plan: i64,
        /// 2025, 2025Q4 or 2025-06.
        #[arg(long)]
        period: String,
        #[arg(long, value_enum)]
        format: report::ReportFormat,
        #[arg(long)]
        output: PathBuf,
        /// A font file (.ttf, .otf, .ttc) with Chinese characters for the charts' text; else the one named
        /// by JIQUN_FONT, else one found among the system's fonts.
        #[arg(long)]
        font: Option<PathBuf>,
    },
    /// Users: add one, grant a role.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a new SM4 field key (the old ones stay to read old data) and re-seal every sealed field with it.
    Rotate {
        #[arg(long)]
        db: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit chain: exit 0 when intact, 1 naming the first bad record.
    Verify {
        #[arg(long)]
        db: String,
    },
    /// Remove records older than the retention period (the setting `audit_retention_days`, at least 183:
    /// six months, per the Cybersecurity Law); the chain stays verifiable.
    Prune {
        #[arg(long)]
        db: String,
    },
}

#[derive(Subcommand)]
enum DemoDataCommand {
    /// A reproducible synthetic input file for `jiqun evaluate` (contracts §4 format); an output ending in
    /// .xlsx gets the same firms as a filled-in enterprise template (for `jiqun import`).
    Enterprises {
        #[arg(long)]
        count: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        output: PathBuf,
    },
    /// Add synthetic indicators with annual values for the province and every city to the current plan
    /// (the benchmark's data set).
    Scale {
        #[arg(long)]
        db: String,
        #[arg(long, default_value_t = 50)]
        indicators: usize,
        #[arg(long, default_value_t = 10)]
        years: i32,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password comes from JIQUN_NEW_PASSWORD or is asked for on the terminal.
    Add {
        #[arg(long)]
        db: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        uscc: Option<String>,
        #[arg(long, default_value = "")]
        display_name: String,
        /// A phone number or e-mail (stored encrypted with SM4).
        #[arg(long)]
        contact: Option<String>,
    },
    /// Add a role to a user; refused (exit 1) when the policy forbids the combination.
    Grant {
        #[arg(long)]
        db: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
    },
    /// Take a role from a user (its sessions, on every server, lose the role at once).
    Revoke {
        #[arg(long)]
        db: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Md,
}

#[derive(Subcommand)]
enum PlanCommand {
    /// Compile an action-plan document (.txt in UTF-8 or GB18030/GBK, .docx, .html) into the plan JSON.
    Parse {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// An agency registry of another province (the format of data/registry/guangdong-agencies.tsv).
        #[arg(long)]
        registry: Option<PathBuf>,
        /// A city table of another province (the format of data/registry/guangdong-cities.tsv).
        #[arg(long)]
        cities: Option<PathBuf>,
    },
    /// The built-in plan (Guangdong's new-generation IT cluster plan), compiled.
    Show {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
    },
}

/// Prints one line in the user's language: `say!(lang, ("已导出 {} 行", n), ("{} rows exported", n))`; each
/// side is a `format!` argument list. `note!` prints to standard error instead.
macro_rules! say {
    ($lang:expr, ($($zh:tt)+), ($($en:tt)+)) => {
        println!("{}", match $lang { Lang::Zh => format!($($zh)+), Lang::En => format!($($en)+) })
    };
}
macro_rules! note {
    ($lang:expr, ($($zh:tt)+), ($($en:tt)+)) => {
        eprintln!("{}", match $lang { Lang::Zh => format!($($zh)+), Lang::En => format!($($en)+) })
    };
}

mod evaluate;
mod export;
mod imports;
mod report;
mod server;
mod user;

/// A refusal: an error of the catalogue (`jiqun_app::Code`, the same the web server answers with), said
/// in the user's language when it is printed: exit status 1.
pub struct Refusal(pub AppError);

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Refusal(e)
    }
}

/// A refusal whose message is built the same way in both languages.
pub fn refuse(code: Code, text: impl Fn(Lang) -> String) -> Refusal {
    Refusal(AppError::new(code, text(Lang::Zh), text(Lang::En)))
}

/// A file that cannot be read or written.
pub fn io_refusal(path: &std::path::Path, write: bool) -> impl Fn(std::io::Error) -> Refusal + '_ {
    move |e| Refusal(AppError::io(path, write, &e))
}

/// Writes beside the target and renames when complete: a failure leaves no partial file.
pub fn write_whole(output: &std::path::Path, bytes: &[u8]) -> Result<(), Refusal> {
    let tmp = output.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(io_refusal(output, true))?;
    std::fs::rename(&tmp, output).map_err(io_refusal(output, true))
}

/// `write_whole` for a writer that takes its time: `write` fills a new file beside the target (`….partial`),
/// which is renamed over the target once `write` succeeds and removed when it fails.
pub async fn write_whole_from<T, F>(
    output: &std::path::Path,
    write: impl FnOnce(std::fs::File) -> F,
) -> Result<T, Refusal>
where
    F: Future<Output = Result<T, Refusal>>,
{
    let tmp = output.with_extension("partial");
    let file = std::fs::File::create(&tmp).map_err(io_refusal(output, true))?;
    match write(file).await {
        Ok(done) => {
            std::fs::rename(&tmp, output).map_err(io_refusal(output, true))?;
            Ok(done)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn main() -> ExitCode {
    let lang = Lang::from_env_vars(|k| std::env::var(k).ok());
    let cli = Cli::parse();
    match run(cli, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refusal(e)) => {
            eprintln!("{}{}", lang.pick("错误：", "error: "), e.message(lang));
            for d in e.details(lang) {
                eprintln!("  {}{}{}", d.field, lang.pick("：", ": "), d.message);
            }
            // A fault of the installation: the library's own words help whoever mends it.
            if let Some(cause) = e.cause.as_deref().filter(|_| e.status() >= 500 && e.code != Code::Io) {
                eprintln!("{}{cause}", lang.pick("原始信息：", "cause: "));
            }
            ExitCode::from(1)
        }
    }
}

fn parse_kind(s: &str) -> Result<jiqun_app::imports::ImportKind, String> {
    use jiqun_app::imports::ImportKind;
    ImportKind::parse(s).ok_or_else(|| {
        let known: Vec<&str> = ImportKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("“{s}”: {}", known.join(", "))
    })
}

fn read_file(path: &PathBuf) -> Result<Vec<u8>, Refusal> {
    std::fs::read(path).map_err(io_refusal(path, false))
}

fn load_table<T>(path: &PathBuf, parse: fn(&str) -> Result<T, TableError>) -> Result<T, Refusal> {
    let bytes = read_file(path)?;
    let p = path.display();
    let text = String::from_utf8(bytes).map_err(|_| {
        refuse(Code::InvalidFile, |l| match l {
            Lang::Zh => format!("{p}：名录文件须为 UTF-8 编码"),
            Lang::En => format!("{p}: a registry file must be UTF-8"),
        })
    })?;
    parse(&text)
        .map_err(|e| Refusal(AppError::new(Code::InvalidFile, format!("{p}：{}", e.zh), format!("{p}: {}", e.en))))
}

fn print_plan(plan: &jiqun_domain::plan::Plan, format: Format, lang: Lang) -> Result<(), Refusal> {
    let out = match format {
        Format::Json => serde_json::to_string_pretty(plan).map_err(AppError::internal)?,
        Format::Md => markdown::render(plan, lang),
    };
    println!("{out}");
    Ok(())
}

fn run(cli: Cli, lang: Lang) -> Result<(), Refusal> {
    match cli.command {
        Command::Demo { db, addr, tls } => server::run(&db, &addr, true, tls, lang),
        Command::Serve { db, addr, tls } => server::run(&db, &addr, false, tls, lang),
        Command::User {
            command: UserCommand::Add { db, username, role, agency, city, uscc, display_name, contact },
        } => {
            let password = user::new_password(lang)?;
            let input = jiqun_app::users::UserInput {
                username,
                display_name,
                password,
                roles: role.split(',').map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect(),
                agency,
                city,
                uscc,
            };
            server::block_on(async move {
                let app = server::open(&db).await?;
                let id = app.create_user(None, &input, "").await?;
                if contact.is_some() {
                    app.set_contact(None, id, contact.as_deref(), "").await?;
                }
                println!("{}", lang.pick("已创建用户。", "user created."));
                Ok(())
            })
        }
        Command::Backup { db, output } => {
            server::block_on(async move {
                let app = server::open(&db).await?;
                let rows = write_whole_from(&output, |file| async move {
                    Ok(app.backup(&mut std::io::BufWriter::new(file)).await?)
                })
                .await?;
                say!(
                    lang,
                    ("已备份 {rows} 行到 {}（密钥文件不在备份中，请另行保管）。", output.display()),
                    (
                        "{rows} rows backed up to {} (the key file is not in the backup: keep it separately).",
                        output.display()
                    )
                );
                Ok(())
            })
        }
        Command::Restore { input, db } => server::block_on(async move {
            let file = std::fs::File::open(&input).map_err(io_refusal(&input, false))?;
            let app = server::open(&db).await?;
            let rows = app.restore(&mut std::io::BufReader::new(file)).await?;
            say!(lang, ("已恢复 {rows} 行。"), ("{rows} rows restored."));
            Ok(())
        }),
        Command::Keys { command: KeysCommand::Rotate { db } } => server::block_on(async move {
            let path = jiqun_app::key_file_path(&db, std::env::var("JIQUN_KEY_FILE").ok())?;
            let n = jiqun_app::operations::rotate_keys(&db, &path).await?;
            say!(
                lang,
                ("已启用新的字段密钥，并用它重新加密了 {n} 个字段。"),
                ("a new field key is in use; {n} fields re-sealed with it.")
            );
            Ok(())
        }),
        Command::Audit { command: AuditCommand::Prune { db } } => server::block_on(async move {
            let app = server::open(&db).await?;
            let (n, days) = app.prune_audit("cli").await?;
            say!(
                lang,
                ("已清理 {n} 条超过 {days} 天的审计记录，审计链仍可校验。"),
                ("{n} audit records older than {days} days removed; the chain still verifies.")
            );
            Ok(())
        }),
        Command::Audit { command: AuditCommand::Verify { db } } => server::block_on(async move {
            let app = server::open(&db).await?;
            match app.verify_audit().await? {
                AuditCheck::Intact { records } => {
                    say!(lang, ("审计链完整：{records} 条记录。"), ("the audit chain is intact: {records} records."));
                    Ok(())
                }
                AuditCheck::Broken { id, reason } => Err(refuse(Code::AuditChainBroken, |l| match l {
                    Lang::Zh => format!(
                        "审计链在第 {id} 条记录处断开：{}",
                        if reason.contains("edited") {
                            "内容与其哈希不符（被修改）"
                        } else {
                            "与前一条记录不衔接（有记录被删除、插入或移动）"
                        }
                    ),
                    Lang::En => format!("the audit chain breaks at record {id}: it {reason}"),
                })),
            }
        }),
        Command::DemoData { command: DemoDataCommand::Enterprises { count, seed, output } } => {
            if output.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
                // The same firms as a filled-in enterprise template.
                let bytes = jiqun_app::demo::enterprises_xlsx(count, seed)?;
                return std::fs::write(&output, bytes).map_err(io_refusal(&output, true));
            }
            let mut f = std::fs::File::create(&output).map_err(io_refusal(&output, true))?;
            jiqun_app::demo::enterprises_csv(count, seed, &mut f).map_err(io_refusal(&output, true))?;
            Ok(())
        }
        Command::Export { db, table, format, output, run, year } => {
            export::run(&db, &table, format, &output, export::Options { run, year }, lang)
        }
        Command::Template { kind, output, db, plan, period } => {
            imports::template(kind, &output, db.as_deref(), plan, period.as_deref(), lang)
        }
        Command::Import { db, file, errors } => imports::import(&db, &file, errors.as_deref(), lang),
        Command::Report { db, plan, period, format, output, font } => server::block_on(async move {
            let app = server::open(&db).await?;
            let b = app.bulletin_for_operator(plan, &period).await?;
            let bytes = report::render(&b, format, font.as_deref(), lang)?;
            write_whole(&output, &bytes)?;
            say!(lang, ("已生成通报：{}", output.display()), ("bulletin written to {}", output.display()));
            Ok(())
        }),
        Command::Evaluate { input, output, scheme, details, skip_invalid } => {
            evaluate::run(&input, &output, scheme.as_deref(), details.as_deref(), skip_invalid, lang)
        }
        Command::DemoData { command: DemoDataCommand::Scale { db, indicators, years } } => {
            server::block_on(async move {
                let app = server::open(&db).await?;
                let snap = app.snapshot().await?;
                let Some(plan) = snap.current_plan() else {
                    return Err(Refusal(AppError::not_found(
                        "数据库中没有计划，请先运行 `jiqun demo`",
                        "the database holds no plan; run jiqun demo first",
                    )));
                };
                if !(1..=1000).contains(&indicators) || !(2..=50).contains(&years) {
                    return Err(Refusal(AppError::new(
                        Code::InvalidArgument,
                        "--indicators 应在 1..1000，--years 应在 2..50",
                        "--indicators must be 1..1000 and --years 2..50",
                    )));
                }
                let n = jiqun_app::demo::load_scale(&app, plan.plan.id, indicators, years).await?;
                println!("{n} {}", lang.pick("条观测值已写入（示例数据，合成）", "observations written (synthetic)"));
                Ok(())
            })
        }
        Command::User { command: UserCommand::Grant { db, username, role } } => server::block_on(async move {
            let app = server::open(&db).await?;
            app.grant_role(None, &username, &role, "").await?;
            println!("{}", lang.pick("已授予角色。", "role granted."));
            Ok(())
        }),
        Command::User { command: UserCommand::Revoke { db, username, role } } => server::block_on(async move {
            let app = server::open(&db).await?;
            app.revoke_role(None, &username, &role, "").await?;
            println!("{}", lang.pick("已撤销角色。", "role revoked."));
            Ok(())
        }),
        Command::Plan { command: PlanCommand::Parse { file, format, registry, cities } } => {
            let mut opts = Options { lang, ..Options::default() };
            if let Some(r) = registry {
                opts.agencies = load_table(&r, AgencyRegistry::parse)?;
            }
            if let Some(c) = cities {
                opts.regions = load_table(&c, RegionModel::parse)?;
            }
            let bytes = read_file(&file)?;
            let f = file.display();
            let plan = compile(&bytes, &opts).map_err(|e| {
                AppError::new(
                    Code::InvalidDocument,
                    format!("{f}：{}", e.message(Lang::Zh)),
                    format!("{f}: {}", e.message(Lang::En)),
                )
            })?;
            print_plan(&plan, format, lang)
        }
        Command::Plan { command: PlanCommand::Show { format } } => {
            let opts = Options { lang, ..Options::default() };
            print_plan(&jiqun_compiler::builtin(&opts), format, lang)
        }
    }
}
