//! `jiqun report --format docx|pdf`: the bulletin as Word, opened by an independent reader (python-docx),
//! and as PDF through LibreOffice where it is installed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jiqun_app::{App, Preset};

use crate::common::bin_in;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn scratch(ext: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    std::env::temp_dir().join(format!("jiqun-report-{}-{nanos}.{ext}", std::process::id()))
}

/// The demo database: the built-in plan with synthetic observations, reports, projects and evaluations.
fn demo_db() -> String {
    let db = jiqun_store::testing::sqlite_url();
    let keys = PathBuf::from(db.trim_start_matches("sqlite://")).with_extension("keys");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let app = App::open_keyed(&db, &keys).await.unwrap();
        app.bootstrap(Preset::Demo, Some("Admin@12345".into())).await.unwrap();
        jiqun_app::demo::load(&app).await.unwrap();
    });
    db
}

fn report(db: &str, format: &str, out: &Path, extra: &[&str]) -> Output {
    let mut c = bin_in("zh_CN.UTF-8");
    c.env_remove("JIQUN_FONT");
    c.args(["report", "--db", db, "--plan", "1", "--period", "2025", "--format", format]);
    c.args(["--output", out.to_str().unwrap()]).args(extra);
    c.output().expect("runs")
}

/// What python-docx must find: the section headings in Heading 1 and subheadings in Heading 2, every
/// table's first row flagged to repeat, a picture for each target that has a value, 仿宋_GB2312 and 黑体 as
/// East Asian fonts, the cover's synthetic stamp.
const CHECK: &str = r#"
import sys, docx
from docx.oxml.ns import qn
d = docx.Document(sys.argv[1])
styles = [p.style.name for p in d.paragraphs]
h1 = [p.text for p in d.paragraphs if p.style.name == 'Heading 1']
want = ['一、目标完成情况', '二、责任分工落实情况', '三、逾期和滞后事项', '四、重点项目', '五、亩均效益评价', '附表']
assert h1 == want, h1
assert styles.count('Heading 2') >= 4, styles
assert d.styles['Heading 1'].name == 'Heading 1' and d.styles['Heading 2'].name == 'Heading 2'
assert len(d.tables) >= 6, len(d.tables)
for t in d.tables:
    trPr = t.rows[0]._tr.trPr
    assert trPr is not None and trPr.find(qn('w:tblHeader')) is not None, 'a header row not flagged to repeat'
    assert all(r._tr.trPr is None or r._tr.trPr.find(qn('w:tblHeader')) is None for r in t.rows[1:])
summary = d.tables[0]
assert summary.rows[0].cells[1].text == '指标', summary.rows[0].cells[1].text
charted = sum(1 for r in summary.rows[1:] if r.cells[3].text.strip() != '—' or r.cells[4].text.strip() != '—')
assert charted >= 1 and len(d.inline_shapes) >= charted, (charted, len(d.inline_shapes))
fonts = {e.get(qn('w:eastAsia')) for e in d.styles.element.iter(qn('w:rFonts'))}
assert '仿宋_GB2312' in fonts and '黑体' in fonts, fonts
assert d.styles['Normal'].element.rPr.rFonts.get(qn('w:eastAsia')) == '仿宋_GB2312'
assert d.styles['Heading 1'].element.rPr.rFonts.get(qn('w:eastAsia')) == '黑体'
sec = d.sections[0]
assert (sec.page_width, sec.page_height) == (11906 * 635, 16838 * 635), (sec.page_width, sec.page_height)
assert any('示例数据（合成）' in p.text for p in d.paragraphs[:3])
assert d.core_properties.title.startswith('新一代信息技术产业集群行动计划'), d.core_properties.title
print('python-docx:', len(h1), 'headings,', len(d.tables), 'tables,', len(d.inline_shapes), 'pictures for', charted, 'targets with values')
"#;

fn python_docx() -> bool {
    Command::new("python3").args(["-c", "import docx"]).output().is_ok_and(|o| o.status.success())
}

fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|d| ["soffice", "libreoffice"].map(|n| d.join(n))).find(|p| p.is_file())
}

/// The number of pages of a PDF: pdfinfo's count where poppler is installed, else the page objects.
fn pages(pdf: &Path) -> usize {
    if let Ok(o) = Command::new("pdfinfo").arg(pdf).output()
        && o.status.success()
    {
        let info = String::from_utf8_lossy(&o.stdout).into_owned();
        if let Some(n) = info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()) {
            return n;
        }
    }
    let bytes = std::fs::read(pdf).unwrap();
    let needle = b"/Type /Page";
    bytes.windows(needle.len() + 1).filter(|w| w.starts_with(needle) && w[needle.len()] != b's').count()
}

/// The Word bulletin of the demo plan: a zip with its document, read back by python-docx; a `--font` that
/// is not a font file is refused.
#[test]
fn the_bulletin_is_written_as_word_that_python_docx_reads() {
    let db = demo_db();
    let out = scratch("docx");
    let o = report(&db, "docx", &out, &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("已生成通报"), "{}", text(&o));
    assert!(!out.with_extension("partial").exists(), "the temporary file is renamed");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut document = String::new();
    z.by_name("word/document.xml").unwrap().read_to_string(&mut document).unwrap();
    assert!(document.contains("w:tblHeader") && document.contains("Heading1"));
    if python_docx() {
        let check = Command::new("python3").args(["-c", CHECK]).arg(&out).output().unwrap();
        assert!(check.status.success(), "python-docx: {}", text(&check));
        println!("{}", String::from_utf8_lossy(&check.stdout).trim());
    } else {
        println!("skipped the python-docx checks: python-docx is not importable (pip install python-docx)");
    }
    let _ = std::fs::remove_file(&out);
    // A font file that is not one is refused naming it, before anything is written.
    let bad = scratch("ttf");
    std::fs::write(&bad, b"not a font").unwrap();
    let o = report(&db, "docx", &out, &["--font", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains(bad.to_str().unwrap()) && !out.exists(), "{}", text(&o));
    let _ = std::fs::remove_file(&bad);
}

/// PDF through LibreOffice: where it is installed, a document of several pages; where it is not, refused
/// saying LibreOffice is needed, and no file written.
#[test]
fn the_bulletin_is_converted_to_pdf_where_libreoffice_is_installed() {
    let db = demo_db();
    let out = scratch("pdf");
    let o = report(&db, "pdf", &out, &[]);
    match soffice() {
        Some(s) => {
            assert!(o.status.success(), "{} with {}: {}", "soffice", s.display(), text(&o));
            let pdf = std::fs::read(&out).unwrap();
            assert!(pdf.starts_with(b"%PDF"));
            let n = pages(&out);
            // Cover, targets and their twelve charts, the matrix, the appendix: well over a few pages.
            assert!(n >= 8, "{n} pages");
            println!("PDF of {n} pages through {}", s.display());
        }
        None => {
            println!("soffice is not installed: checked that PDF is refused saying LibreOffice is needed");
            assert_eq!(o.status.code(), Some(1), "{}", text(&o));
            assert!(text(&o).contains("LibreOffice") && !out.exists(), "{}", text(&o));
        }
    }
    let _ = std::fs::remove_file(&out);
}
