//! `jiqun evaluate`: the per-mu evaluation of an input file under a scheme (a file, a built-in id, or the
//! default), all or nothing unless `--skip-invalid`.

use std::io::Write as _;
use std::path::Path;

use jiqun_domain::Lang;
use jiqun_eval::permu::{Scheme, builtin_ids, csv};

use jiqun_app::{AppError, Code};

use crate::{Refusal, io_refusal, refuse};

pub fn run(
    input: &Path,
    output: &Path,
    scheme: Option<&Path>,
    details: Option<&Path>,
    skip_invalid: bool,
    lang: Lang,
) -> Result<(), Refusal> {
    let scheme = match scheme {
        Some(s) => load_scheme(s)?,
        None => Scheme::default(),
    };
    let mut file = std::fs::File::open(input).map_err(io_refusal(input, false))?;
    let i = input.display();
    let ds = csv::read_for(&mut file, &scheme)
        .map_err(|e| refuse(Code::InvalidFile, |l| format!("{i}:{}: {}{}", e.line, col(&e.column, l), e.message(l))))?;
    if !ds.errors.is_empty() && !skip_invalid {
        let n = ds.errors.len();
        let refusal = refuse(Code::InvalidFile, |l| {
            let mut msg = match l {
                Lang::Zh => format!("{i} 有 {n} 处错误，未写出结果："),
                Lang::En => format!("{i} has {n} errors; nothing written:"),
            };
            for e in ds.errors.iter().take(50) {
                msg.push_str(&format!("\n  {i}:{}: {}{}", e.line, col(&e.column, l), e.message(l)));
            }
            if n > 50 {
                msg.push_str(&format!("\n  … {}", n - 50));
            }
            msg
        });
        return Err(refusal);
    }
    if let (Some(y), Some(first)) = (scheme.year, ds.rows.first())
        && first.year != y
    {
        note!(
            lang,
            ("注意：方案“{}”是 {y} 年度的，数据是 {} 年度的", scheme.id, first.year),
            ("note: the scheme “{}” is for {y}; the data are for {}", scheme.id, first.year)
        );
    }
    let ev = ds
        .evaluate(&scheme)
        .map_err(|e| refuse(Code::InvalidFile, |l| format!("{i}: {}{}", col(&e.column, l), e.message(l))))?;
    write_atomically_with(output, |f| csv::write(&ds, &ev, f)).map_err(|e| io(output, e))?;
    if let Some(d) = details {
        write_atomically_with(d, |f| csv::write_details(&ds, &ev, &scheme, f)).map_err(|e| io(d, e))?;
    }
    if skip_invalid && !ds.errors.is_empty() {
        let errors_path = output.with_extension("errors.csv");
        write_atomically_with(&errors_path, |f| f.write_all(csv::write_errors(&ds.errors, lang).as_bytes()))
            .map_err(|e| io(&errors_path, e))?;
        note!(
            lang,
            ("跳过 {} 行有错误的数据，错误见 {}", ds.errors.len(), errors_path.display()),
            ("{} invalid rows skipped; errors in {}", ds.errors.len(), errors_path.display())
        );
    }
    Ok(())
}

/// A scheme file, or a built-in scheme's id when no such file exists.
fn load_scheme(arg: &Path) -> Result<Scheme, Refusal> {
    if !arg.exists()
        && let Some(s) = arg.to_str().and_then(Scheme::builtin)
    {
        return Ok(s);
    }
    let bytes = std::fs::read(arg).map_err(|e| {
        let ids = builtin_ids().collect::<Vec<_>>().join(", ");
        let read = AppError::io(arg, false, &e);
        let (rzh, ren) = (read.message(Lang::Zh), read.message(Lang::En));
        Refusal(AppError::new(
            Code::InvalidArgument,
            format!("{rzh}；它也不是内置的评价方案（{ids}）"),
            format!("{ren}; nor is it a built-in scheme ({ids})"),
        ))
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        refuse(Code::InvalidFile, |l| match l {
            Lang::Zh => format!("{}：评价方案文件须为 UTF-8 编码", arg.display()),
            Lang::En => format!("{}: a scheme file must be UTF-8", arg.display()),
        })
    })?;
    Scheme::from_json(&text)
        .map_err(|e| refuse(Code::InvalidFile, |l| format!("{}{}{}", arg.display(), l.pick("：", ": "), e.message(l))))
}

fn io(path: &Path, e: std::io::Error) -> Refusal {
    Refusal(AppError::io(path, true, &e))
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
fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    let result = std::fs::File::create(&tmp).and_then(|mut f| {
        write(&mut f)?;
        f.flush()
    });
    match result {
        Ok(()) => std::fs::rename(&tmp, path),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}
