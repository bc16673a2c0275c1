//! `jiqun evaluate`: the per-mu evaluation of an input file, all or nothing unless `--skip-invalid`.

use std::path::Path;

use jiqun_domain::Lang;
use jiqun_eval::permu::{Scheme, csv, evaluate};

use crate::Refusal;

pub fn run(input: &Path, output: &Path, scheme: Option<&Path>, skip_invalid: bool, lang: Lang) -> Result<(), Refusal> {
    if let Some(s) = scheme {
        return Err(Refusal(match lang {
            Lang::Zh => format!("{}：暂不支持自定义评价方案，请去掉 --scheme 以使用默认方案", s.display()),
            Lang::En => {
                format!("{}: scheme files are not supported yet; drop --scheme to use the default scheme", s.display())
            }
        }));
    }
    let mut file = std::fs::File::open(input).map_err(|e| Refusal(format!("{}: {e}", input.display())))?;
    let ds = csv::read_from(&mut file)
        .map_err(|e| Refusal(format!("{}:{}: {}{}", input.display(), e.line, col(&e.column, lang), e.message(lang))))?;
    if !ds.errors.is_empty() && !skip_invalid {
        let mut msg = match lang {
            Lang::Zh => format!("{} 有 {} 处错误，未写出结果：", input.display(), ds.errors.len()),
            Lang::En => format!("{} has {} errors; nothing written:", input.display(), ds.errors.len()),
        };
        for e in ds.errors.iter().take(50) {
            msg.push_str(&format!("\n  {}:{}: {}{}", input.display(), e.line, col(&e.column, lang), e.message(lang)));
        }
        if ds.errors.len() > 50 {
            msg.push_str(&format!("\n  … {}", ds.errors.len() - 50));
        }
        return Err(Refusal(msg));
    }
    let ev = evaluate(&ds.rows, &Scheme::default());
    let tmp = output.with_extension("partial");
    let io = |e: std::io::Error| Refusal(format!("{}: {e}", output.display()));
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    csv::write(&ds, &ev, &mut f).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    drop(f);
    std::fs::rename(&tmp, output).map_err(io)?;
    if skip_invalid && !ds.errors.is_empty() {
        let errors_path = output.with_extension("errors.csv");
        write_atomically(&errors_path, csv::write_errors(&ds.errors, lang).as_bytes())?;
        eprintln!(
            "{}",
            match lang {
                Lang::Zh => format!("跳过 {} 行有错误的数据，错误见 {}", ds.errors.len(), errors_path.display()),
                Lang::En => format!("{} invalid rows skipped; errors in {}", ds.errors.len(), errors_path.display()),
            }
        );
    }
    Ok(())
}

fn col(column: &str, lang: Lang) -> String {
    if column.is_empty() {
        String::new()
    } else {
        match lang {
            Lang::Zh => format!("列 {column}："),
            Lang::En => format!("column {column}: "),
        }
    }
}

/// Writes beside the target and renames, so a failure never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Refusal> {
    let tmp = path.with_extension("partial");
    let io = |e: std::io::Error| Refusal(format!("{}: {e}", path.display()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
