//! `jiqun report`: the progress bulletin written as HTML, Word (.docx) or PDF. The Word document's charts
//! are drawn with the system's fonts or the one `--font` (or `JIQUN_FONT`) names; PDF is the Word document
//! converted by LibreOffice (`soffice --headless --convert-to pdf`) in a directory of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jiqun_app::bulletin::Bulletin;
use jiqun_app::{AppError, Code};
use jiqun_domain::Lang;
use jiqun_office::raster::{FontSource, Rasteriser};

use crate::{Refusal, io_refusal, refuse};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Docx,
    Pdf,
}

/// How long LibreOffice may take to convert one bulletin.
const CONVERT_LIMIT: Duration = Duration::from_secs(180);

/// The file's bytes in the format asked for; notes for the user (a missing Chinese font) go to stderr.
pub fn render(b: &Bulletin, format: ReportFormat, font: Option<&Path>, lang: Lang) -> Result<Vec<u8>, Refusal> {
    match format {
        ReportFormat::Html => Ok(jiqun_web::resources::plans::bulletin::document(b, lang, true).into_bytes()),
        ReportFormat::Docx => docx(b, font, lang),
        ReportFormat::Pdf => {
            // Refused before the document is made when there is nothing to convert it with.
            let soffice = soffice().ok_or_else(no_libreoffice)?;
            let docx = docx(b, font, lang)?;
            pdf(&soffice, &docx)
        }
    }
}

/// The font named by `--font`, else by `JIQUN_FONT`.
fn named_font(font: Option<&Path>) -> Option<PathBuf> {
    font.map(Path::to_path_buf).or_else(|| std::env::var_os("JIQUN_FONT").filter(|v| !v.is_empty()).map(PathBuf::from))
}

fn docx(b: &Bulletin, font: Option<&Path>, lang: Lang) -> Result<Vec<u8>, Refusal> {
    let named = named_font(font);
    let raster = Rasteriser::new(named.as_deref()).map_err(|e| {
        let p = named.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
        AppError::new(
            Code::InvalidArgument,
            format!("无法使用字体文件 {p}（--font 或 JIQUN_FONT）：不是可读的字体文件"),
            format!("the font file {p} (--font or JIQUN_FONT) cannot be used: not a readable font file"),
        )
        .caused_by(e)
    })?;
    let fonts = raster.fonts();
    match &fonts.cjk {
        Some((family, FontSource::Named(_))) => {
            note!(lang, ("图表字体：{family}（指定的字体文件）"), ("chart font: {family} (the font file named)"))
        }
        Some((family, FontSource::System)) => {
            note!(lang, ("图表字体：{family}（系统字体）"), ("chart font: {family} (a system font)"))
        }
        None => {}
    }
    if let Some(n) = fonts.note(lang == Lang::Zh) {
        note!(lang, ("注意：{n}"), ("note: {n}"));
    }
    Ok(jiqun_web::resources::plans::bulletin_docx::docx(b, lang, &raster)?)
}

/// LibreOffice's command, where it is installed (on the PATH as `soffice` or `libreoffice`).
pub fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["soffice", "libreoffice"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

fn no_libreoffice() -> Refusal {
    refuse(Code::InvalidArgument, |l| {
        l.pick(
            "生成 PDF 需要 LibreOffice（未找到 soffice 或 libreoffice 命令）：请安装 LibreOffice（如 apt-get install libreoffice-writer-nogui），或用 --format docx 生成 Word 文件",
            "PDF needs LibreOffice (no soffice or libreoffice command was found): install it (for example apt-get install libreoffice-writer-nogui), or write Word with --format docx",
        )
        .to_string()
    })
}

fn conversion_failed(what: impl std::fmt::Display) -> Refusal {
    Refusal(
        AppError::new(
            Code::Internal,
            "LibreOffice 未能将 Word 通报转换为 PDF",
            "LibreOffice did not convert the Word bulletin to PDF",
        )
        .caused_by(what),
    )
}

/// The Word document converted to PDF by LibreOffice, in a fresh directory (with a profile of its own, so
/// that a LibreOffice the user has open does not take the job) that is removed afterwards.
fn pdf(soffice: &Path, docx: &[u8]) -> Result<Vec<u8>, Refusal> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("jiqun-report-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(io_refusal(&dir, true))?;
    let result = convert(soffice, &dir, docx);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn convert(soffice: &Path, dir: &Path, docx: &[u8]) -> Result<Vec<u8>, Refusal> {
    let input = dir.join("bulletin.docx");
    std::fs::write(&input, docx).map_err(io_refusal(&input, true))?;
    let profile = dir.join("profile");
    let log_path = dir.join("soffice.log");
    let log = std::fs::File::create(&log_path).map_err(io_refusal(&log_path, true))?;
    let mut child = Command::new(soffice)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(dir)
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .map_err(conversion_failed)?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > CONVERT_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(conversion_failed(format!("no result after {} s", CONVERT_LIMIT.as_secs())));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(conversion_failed(e)),
        }
    };
    let output = dir.join("bulletin.pdf");
    match std::fs::read(&output) {
        Ok(pdf) if status.success() && pdf.starts_with(b"%PDF") => Ok(pdf),
        _ => {
            let err = std::fs::read_to_string(&log_path).unwrap_or_default();
            Err(conversion_failed(format!("{status}; {}", err.trim())))
        }
    }
}
