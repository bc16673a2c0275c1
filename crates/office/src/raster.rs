//! SVG rasterised to PNG with resvg (pure Rust), for charts placed in Word documents. Text needs a font
//! that has Chinese characters: the rasteriser loads the system's fonts and, where the user names one
//! (`--font FILE`, `JIQUN_FONT`), that file, and draws text in the first face it finds that covers Chinese.
//! When there is none it says so (`Fonts::cjk` is `None`, `Fonts::note`), rather than drawing boxes
//! silently; the picture is still made.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia;
use resvg::usvg;
use resvg::usvg::fontdb;
use skrifa::MetadataProvider as _;

/// Families known to cover simplified Chinese, tried before scanning every face.
const PREFERRED: &[&str] = &[
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "PingFang SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Noto Serif CJK SC",
    "SimSun",
    "Droid Sans Fallback",
];

/// What went wrong making a picture, or loading the font the user named.
#[derive(Debug)]
pub enum RasterError {
    /// The font file cannot be read, or holds no font.
    Font { path: PathBuf, cause: String },
    /// The SVG does not parse (a bug of whoever drew it).
    Svg(String),
    /// A picture of no size, or too large to allocate.
    Size,
}

impl std::fmt::Display for RasterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RasterError::Font { path, cause } => write!(f, "the font {} cannot be used: {cause}", path.display()),
            RasterError::Svg(e) => write!(f, "the chart cannot be drawn: {e}"),
            RasterError::Size => f.write_str("the chart has no size or is too large"),
        }
    }
}

impl std::error::Error for RasterError {}

/// Where the text's font came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontSource {
    /// The file the user named.
    Named(PathBuf),
    /// Found among the system's fonts.
    System,
}

/// The fonts a rasteriser draws with.
#[derive(Debug, Clone)]
pub struct Fonts {
    /// The family text is drawn in when it covers Chinese, and where it came from.
    pub cjk: Option<(String, FontSource)>,
    /// A font the user named that covers no Chinese (it is still used for Latin text).
    pub named_without_cjk: Option<PathBuf>,
    /// How many faces were loaded.
    pub faces: usize,
}

impl Fonts {
    /// What to tell the user about the fonts, in their language: `None` when Chinese text will render.
    pub fn note(&self, zh: bool) -> Option<String> {
        if self.cjk.is_some() {
            return None;
        }
        let named = self.named_without_cjk.as_ref().map(|p| p.display().to_string());
        Some(match (zh, named) {
            (true, Some(p)) => format!(
                "字体 {p} 不含汉字，系统中也未找到中文字体：图表中的中文可能显示为方框。请安装中文字体（如 fonts-noto-cjk），或用 --font 指定含汉字的字体文件。"
            ),
            (true, None) => "系统中未找到中文字体：图表中的中文可能显示为方框。请安装中文字体（如 fonts-noto-cjk），或用 --font（或环境变量 JIQUN_FONT）指定字体文件。".into(),
            (false, Some(p)) => format!(
                "the font {p} has no Chinese characters and no Chinese font was found on the system: Chinese text in the charts may show as boxes. Install one (such as fonts-noto-cjk) or name a font file that has them with --font."
            ),
            (false, None) => "no Chinese font was found on the system: Chinese text in the charts may show as boxes. Install one (such as fonts-noto-cjk) or name a font file with --font (or JIQUN_FONT).".into(),
        })
    }
}

/// Draws SVG as PNG with the fonts it loaded once.
pub struct Rasteriser {
    db: Arc<fontdb::Database>,
    family: String,
    fonts: Fonts,
}

impl Rasteriser {
    /// The system's fonts, and the named file first when there is one. A named file that cannot be read or
    /// holds no font is an error; one without Chinese characters is used, and said in `fonts()`.
    pub fn new(font_file: Option<&Path>) -> Result<Rasteriser, RasterError> {
        let mut db = fontdb::Database::new();
        let mut named_faces: Vec<fontdb::ID> = Vec::new();
        if let Some(path) = font_file {
            let before: Vec<fontdb::ID> = db.faces().map(|f| f.id).collect();
            db.load_font_file(path).map_err(|e| RasterError::Font { path: path.into(), cause: e.to_string() })?;
            named_faces = db.faces().map(|f| f.id).filter(|id| !before.contains(id)).collect();
            if named_faces.is_empty() {
                return Err(RasterError::Font { path: path.into(), cause: "no font face in the file".into() });
            }
        }
        db.load_system_fonts();
        let covers = |id: fontdb::ID| {
            db.with_face_data(id, |data, index| {
                skrifa::FontRef::from_index(data, index)
                    .map(|f| {
                        let map = f.charmap();
                        ['中', '国', '标'].iter().all(|ch| map.map(*ch).is_some())
                    })
                    .unwrap_or(false)
            })
            .unwrap_or(false)
        };
        let family_of = |id: fontdb::ID| db.face(id).and_then(|f| f.families.first().map(|(n, _)| n.clone()));
        let mut named_without_cjk = None;
        let mut cjk = None;
        if let Some(path) = font_file {
            match named_faces.iter().copied().find(|id| covers(*id)) {
                Some(id) => cjk = family_of(id).map(|f| (f, FontSource::Named(path.into()))),
                None => named_without_cjk = Some(path.to_path_buf()),
            }
        }
        if cjk.is_none() {
            let preferred = PREFERRED.iter().find_map(|name| {
                let q = fontdb::Query { families: &[fontdb::Family::Name(name)], ..fontdb::Query::default() };
                db.query(&q).filter(|id| covers(*id)).and_then(family_of)
            });
            let any = || db.faces().map(|f| f.id).find(|id| covers(*id)).and_then(family_of);
            cjk = preferred.or_else(any).map(|f| (f, FontSource::System));
        }
        // Without a Chinese font, Latin text in a font that exists: the named one, else a common sans.
        let family = match &cjk {
            Some((f, _)) => f.clone(),
            None => named_faces
                .first()
                .and_then(|id| family_of(*id))
                .or_else(|| {
                    ["DejaVu Sans", "Liberation Sans", "Arial"].iter().find_map(|name| {
                        let q = fontdb::Query { families: &[fontdb::Family::Name(name)], ..fontdb::Query::default() };
                        db.query(&q).and_then(family_of)
                    })
                })
                .or_else(|| db.faces().next().and_then(|f| f.families.first().map(|(n, _)| n.clone())))
                .unwrap_or_else(|| "sans-serif".into()),
        };
        db.set_sans_serif_family(family.clone());
        let faces = db.len();
        Ok(Rasteriser { db: Arc::new(db), family, fonts: Fonts { cjk, named_without_cjk, faces } })
    }

    /// One rasteriser per process, made on first use from `JIQUN_FONT` (when set) and the system's fonts;
    /// a `JIQUN_FONT` that cannot be used is passed over for the system's fonts alone. For the server, which
    /// draws charts on request.
    pub fn shared() -> &'static Rasteriser {
        static SHARED: OnceLock<Rasteriser> = OnceLock::new();
        SHARED.get_or_init(|| {
            let named = std::env::var_os("JIQUN_FONT").filter(|v| !v.is_empty()).map(PathBuf::from);
            named
                .as_deref()
                .and_then(|p| Rasteriser::new(Some(p)).ok())
                .or_else(|| Rasteriser::new(None).ok())
                .unwrap_or_else(|| Rasteriser {
                    db: Arc::new(fontdb::Database::new()),
                    family: "sans-serif".into(),
                    fonts: Fonts { cjk: None, named_without_cjk: None, faces: 0 },
                })
        })
    }

    pub fn fonts(&self) -> &Fonts {
        &self.fonts
    }

    /// The SVG as a PNG, `scale` times its own size (2 gives about 200 dpi for a chart 15 cm wide).
    pub fn png(&self, svg: &str, scale: f32) -> Result<Vec<u8>, RasterError> {
        let opt = usvg::Options {
            font_family: self.family.clone(),
            languages: vec!["zh-CN".into(), "en".into()],
            fontdb: self.db.clone(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| RasterError::Svg(e.to_string()))?;
        let scale = if scale.is_finite() && scale > 0.0 { scale.min(8.0) } else { 1.0 };
        let size = tree.size().to_int_size().scale_by(scale).ok_or(RasterError::Size)?;
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or(RasterError::Size)?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        pixmap.encode_png().map_err(|e| RasterError::Svg(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_becomes_a_png_of_twice_its_size() {
        let r = Rasteriser::new(None).unwrap();
        let svg = crate::chart::target_chart(&crate::chart::TargetChart {
            title: "新一代信息技术产业规模".into(),
            unit: "元".into(),
            bars: vec![
                crate::chart::Bar {
                    label: "基期（2019年）".into(),
                    value: 4.4e12,
                    kind: crate::chart::BarKind::Baseline,
                },
                crate::chart::Bar {
                    label: "最新（2024年）".into(),
                    value: 6.1e12,
                    kind: crate::chart::BarKind::Latest,
                },
            ],
            target: Some(crate::chart::TargetMark {
                label: "目标 7万亿元（2025年）".into(),
                value: 7e12,
                value_max: None,
            }),
            description: String::new(),
        });
        let png = r.png(&svg, 2.0).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        // IHDR: width and height, big-endian, at bytes 16..24.
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!((w, h), ((crate::chart::WIDTH * 2.0) as u32, (crate::chart::HEIGHT * 2.0) as u32));
        if let Ok(dir) = std::env::var("JIQUN_CHART_SAMPLE") {
            let _ = std::fs::write(Path::new(&dir).join("chart.png"), &png);
        }
        match &r.fonts().cjk {
            Some((family, _)) => println!("Chinese text drawn in {family}"),
            None => println!("{}", r.fonts().note(false).unwrap_or_default()),
        }
    }

    #[test]
    fn a_font_file_that_is_not_one_is_refused_naming_it() {
        let dir = std::env::temp_dir().join(format!("jiqun-office-font-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let bad = dir.join("not-a-font.ttf");
        std::fs::write(&bad, b"not a font").unwrap();
        let e = Rasteriser::new(Some(&bad)).err().unwrap();
        assert!(e.to_string().contains("not-a-font.ttf"), "{e}");
        let missing = dir.join("missing.ttf");
        assert!(matches!(Rasteriser::new(Some(&missing)), Err(RasterError::Font { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_svg_is_an_error_not_a_panic() {
        let r = Rasteriser::shared();
        assert!(matches!(r.png("<svg", 1.0), Err(RasterError::Svg(_))));
        assert!(r.png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"0\"/>", 1.0).is_err());
        let ok = r.png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>", f32::NAN).unwrap();
        assert!(ok.starts_with(b"\x89PNG"));
    }
}
