//! Word documents (.docx, Office Open XML) written from a small typed builder: headings in Word's built-in
//! Heading 1–3 styles (so the navigation pane lists them), body paragraphs, bordered tables whose header row
//! repeats on every page, PNG pictures inline, page breaks, an A4 page with page numbers in the footer, and
//! the typography of Chinese official documents: the body in 仿宋_GB2312 (仿宋 where it is missing), headings
//! in 黑体, Latin text in Times New Roman.
//!
//! The OOXML is written here with the workspace's `zip`. The docx-rs crate was considered and rejected: it
//! cannot mark a table's header row to repeat across pages (`w:tblHeader`), and it would bring a second
//! version of zip and quick-xml into the build.
//!
//! Text is escaped for XML and characters XML 1.0 forbids (control characters, U+FFFE, U+FFFF) are dropped,
//! so no input makes a document Word refuses to open.

use std::fmt::Write as _;
use std::io::Write as _;

/// Twentieths of a point in a centimetre.
const TWIPS_PER_CM: f64 = 566.929;
/// English Metric Units in a centimetre (DrawingML sizes).
const EMU_PER_CM: f64 = 360_000.0;
/// A4 in twips, and the margins of official documents (GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left,
/// 26 mm right).
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
const MARGIN_TOP: u32 = 2098;
const MARGIN_BOTTOM: u32 = 1984;
const MARGIN_LEFT: u32 = 1588;
const MARGIN_RIGHT: u32 = 1474;
/// The width text may take, in twips.
pub const TEXT_WIDTH_TWIPS: u32 = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT;

/// The body's East Asian font and the font Word takes where it is not installed.
pub const BODY_FONT: &str = "仿宋_GB2312";
pub const BODY_FONT_FALLBACK: &str = "仿宋";
pub const HEADING_FONT: &str = "黑体";
pub const TITLE_FONT: &str = "方正小标宋简体";
const LATIN_FONT: &str = "Times New Roman";

/// What can go wrong writing a document.
#[derive(Debug)]
pub enum DocxError {
    /// A picture whose bytes are not a PNG image.
    NotPng { alt: String },
    /// The package could not be written (the zip writer's words).
    Package(String),
}

impl std::fmt::Display for DocxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DocxError::NotPng { alt } => write!(f, "the picture “{alt}” is not a PNG image"),
            DocxError::Package(e) => write!(f, "the .docx package cannot be written: {e}"),
        }
    }
}

impl std::error::Error for DocxError {}

impl From<zip::result::ZipError> for DocxError {
    fn from(e: zip::result::ZipError) -> DocxError {
        DocxError::Package(e.to_string())
    }
}

impl From<std::io::Error> for DocxError {
    fn from(e: std::io::Error) -> DocxError {
        DocxError::Package(e.to_string())
    }
}

/// How a paragraph that is not a heading looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Para {
    /// Body text, first line indented two characters.
    Body,
    /// Body text centred, without indent (a cover's lines).
    Centred,
    /// The document's title (the cover), large and centred.
    Title,
    /// A short line in red, centred: a stamp such as "synthetic data".
    Stamp,
    /// A note under a table or picture, smaller.
    Note,
}

/// How a table column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Centre,
    Right,
}

/// A table: its header row (repeated on every page it runs over), its rows, and each column's width in
/// centimetres and alignment. Widths are scaled to the text width when they add up to more; a column
/// without a width shares what is left.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub widths_cm: Vec<f64>,
    pub align: Vec<Align>,
}

impl Table {
    pub fn new(header: impl IntoIterator<Item = impl Into<String>>) -> Table {
        Table { header: header.into_iter().map(Into::into).collect(), ..Table::default() }
    }

    pub fn widths(mut self, cm: &[f64]) -> Table {
        self.widths_cm = cm.to_vec();
        self
    }

    pub fn align(mut self, align: &[Align]) -> Table {
        self.align = align.to_vec();
        self
    }

    pub fn row(&mut self, cells: impl IntoIterator<Item = impl Into<String>>) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    fn columns(&self) -> usize {
        self.rows.iter().map(Vec::len).chain([self.header.len(), 1]).max().unwrap_or(1)
    }

    /// Each column's width in twips, adding up to at most the text width.
    fn grid(&self) -> Vec<u32> {
        let n = self.columns();
        let full = f64::from(TEXT_WIDTH_TWIPS);
        let given: Vec<Option<f64>> = (0..n)
            .map(|i| self.widths_cm.get(i).copied().filter(|w| w.is_finite() && *w > 0.0).map(|w| w * TWIPS_PER_CM))
            .collect();
        let named: f64 = given.iter().flatten().sum();
        let unnamed = given.iter().filter(|g| g.is_none()).count();
        let share = if unnamed > 0 { ((full - named) / unnamed as f64).max(full / n as f64 / 2.0) } else { 0.0 };
        let widths: Vec<f64> = given.iter().map(|g| g.unwrap_or(share)).collect();
        let total: f64 = widths.iter().sum();
        let scale = if total > full { full / total } else { 1.0 };
        widths.iter().map(|w| (w * scale).round().max(200.0) as u32).collect()
    }
}

enum Block {
    /// Ready XML of the body (a paragraph, a table).
    Xml(String),
}

/// A Word document being built. Add blocks in reading order, then `to_bytes`.
pub struct Document {
    title: String,
    creator: String,
    /// `YYYY-MM-DD`, the core properties' creation date.
    created: Option<String>,
    body: Vec<Block>,
    /// The PNG pictures, in the order of their relationship ids.
    images: Vec<Vec<u8>>,
}

impl Document {
    /// A document with its title and author as the file's properties say them.
    pub fn new(title: &str, creator: &str) -> Document {
        Document { title: title.into(), creator: creator.into(), created: None, body: Vec::new(), images: Vec::new() }
    }

    /// The creation date of the core properties (`YYYY-MM-DD`); ignored unless it is one.
    pub fn created(&mut self, date: &str) -> &mut Document {
        let ok = date.len() == 10
            && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        self.created = ok.then(|| date.to_string());
        self
    }

    /// A heading in Word's style Heading 1, 2 or 3 (a level outside 1..=3 is taken as the nearest).
    pub fn heading(&mut self, level: u8, text: &str) -> &mut Document {
        let level = level.clamp(1, 3);
        let mut x = String::new();
        let _ = write!(x, "<w:p><w:pPr><w:pStyle w:val=\"Heading{level}\"/></w:pPr>");
        runs(&mut x, text, "");
        x.push_str("</w:p>");
        self.body.push(Block::Xml(x));
        self
    }

    /// A body paragraph.
    pub fn paragraph(&mut self, text: &str) -> &mut Document {
        self.styled(Para::Body, text)
    }

    /// A paragraph of the given look.
    pub fn styled(&mut self, style: Para, text: &str) -> &mut Document {
        let style_id = match style {
            Para::Body => "Normal",
            Para::Centred => "Centred",
            Para::Title => "Title",
            Para::Stamp => "Stamp",
            Para::Note => "Note",
        };
        let mut x = String::new();
        let _ = write!(x, "<w:p><w:pPr><w:pStyle w:val=\"{style_id}\"/></w:pPr>");
        runs(&mut x, text, "");
        x.push_str("</w:p>");
        self.body.push(Block::Xml(x));
        self
    }

    /// A page break: what follows starts a new page.
    pub fn page_break(&mut self) -> &mut Document {
        self.body.push(Block::Xml("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>".into()));
        self
    }

    /// A table with borders; its header row repeats at the top of every page it runs over.
    pub fn table(&mut self, t: &Table) -> &mut Document {
        let grid = t.grid();
        let n = grid.len();
        let total: u32 = grid.iter().sum();
        let mut x = String::new();
        let _ = write!(
            x,
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>\
             <w:tblBorders>{}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>\
             <w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar>\
             <w:tblLook w:val=\"04A0\" w:firstRow=\"1\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
            BORDERS
        );
        for w in &grid {
            let _ = write!(x, "<w:gridCol w:w=\"{w}\"/>");
        }
        x.push_str("</w:tblGrid>");
        // The header row: repeated on each page, never split, shaded and bold.
        x.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        for (i, w) in grid.iter().enumerate() {
            let text = t.header.get(i).map(String::as_str).unwrap_or("");
            cell(&mut x, *w, text, Align::Centre, true);
        }
        x.push_str("</w:tr>");
        for row in &t.rows {
            x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for (i, w) in grid.iter().enumerate().take(n) {
                let text = row.get(i).map(String::as_str).unwrap_or("");
                cell(&mut x, *w, text, t.align.get(i).copied().unwrap_or_default(), false);
            }
            x.push_str("</w:tr>");
        }
        x.push_str("</w:tbl>");
        // A table is followed by a paragraph (Word needs one before a following table, and it spaces them).
        x.push_str("<w:p><w:pPr><w:pStyle w:val=\"Note\"/></w:pPr></w:p>");
        self.body.push(Block::Xml(x));
        self
    }

    /// A PNG picture in a paragraph of its own, centred, `width_cm` × `height_cm` on the page, with its
    /// alternative text (what a screen reader says, and what Word shows when the picture cannot be drawn).
    pub fn picture(
        &mut self,
        png: Vec<u8>,
        width_cm: f64,
        height_cm: f64,
        alt: &str,
    ) -> Result<&mut Document, DocxError> {
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(DocxError::NotPng { alt: alt.into() });
        }
        self.images.push(png);
        let n = self.images.len();
        let max_w = f64::from(TEXT_WIDTH_TWIPS) / TWIPS_PER_CM;
        let fit = |v: f64, max: f64| if v.is_finite() && v > 0.0 { v.min(max) } else { max / 2.0 };
        let w = fit(width_cm, max_w);
        // The height keeps the proportion asked for when the width had to shrink.
        let h = if width_cm.is_finite() && width_cm > 0.0 && height_cm.is_finite() && height_cm > 0.0 {
            (height_cm * w / width_cm).min(20.0)
        } else {
            w / 2.0
        };
        let (cx, cy) = ((w * EMU_PER_CM).round() as u64, (h * EMU_PER_CM).round() as u64);
        let alt = attr(alt);
        let mut x = String::new();
        let _ = write!(
            x,
            "<w:p><w:pPr><w:pStyle w:val=\"Picture\"/></w:pPr><w:r><w:drawing>\
             <wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/>\
             <wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/><wp:docPr id=\"{n}\" name=\"Picture {n}\" descr=\"{alt}\"/>\
             <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
             <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
             <pic:pic><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"image{n}.png\" descr=\"{alt}\"/><pic:cNvPicPr/></pic:nvPicPr>\
             <pic:blipFill><a:blip r:embed=\"rIdImage{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
             <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr>\
             </pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
        );
        self.body.push(Block::Xml(x));
        Ok(self)
    }

    /// The number of pictures added.
    pub fn pictures(&self) -> usize {
        self.images.len()
    }

    /// The .docx file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, DocxError> {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let parts: [(&str, String); 10] = [
            ("[Content_Types].xml", CONTENT_TYPES.into()),
            ("_rels/.rels", PACKAGE_RELS.into()),
            ("docProps/core.xml", self.core()),
            ("docProps/app.xml", APP.into()),
            ("word/document.xml", self.document_xml()),
            ("word/_rels/document.xml.rels", self.document_rels()),
            ("word/styles.xml", styles()),
            ("word/settings.xml", SETTINGS.into()),
            ("word/fontTable.xml", font_table()),
            ("word/footer1.xml", FOOTER.into()),
        ];
        for (name, body) in parts {
            z.start_file(name, deflated)?;
            z.write_all(body.as_bytes())?;
        }
        for (i, png) in self.images.iter().enumerate() {
            z.start_file(format!("word/media/image{}.png", i + 1), stored)?;
            z.write_all(png)?;
        }
        Ok(z.finish()?.into_inner())
    }

    fn document_xml(&self) -> String {
        let mut x = String::with_capacity(64 * 1024);
        x.push_str(XML_DECL);
        x.push_str(
            "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
             xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
             xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
             xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
             xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>",
        );
        for b in &self.body {
            match b {
                Block::Xml(s) => x.push_str(s),
            }
        }
        // The page: A4, official margins, the footer with the page number (none on the cover: titlePg
        // without a first-page footer), a grid of 28-point lines.
        let _ = write!(
            x,
            "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter1\"/>\
             <w:pgSz w:w=\"{PAGE_W}\" w:h=\"{PAGE_H}\"/>\
             <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
             <w:cols w:space=\"425\"/><w:titlePg/><w:docGrid w:type=\"lines\" w:linePitch=\"579\"/></w:sectPr></w:body></w:document>"
        );
        x
    }

    fn document_rels(&self) -> String {
        let mut x = String::from(XML_DECL);
        x.push_str("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
        for (id, kind, target) in [
            ("rIdStyles", "styles", "styles.xml"),
            ("rIdSettings", "settings", "settings.xml"),
            ("rIdFontTable", "fontTable", "fontTable.xml"),
            ("rIdFooter1", "footer", "footer1.xml"),
        ] {
            let _ = write!(
                x,
                "<Relationship Id=\"{id}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}\" Target=\"{target}\"/>"
            );
        }
        for i in 1..=self.images.len() {
            let _ = write!(
                x,
                "<Relationship Id=\"rIdImage{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/image{i}.png\"/>"
            );
        }
        x.push_str("</Relationships>");
        x
    }

    fn core(&self) -> String {
        let mut x = String::from(XML_DECL);
        x.push_str(
            "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        );
        let _ = write!(x, "<dc:title>{}</dc:title><dc:creator>{}</dc:creator>", text(&self.title), text(&self.creator));
        if let Some(d) = &self.created {
            let _ = write!(x, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">{d}T00:00:00Z</dcterms:created>");
        }
        x.push_str("</cp:coreProperties>");
        x
    }
}

const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

const BORDERS: &str = "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>";

/// A table cell of one paragraph.
fn cell(x: &mut String, width: u32, content: &str, align: Align, head: bool) {
    let _ = write!(x, "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>");
    if head {
        x.push_str("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"D9D9D9\"/>");
    }
    x.push_str("<w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableText\"/>");
    match align {
        Align::Left => {}
        Align::Centre => x.push_str("<w:jc w:val=\"center\"/>"),
        Align::Right => x.push_str("<w:jc w:val=\"right\"/>"),
    }
    x.push_str("</w:pPr>");
    runs(x, content, if head { "<w:rPr><w:b/></w:rPr>" } else { "" });
    x.push_str("</w:p></w:tc>");
}

/// The runs of a text: a line break for each newline, a tab for each tab.
fn runs(x: &mut String, s: &str, rpr: &str) {
    if s.is_empty() {
        return;
    }
    let _ = write!(x, "<w:r>{rpr}");
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            x.push_str("<w:br/>");
        }
        for (j, piece) in line.split('\t').enumerate() {
            if j > 0 {
                x.push_str("<w:tab/>");
            }
            if !piece.is_empty() {
                let _ = write!(x, "<w:t xml:space=\"preserve\">{}</w:t>", text(piece));
            }
        }
    }
    x.push_str("</w:r>");
}

/// Whether XML 1.0 allows the character in a document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Text content, escaped, without the characters XML forbids (and without carriage returns, which Word
/// would show as nothing).
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_char(*c) && *c != '\r') {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// An attribute's value, escaped (quotes too, and whitespace that attribute normalisation would change).
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_char(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>Jiqun</Application></Properties>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/>\
<w:characterSpacingControl w:val=\"compressPunctuation\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>";

/// The footer: the page number between dashes, centred (— 3 —), as a PAGE field.
const FOOTER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
<w:p><w:pPr><w:pStyle w:val=\"Footer\"/></w:pPr>\
<w:r><w:t xml:space=\"preserve\">— </w:t></w:r>\
<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
<w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>";

/// The font table: each East Asian font with the font Word takes where it is not installed.
fn font_table() -> String {
    let mut x = String::from(XML_DECL);
    x.push_str("<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">");
    for (name, alt) in [
        (BODY_FONT, Some(BODY_FONT_FALLBACK)),
        (BODY_FONT_FALLBACK, Some("FangSong")),
        (HEADING_FONT, Some("SimHei")),
        (TITLE_FONT, Some("宋体")),
    ] {
        let _ = write!(x, "<w:font w:name=\"{}\">", attr(name));
        if let Some(a) = alt {
            let _ = write!(x, "<w:altName w:val=\"{}\"/>", attr(a));
        }
        x.push_str("<w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>");
    }
    let _ = write!(
        x,
        "<w:font w:name=\"{LATIN_FONT}\"><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font></w:fonts>"
    );
    x
}

/// The run properties of a font: Latin in Times New Roman, East Asian in `east_asia`.
fn fonts(east_asia: &str) -> String {
    format!(
        "<w:rFonts w:ascii=\"{LATIN_FONT}\" w:hAnsi=\"{LATIN_FONT}\" w:eastAsia=\"{}\" w:cs=\"{LATIN_FONT}\"/>",
        attr(east_asia)
    )
}

/// The styles: the defaults (仿宋_GB2312 三号, 16 pt), Normal with 28-point lines and a two-character first-line
/// indent, the built-in Heading 1–3 in 黑体 with their outline levels, and the document's own.
fn styles() -> String {
    let body = fonts(BODY_FONT);
    let head = fonts(HEADING_FONT);
    let title = fonts(TITLE_FONT);
    let mut x = String::from(XML_DECL);
    x.push_str("<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">");
    let _ = write!(
        x,
        "<w:docDefaults><w:rPrDefault><w:rPr>{body}<w:kern w:val=\"2\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>\
         <w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:jc w:val=\"both\"/></w:pPr></w:pPrDefault></w:docDefaults>"
    );
    // Normal: 28-point lines (exact), indented two characters.
    let _ = write!(
        x,
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>\
         <w:pPr><w:widowControl/><w:spacing w:line=\"560\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/></w:pPr>\
         <w:rPr>{body}<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>"
    );
    for level in 1..=3u8 {
        let outline = level - 1;
        let _ = write!(
            x,
            "<w:style w:type=\"paragraph\" w:styleId=\"Heading{level}\"><w:name w:val=\"heading {level}\"/>\
             <w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>\
             <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"{}\" w:after=\"{}\" w:line=\"560\" w:lineRule=\"exact\"/>\
             <w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:outlineLvl w:val=\"{outline}\"/></w:pPr>\
             <w:rPr>{head}{}<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>",
            if level == 1 { 240 } else { 120 },
            if level == 1 { 120 } else { 0 },
            if level == 3 { "<w:b/>" } else { "" },
        );
    }
    let _ = write!(
        x,
        "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
         <w:pPr><w:spacing w:before=\"480\" w:after=\"480\" w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"9\"/></w:pPr>\
         <w:rPr>{title}<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"Centred\"><w:name w:val=\"Centred\"/><w:basedOn w:val=\"Normal\"/>\
         <w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr></w:style>\
         <w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"Stamp\"><w:name w:val=\"Stamp\"/><w:basedOn w:val=\"Centred\"/>\
         <w:rPr>{head}<w:color w:val=\"C00000\"/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"Note\"><w:name w:val=\"Note\"/><w:basedOn w:val=\"Normal\"/>\
         <w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr><w:rPr><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"Picture\"><w:name w:val=\"Picture\"/><w:basedOn w:val=\"Normal\"/>\
         <w:pPr><w:keepNext/><w:spacing w:before=\"120\" w:after=\"120\" w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr></w:style>\
         <w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/>\
         <w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"left\"/></w:pPr><w:rPr><w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/></w:rPr></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>\
         <w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr><w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:uiPriority w:val=\"99\"/><w:semiHidden/><w:unhideWhenUsed/>\
         <w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         <w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/><w:basedOn w:val=\"TableNormal\"/><w:uiPriority w:val=\"39\"/>\
         <w:tblPr><w:tblBorders>{BORDERS}</w:tblBorders></w:tblPr></w:style>"
    );
    x.push_str("</w:styles>");
    x
}

#[cfg(test)]
mod tests;
