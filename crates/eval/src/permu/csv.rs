//! The evaluation's input and output files (contracts §4). Input: UTF-8 CSV with a header row, one
//! enterprise a row; every row is checked (USCC check character, numbers, land, required fields,
//! duplicates, one evaluation year) and each error names its line and column. The 15 contract columns
//! are required in any order; `county`, `industry` and `tenants` are optional (required when the scheme
//! reads them); other columns are ignored.
//!
//! Speed: two threads each take the next block of the file (read under a lock, so one reads while the
//! other parses) and parse it in one pass, finding separators eight bytes at a time; blocks are appended
//! in file order and their buffers reused.

use std::io::{Read, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use jiqun_domain::Lang;

use super::{Class, Dataset, Enterprise, Evaluation, FIGURES, FastMap, GroupKey, Needs, Scale, Scheme, both};

pub const COLUMNS: [&str; 15] = [
    "uscc",
    "name",
    "city",
    "scale",
    "founded_year",
    "year",
    "land_mu",
    "tax_wan",
    "revenue_wan",
    "value_added_wan",
    "rd_wan",
    "energy_tce",
    "emission_t",
    "employees",
    "electricity_mwh",
];

/// Optional input columns a scheme may read.
pub const OPTIONAL_COLUMNS: [&str; 3] = ["county", "industry", "tenants"];

/// Columns that must not be empty; the figures after them may be (an empty denominator makes its
/// indicator undefined; an empty `emission_t` means not reported).
const REQUIRED: [bool; 15] =
    [true, true, true, true, true, true, true, true, false, false, false, false, false, false, false];

/// A block of input parsed at once.
const BLOCK: usize = 4 << 20;

#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub zh: String,
    pub en: String,
}

impl RowError {
    pub fn message(&self, lang: Lang) -> &str {
        if lang == Lang::Zh { &self.zh } else { &self.en }
    }
}

fn err(line: usize, column: &str, zh: String, en: String) -> RowError {
    RowError { line, column: column.to_string(), zh, en }
}

/// Where each column is in the file.
#[derive(Debug, Clone)]
struct Layout {
    /// File position of each contract column.
    at: [usize; 15],
    county: Option<usize>,
    industry: Option<usize>,
    tenants: Option<usize>,
    columns: usize,
    /// Whether every row must fill in its county, its industry (the scheme groups by them).
    fill: [bool; 2],
}

/// Splits one CSV line with quotes into fields (RFC 4180; a quoted field may not span lines), unquoted
/// into `buf`; `out` gets each field's range in `buf`.
fn split_quoted(line: &[u8], buf: &mut Vec<u8>, out: &mut Vec<(u32, u32)>) -> Result<(), ()> {
    out.clear();
    buf.clear();
    let mut i = 0;
    loop {
        let start = buf.len();
        if line.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match line.get(i) {
                    None => return Err(()),
                    Some(b'"') if line.get(i + 1) == Some(&b'"') => {
                        buf.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        buf.push(c);
                        i += 1;
                    }
                }
            }
            if !matches!(line.get(i), None | Some(b',')) {
                return Err(());
            }
        } else {
            while let Some(&c) = line.get(i) {
                if c == b',' {
                    break;
                }
                if c == b'"' {
                    return Err(());
                }
                buf.push(c);
                i += 1;
            }
        }
        out.push((start as u32, buf.len() as u32));
        if line.get(i) == Some(&b',') {
            i += 1;
        } else {
            return Ok(());
        }
    }
}

/// Parses a decimal number. The common case (up to 19 digits, optional fraction, no exponent) is computed
/// as mantissa ÷ 10^k with both exactly representable, which IEEE division rounds correctly, so the result
/// equals the standard library's; anything else goes to the standard library.
fn parse_number(s: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let mut mantissa: u64 = 0;
    let mut frac = 0usize;
    let mut seen_dot = false;
    let mut n = 0;
    let mut simple = !digits.is_empty();
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            n += 1;
            frac += usize::from(seen_dot);
        } else if b == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            simple = false;
            break;
        }
    }
    if simple && n > 0 && n <= 19 && mantissa < (1u64 << 53) && frac < POW10.len() {
        let v = mantissa as f64 / POW10[frac];
        return Some(if neg { -v } else { v });
    }
    let v: f64 = std::str::from_utf8(s).ok()?.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

fn parse_year(s: &[u8]) -> Option<i32> {
    let y = match *s {
        [a, b, c, d] if [a, b, c, d].iter().all(u8::is_ascii_digit) => {
            i32::from(a - b'0') * 1000 + i32::from(b - b'0') * 100 + i32::from(c - b'0') * 10 + i32::from(d - b'0')
        }
        _ => std::str::from_utf8(s).ok()?.trim().parse().ok()?,
    };
    (1800..=2200).contains(&y).then_some(y)
}

fn trim(f: &[u8]) -> &[u8] {
    match (f.first(), f.last()) {
        (Some(a), Some(b)) if !a.is_ascii_whitespace() && !b.is_ascii_whitespace() => f,
        _ => f.trim_ascii(),
    }
}

/// Each byte of `w` equal to `c` gets its high bit set, and nothing else (exact, unlike the usual
/// "has zero byte" test, so positions can be read off the mask).
#[inline]
fn eq_mask(w: u64, c: u8) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ (0x0101_0101_0101_0101u64 * u64::from(c));
    let t = (x & LOW7).wrapping_add(LOW7);
    !(t | x | LOW7)
}

/// A table of names local to one block: ids in first-seen order.
#[derive(Default)]
struct Names {
    ids: FastMap<Vec<u8>, u32>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, name: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(String::from_utf8_lossy(name).into_owned());
        self.ids.insert(name.to_vec(), id);
        id
    }

    fn clear(&mut self) {
        self.ids.clear();
        self.names.clear();
    }
}

/// One block's rows; line numbers are counted from the block's first line (0).
#[derive(Default)]
struct Chunk {
    rows: Vec<Enterprise>,
    lines: Vec<u32>,
    errors: Vec<RowError>,
    cities: Names,
    counties: Names,
    industries: Names,
    line_count: usize,
    ranges: Vec<(u32, u32)>,
    buf: Vec<u8>,
}

fn parse_block(text: &[u8], layout: &Layout, chunk: &mut Chunk) {
    chunk.rows.clear();
    chunk.lines.clear();
    chunk.errors.clear();
    chunk.cities.clear();
    chunk.counties.clear();
    chunk.industries.clear();
    let mut ranges = std::mem::take(&mut chunk.ranges);
    ranges.clear();
    let mut line_no = 0u32;
    let mut line_start = 0usize;
    let mut field_start = 0usize;
    let mut quoted = false;
    let mut event = |pos: usize, ranges: &mut Vec<(u32, u32)>, chunk: &mut Chunk| match text[pos] {
        b',' => {
            ranges.push((field_start as u32, pos as u32));
            field_start = pos + 1;
        }
        b'"' => quoted = true,
        _ => {
            let end = if pos > line_start && text[pos - 1] == b'\r' { pos - 1 } else { pos };
            if end > line_start {
                ranges.push((field_start as u32, end.max(field_start) as u32));
                line(text, line_start, end, quoted, ranges, line_no, layout, chunk);
            }
            ranges.clear();
            line_no += 1;
            line_start = pos + 1;
            field_start = pos + 1;
            quoted = false;
        }
    };
    let mut words = text.chunks_exact(8);
    let mut base = 0usize;
    for w in &mut words {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        let mut m = eq_mask(w, b',') | eq_mask(w, b'\n') | eq_mask(w, b'"');
        while m != 0 {
            event(base + (m.trailing_zeros() / 8) as usize, &mut ranges, chunk);
            m &= m - 1;
        }
        base += 8;
    }
    for (k, &b) in words.remainder().iter().enumerate() {
        if matches!(b, b',' | b'\n' | b'"') {
            event(base + k, &mut ranges, chunk);
        }
    }
    // A last line without its newline.
    if line_start < text.len() {
        let end = if text.last() == Some(&b'\r') { text.len() - 1 } else { text.len() };
        if end > line_start {
            ranges.push((field_start as u32, end.max(field_start) as u32));
            line(text, line_start, end, quoted, &mut ranges, line_no, layout, chunk);
        }
        line_no += 1;
    }
    chunk.line_count = line_no as usize;
    chunk.ranges = ranges;
}

/// Checks and keeps one line (`text[start..end]`, its fields at `ranges` unless it has quotes).
#[allow(clippy::too_many_arguments)]
fn line(
    text: &[u8],
    start: usize,
    end: usize,
    quoted: bool,
    ranges: &mut Vec<(u32, u32)>,
    line_no: u32,
    layout: &Layout,
    chunk: &mut Chunk,
) {
    let mut buf = std::mem::take(&mut chunk.buf);
    let src: &[u8] = if quoted {
        if split_quoted(&text[start..end], &mut buf, ranges).is_err() {
            chunk.errors.push(err(line_no as usize, "", "引号不配对".into(), "unbalanced quotes".into()));
            chunk.buf = buf;
            return;
        }
        &buf
    } else {
        text
    };
    row(src, ranges, line_no, layout, chunk);
    chunk.buf = buf;
}

fn row(src: &[u8], ranges: &[(u32, u32)], line_no: u32, layout: &Layout, chunk: &mut Chunk) {
    let line_here = line_no as usize;
    if ranges.len() != layout.columns {
        chunk.errors.push(err(
            line_here,
            "",
            format!("应有 {} 列，实有 {} 列（文件可能被截断）", layout.columns, ranges.len()),
            format!("expected {} columns, found {} (is the file truncated?)", layout.columns, ranges.len()),
        ));
        return;
    }
    let at = |k: usize| -> &[u8] {
        let (a, b) = ranges.get(k).copied().unwrap_or((0, 0));
        trim(src.get(a as usize..b as usize).unwrap_or(&[]))
    };
    let field = |c: usize| at(layout.at[c]);
    let mut bad = false;
    for (c, name) in COLUMNS.iter().enumerate() {
        if REQUIRED[c] && field(c).is_empty() {
            chunk.errors.push(err(line_here, name, format!("“{name}”不能为空"), format!("“{name}” is required")));
            bad = true;
        }
    }
    if bad {
        return;
    }
    let uscc = field(0);
    if let Err(e) = jiqun_domain::uscc::validate(uscc) {
        chunk.errors.push(err(line_here, "uscc", e.message(Lang::Zh), e.message(Lang::En)));
        return;
    }
    if std::str::from_utf8(field(1)).is_err() || std::str::from_utf8(field(2)).is_err() || field(2).len() > 200 {
        chunk.errors.push(err(
            line_here,
            "name",
            "不是 UTF-8 编码（请另存为 UTF-8）".into(),
            "not UTF-8 (save the file as UTF-8)".into(),
        ));
        return;
    }
    let scale = match field(3) {
        b"above" => Scale::Above,
        b"below" => Scale::Below,
        other => {
            let v = String::from_utf8_lossy(other);
            chunk.errors.push(err(
                line_here,
                "scale",
                format!("“{v}”应为 above（规上）或 below（规下）"),
                format!("“{v}” must be above or below"),
            ));
            return;
        }
    };
    let mut years = [0i32; 2];
    for (k, c) in [4usize, 5].into_iter().enumerate() {
        match parse_year(field(c)) {
            Some(y) => years[k] = y,
            None => {
                let v = String::from_utf8_lossy(field(c));
                chunk.errors.push(err(
                    line_here,
                    COLUMNS[c],
                    format!("“{v}”不是有效年份"),
                    format!("“{v}” is not a year"),
                ));
                bad = true;
            }
        }
    }
    let mut nums = [f64::NAN; FIGURES];
    let figure_columns = (6..15).map(|c| (layout.at[c], COLUMNS[c])).chain(layout.tenants.map(|t| (t, "tenants")));
    for (k, (pos, name)) in figure_columns.enumerate() {
        let f = at(pos);
        if f.is_empty() {
            continue;
        }
        match parse_number(f) {
            Some(v) if v >= 0.0 => nums[k] = v,
            Some(_) => {
                chunk.errors.push(err(line_here, name, "不能为负数".into(), "cannot be negative".into()));
                bad = true;
            }
            None => {
                let v = String::from_utf8_lossy(f);
                chunk.errors.push(err(line_here, name, format!("“{v}”不是数字"), format!("“{v}” is not a number")));
                bad = true;
            }
        }
    }
    let mut present = [false; 2];
    for (k, (pos, name)) in [(layout.county, "county"), (layout.industry, "industry")].into_iter().enumerate() {
        let Some(pos) = pos else { continue };
        let v = at(pos);
        if std::str::from_utf8(v).is_err() || v.len() > 200 {
            chunk.errors.push(err(
                line_here,
                name,
                "不是 UTF-8 编码（请另存为 UTF-8）".into(),
                "not UTF-8 (save the file as UTF-8)".into(),
            ));
            bad = true;
        } else if layout.fill[k] && v.is_empty() {
            chunk.errors.push(err(
                line_here,
                name,
                format!("评价方案按“{name}”分组，此项不能为空"),
                format!("the scheme groups by “{name}”, so it is required"),
            ));
            bad = true;
        } else {
            present[k] = true;
        }
    }
    if bad {
        return;
    }
    if nums[0] == 0.0 {
        chunk.errors.push(err(line_here, "land_mu", "用地面积不能为 0".into(), "land_mu cannot be 0".into()));
        return;
    }
    let city = chunk.cities.id(field(2));
    let county = match layout.county {
        Some(p) if present[0] => chunk.counties.id(at(p)),
        _ => 0,
    };
    let industry = match layout.industry {
        Some(p) if present[1] => chunk.industries.id(at(p)),
        _ => 0,
    };
    let mut code = [0u8; 18];
    code.copy_from_slice(uscc);
    chunk.rows.push(Enterprise {
        uscc: code,
        city,
        county,
        industry,
        scale,
        founded_year: years[0],
        year: years[1],
        figures: nums,
    });
    chunk.lines.push(line_no);
}

/// Reads and checks an input file. Rows with errors are left out and their errors listed.
pub fn read(bytes: &[u8]) -> Result<Dataset, RowError> {
    read_from(&mut std::io::Cursor::new(bytes))
}

/// Reads from a stream; the optional columns are read when present.
pub fn read_from(input: &mut (dyn Read + Send)) -> Result<Dataset, RowError> {
    read_with(input, Needs::default(), [false; 2])
}

/// Reads for a scheme: the optional columns it reads must be in the header, and where it groups by county
/// or industry, every row must fill them in (an industry exemption or bonus just does not apply to a row
/// without a code).
pub fn read_for(input: &mut (dyn Read + Send), scheme: &Scheme) -> Result<Dataset, RowError> {
    let fill = [scheme.groups_by(GroupKey::County), scheme.groups_by(GroupKey::Industry)];
    read_with(input, scheme.needs(), fill)
}

fn read_header(input: &mut dyn std::io::BufRead, needs: Needs, fill: [bool; 2]) -> Result<Layout, RowError> {
    let mut first = Vec::new();
    input
        .read_until(b'\n', &mut first)
        .map_err(|e| err(1, "", format!("读取失败：{e}"), format!("cannot read: {e}")))?;
    let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&first);
    if first.iter().all(u8::is_ascii_whitespace) {
        return Err(err(1, "", "文件为空".into(), "the file is empty".into()));
    }
    let header = std::str::from_utf8(first)
        .map_err(|_| err(1, "", "表头不是 UTF-8 编码".into(), "the header is not UTF-8".into()))?;
    let names: Vec<&str> =
        header.trim_end_matches(['\r', '\n']).split(',').map(|h| h.trim().trim_matches('"')).collect();
    for (k, n) in names.iter().enumerate() {
        if (COLUMNS.contains(n) || OPTIONAL_COLUMNS.contains(n)) && names[..k].contains(n) {
            return Err(err(1, n, format!("列“{n}”出现了两次"), format!("the column “{n}” appears twice")));
        }
    }
    let mut at = [0usize; 15];
    for (c, col) in COLUMNS.iter().enumerate() {
        at[c] = names.iter().position(|n| n == col).ok_or_else(|| {
            err(
                1,
                col,
                format!("缺少列“{col}”；表头应为 {}", COLUMNS.join(",")),
                format!("missing column “{col}”; the header is {}", COLUMNS.join(",")),
            )
        })?;
    }
    let find = |col: &str| names.iter().position(|n| *n == col);
    let layout = Layout {
        at,
        county: find("county"),
        industry: find("industry"),
        tenants: find("tenants"),
        columns: names.len(),
        fill,
    };
    for (need, has, col) in [
        (needs.county, layout.county.is_some(), "county"),
        (needs.industry, layout.industry.is_some(), "industry"),
        (needs.tenants, layout.tenants.is_some(), "tenants"),
    ] {
        if need && !has {
            return Err(err(
                1,
                col,
                format!("评价方案需要列“{col}”，表头中没有"),
                format!("the scheme needs the column “{col}”, which the header lacks"),
            ));
        }
    }
    Ok(layout)
}

/// The file being read, shared by the two parsing threads.
struct Source<'r> {
    input: std::io::BufReader<&'r mut (dyn Read + Send)>,
    carry: Vec<u8>,
    seq: usize,
    done: bool,
    failed: Option<RowError>,
}

impl Source<'_> {
    /// The next block of whole lines into `text`, and its number; None at the end.
    fn next(&mut self, text: &mut Vec<u8>) -> Option<usize> {
        if self.done {
            return None;
        }
        text.clear();
        text.append(&mut self.carry);
        let mut target = BLOCK;
        loop {
            let want = target.saturating_sub(text.len()) as u64;
            let got = match std::io::Read::by_ref(&mut self.input).take(want).read_to_end(text) {
                Ok(n) => n as u64,
                Err(e) => {
                    self.failed = Some(err(0, "", format!("读取失败：{e}"), format!("cannot read: {e}")));
                    self.done = true;
                    return None;
                }
            };
            if got < want {
                self.done = true;
                break;
            }
            // Complete lines only; the rest waits for the next block (a line longer than a block: read on).
            if let Some(p) = text.iter().rposition(|&b| b == b'\n') {
                self.carry.extend_from_slice(&text[p + 1..]);
                text.truncate(p + 1);
                break;
            }
            target = target.saturating_mul(2);
        }
        let seq = self.seq;
        self.seq += 1;
        Some(seq)
    }
}

/// Parsed blocks, appended to the data set in file order.
struct Sink {
    ds: Dataset,
    next: usize,
    next_line: usize,
    pending: Vec<(usize, Chunk)>,
    pool: Vec<Chunk>,
    cities: FastMap<String, u32>,
    counties: FastMap<String, u32>,
    industries: FastMap<String, u32>,
}

fn remap(local: &Names, ids: &mut FastMap<String, u32>, table: &mut Vec<String>) -> Vec<u32> {
    local
        .names
        .iter()
        .map(|c| {
            *ids.entry(c.clone()).or_insert_with(|| {
                table.push(c.clone());
                table.len() as u32 - 1
            })
        })
        .collect()
}

impl Sink {
    fn take(&mut self, seq: usize, chunk: Chunk) {
        self.pending.push((seq, chunk));
        while let Some(k) = self.pending.iter().position(|(s, _)| *s == self.next) {
            let (_, mut c) = self.pending.swap_remove(k);
            let base = self.next_line;
            let ds = &mut self.ds;
            let cities = remap(&c.cities, &mut self.cities, &mut ds.cities);
            let counties = remap(&c.counties, &mut self.counties, &mut ds.counties);
            let industries = remap(&c.industries, &mut self.industries, &mut ds.industries);
            let get = |t: &[u32], id: u32| t.get(id as usize).copied().unwrap_or(0);
            ds.rows.extend(c.rows.drain(..).map(|mut r| {
                r.city = get(&cities, r.city);
                r.county = get(&counties, r.county);
                r.industry = get(&industries, r.industry);
                r
            }));
            ds.lines.extend(c.lines.drain(..).map(|l| base + l as usize));
            ds.errors.extend(c.errors.drain(..).map(|mut e| {
                e.line += base;
                e
            }));
            self.next_line += c.line_count;
            self.next += 1;
            self.pool.push(c);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read_with(input: &mut (dyn Read + Send), needs: Needs, fill: [bool; 2]) -> Result<Dataset, RowError> {
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let layout = read_header(&mut input, needs, fill)?;
    let source = Mutex::new(Source { input, carry: Vec::new(), seq: 0, done: false, failed: None });
    let mut ds = Dataset::default();
    ds.columns.county = layout.county.is_some();
    ds.columns.industry = layout.industry.is_some();
    ds.columns.tenants = layout.tenants.is_some();
    let sink = Mutex::new(Sink {
        ds,
        next: 0,
        next_line: 2,
        pending: Vec::new(),
        pool: Vec::new(),
        cities: FastMap::default(),
        counties: FastMap::default(),
        industries: FastMap::default(),
    });
    let stop = AtomicBool::new(false);
    let run = || {
        let mut text = Vec::with_capacity(BLOCK + (1 << 16));
        let mut chunk = Chunk::default();
        while !stop.load(Ordering::Relaxed) {
            let Some(seq) = lock(&source).next(&mut text) else { break };
            parse_block(&text, &layout, &mut chunk);
            let mut s = lock(&sink);
            let next = s.pool.pop().unwrap_or_default();
            s.take(seq, std::mem::replace(&mut chunk, next));
            if s.ds.errors.len() > 100_000 {
                stop.store(true, Ordering::Relaxed); // enough to report; the file is not what it should be
            }
        }
    };
    both(run, run);
    let source = source.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = source.failed {
        return Err(e);
    }
    let mut ds = sink.into_inner().unwrap_or_else(|e| e.into_inner()).ds;
    whole_file_rules(&mut ds);
    ds.errors.sort_by_key(|e| e.line);
    Ok(ds)
}

/// One evaluation year (the first row's), no USCC twice. The duplicate check runs on two threads, each
/// over the codes whose hash falls in its half, so no pair is split between them.
fn whole_file_rules(ds: &mut Dataset) {
    let year = ds.rows.first().map(|r| r.year);
    let mut keep: Vec<bool> = ds.rows.iter().map(|r| Some(r.year) == year).collect();
    for (k, ok) in keep.iter().enumerate() {
        if !ok {
            let y = year.unwrap_or(0);
            ds.errors.push(err(
                ds.lines[k],
                "year",
                format!("评价年度应与首行一致（{y}）"),
                format!("all rows must be of the first row's year ({y})"),
            ));
        }
    }
    let half_of = |code: &[u8; 18]| {
        use std::hash::Hasher;
        let mut h = super::Fnv::default();
        h.write(code);
        h.finish() >> 63
    };
    let duplicates = |part: u64| -> Vec<(usize, usize)> {
        let mut seen: FastMap<[u8; 18], usize> = FastMap::default();
        seen.reserve(ds.rows.len() / 2 + 1);
        let mut found = Vec::new();
        for (k, r) in ds.rows.iter().enumerate() {
            if !keep[k] || half_of(&r.uscc) != part {
                continue;
            }
            match seen.entry(r.uscc) {
                std::collections::hash_map::Entry::Occupied(o) => found.push((k, *o.get())),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(ds.lines[k]);
                }
            }
        }
        found
    };
    let (d0, d1) = both(|| duplicates(0), || duplicates(1));
    for (k, first) in d0.into_iter().chain(d1) {
        let code = String::from_utf8_lossy(&ds.rows[k].uscc);
        ds.errors.push(err(
            ds.lines[k],
            "uscc",
            format!("{code} 与第 {first} 行重复"),
            format!("{code} repeats line {first}"),
        ));
        keep[k] = false;
    }
    if keep.iter().any(|k| !k) {
        let mut k = 0;
        ds.rows.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        let mut k = 0;
        ds.lines.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    }
    ds.rows.shrink_to_fit();
}

/// The place of each row's display unit (its city, county and industry, as far as the scheme groups by
/// them) in name order, and the number of units.
fn units(ds: &Dataset, ev: &Evaluation) -> (Vec<u32>, Vec<u32>) {
    let by = [GroupKey::City, GroupKey::County, GroupKey::Industry].map(|k| ev.grouped_by(k));
    let name = |table: &[String], id: u32| -> String { table.get(id as usize).cloned().unwrap_or_default() };
    if by == [true, false, false] {
        let mut by_name: Vec<u32> = (0..ds.cities.len() as u32).collect();
        by_name.sort_by(|a, b| ds.cities[*a as usize].cmp(&ds.cities[*b as usize]));
        let mut city_rank = vec![0u32; ds.cities.len()];
        for (pos, c) in by_name.iter().enumerate() {
            city_rank[*c as usize] = pos as u32;
        }
        let group_unit =
            ev.groups.iter().map(|g| city_rank.get(g.city.unwrap_or(0) as usize).copied().unwrap_or(0)).collect();
        let row_unit = ds.rows.iter().map(|r| city_rank.get(r.city as usize).copied().unwrap_or(0)).collect();
        return (row_unit, group_unit);
    }
    let key =
        |c: u32, co: u32, i: u32| (if by[0] { c } else { 0 }, if by[1] { co } else { 0 }, if by[2] { i } else { 0 });
    let mut ids: FastMap<(u32, u32, u32), u32> = FastMap::default();
    let mut row_unit: Vec<u32> = ds
        .rows
        .iter()
        .map(|r| {
            let next = ids.len() as u32;
            *ids.entry(key(r.city, r.county, r.industry)).or_insert(next)
        })
        .collect();
    let mut distinct: Vec<((u32, u32, u32), u32)> = ids.iter().map(|(k, v)| (*k, *v)).collect();
    distinct.sort_by_cached_key(|((c, co, i), _)| {
        (
            if by[0] { name(&ds.cities, *c) } else { String::new() },
            if by[1] { name(&ds.counties, *co) } else { String::new() },
            if by[2] { name(&ds.industries, *i) } else { String::new() },
        )
    });
    let mut rank = vec![0u32; distinct.len()];
    for (pos, (_, id)) in distinct.iter().enumerate() {
        rank[*id as usize] = pos as u32;
    }
    for u in row_unit.iter_mut() {
        *u = rank[*u as usize];
    }
    let group_unit = ev
        .groups
        .iter()
        .map(|g| {
            let k = key(g.city.unwrap_or(0), g.county.unwrap_or(0), g.industry.unwrap_or(0));
            ids.get(&k).map_or(0, |id| rank[*id as usize])
        })
        .collect();
    (row_unit, group_unit)
}

/// Writes the results: header `uscc,city,scale,score,rank,group_size,class,reason` (then `county` and
/// `industry` when the scheme groups by them), ordered by city (county, industry, as grouped), scale,
/// rank (not rated last), uscc; score to six decimals. Where the scheme does not group by city, the city
/// is not part of the order.
pub fn write(ds: &Dataset, ev: &Evaluation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let (row_unit, group_unit) = units(ds, ev);
    // The output order: each (unit, scale) in turn, its group's rows in rank order, then its rows not rated
    // by USCC. Groups and the rows not rated are each sorted by that key, then merged.
    let mut groups: Vec<(u64, usize)> =
        ev.groups.iter().enumerate().map(|(g, s)| ((u64::from(group_unit[g]) << 1) | s.scale as u64, g)).collect();
    groups.sort_unstable();
    let mut unrated: Vec<(u64, [u8; 18], u32)> = ds
        .rows
        .iter()
        .zip(&ev.ratings)
        .enumerate()
        .filter(|(_, (_, t))| t.class == Class::T)
        .map(|(i, (r, _))| ((u64::from(row_unit[i]) << 1) | r.scale as u64, r.uscc, i as u32))
        .collect();
    unrated.sort_unstable();
    let mut order: Vec<u32> = Vec::with_capacity(ds.rows.len());
    let mut t = unrated.iter().peekable();
    for (key, g) in &groups {
        while let Some(x) = t.next_if(|x| x.0 < *key) {
            order.push(x.2);
        }
        order.extend_from_slice(ev.ranked(*g));
        while let Some(x) = t.next_if(|x| x.0 == *key) {
            order.push(x.2);
        }
    }
    order.extend(t.map(|x| x.2));
    drop(unrated);
    let extra = [(GroupKey::County, &ds.counties), (GroupKey::Industry, &ds.industries)]
        .map(|(k, table)| ev.grouped_by(k).then_some(table));
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    w.write_all(b"uscc,city,scale,score,rank,group_size,class,reason")?;
    for (k, col) in [(0, ",county"), (1, ",industry")] {
        if extra[k].is_some() {
            w.write_all(col.as_bytes())?;
        }
    }
    w.write_all(b"\n")?;
    let reasons: Vec<&[u8]> = [
        super::Reason::Rated,
        super::Reason::New,
        super::Reason::SmallLand,
        super::Reason::ExemptIndustry,
        super::Reason::ExemptListed,
    ]
    .map(|r| ev.reason_text(r).as_bytes())
    .to_vec();
    // Lines are formatted on two threads, a block at a time, and written in order.
    let format = |part: &[u32], line: &mut Vec<u8>| {
        line.clear();
        for &i in part {
            let (Some(r), Some(t)) = (ds.rows.get(i as usize), ev.ratings.get(i as usize)) else { continue };
            line.extend_from_slice(&r.uscc);
            line.push(b',');
            push_csv(ds.cities.get(r.city as usize).map_or("", |s| s.as_str()).as_bytes(), line);
            line.push(b',');
            line.extend_from_slice(r.scale.as_str().as_bytes());
            line.push(b',');
            if t.class != Class::T {
                fixed6(t.score, line);
                line.push(b',');
                push_u64(u64::from(t.rank), line);
                line.push(b',');
                push_u64(u64::from(t.group_size), line);
                line.push(b',');
            } else {
                line.extend_from_slice(b",,,");
            }
            line.extend_from_slice(t.class.as_str().as_bytes());
            line.push(b',');
            line.extend_from_slice(reasons[t.reason as usize]);
            for (k, id) in [(0, r.county), (1, r.industry)] {
                if let Some(table) = extra[k] {
                    line.push(b',');
                    push_csv(table.get(id as usize).map_or("", |s| s.as_str()).as_bytes(), line);
                }
            }
            line.push(b'\n');
        }
    };
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    for block in order.chunks(1 << 16) {
        let (a, b) = block.split_at(block.len() / 2);
        both(|| format(a, &mut fa), || format(b, &mut fb));
        w.write_all(&fa)?;
        w.write_all(&fb)?;
    }
    w.flush()
}

/// A text field, quoted when it holds a comma, a quote or a line break.
fn push_csv(s: &[u8], out: &mut Vec<u8>) {
    if s.iter().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for &b in s {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s);
    }
}

fn push_u64(mut v: u64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// A score with six decimals, rounded half away from zero (beyond 10^12, the standard library's).
fn fixed6(v: f64, out: &mut Vec<u8>) {
    if v.is_nan() || v.abs() >= 1e12 {
        out.extend_from_slice(format!("{v:.6}").as_bytes());
        return;
    }
    let micro = (v.abs() * 1e6).round() as u64;
    if v < 0.0 && micro != 0 {
        out.push(b'-');
    }
    push_u64(micro / 1_000_000, out);
    out.push(b'.');
    let mut digits = [b'0'; 6];
    let mut f = micro % 1_000_000;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (f % 10) as u8;
        f /= 10;
    }
    out.extend_from_slice(&digits);
}

/// Each rated enterprise's items and bonus or deduction points, one a line, in input order:
/// `uscc,item,unit,value,benchmark,weight,score,capped`; a bonus or deduction has no unit, value,
/// benchmark or weight; an undefined value is empty (its score is the stand-in).
pub fn write_details(
    ds: &Dataset,
    ev: &Evaluation,
    scheme: &Scheme,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    w.write_all(b"uscc,item,unit,value,benchmark,weight,score,capped\n")?;
    let mut line = Vec::with_capacity(256);
    for i in 0..ds.rows.len() {
        let Some(x) = super::explain(ev, &ds.rows, i, scheme) else { continue };
        let uscc = &ds.rows[i].uscc;
        line.clear();
        for it in &x.items {
            line.extend_from_slice(uscc);
            line.push(b',');
            push_csv(it.name.as_bytes(), &mut line);
            line.push(b',');
            push_csv(it.unit.as_bytes(), &mut line);
            line.push(b',');
            if let Some(v) = it.value {
                line.extend_from_slice(format!("{v}").as_bytes());
            }
            line.extend_from_slice(format!(",{},{},", it.benchmark, it.weight).as_bytes());
            fixed6(it.score, &mut line);
            line.extend_from_slice(if it.capped { b",yes\n" } else { b",\n" });
        }
        for a in &x.adjustments {
            line.extend_from_slice(uscc);
            line.push(b',');
            push_csv(a.name.as_bytes(), &mut line);
            line.extend_from_slice(b",,,,,");
            fixed6(a.points, &mut line);
            line.extend_from_slice(b",\n");
        }
        w.write_all(&line)?;
    }
    w.flush()
}

/// The errors as CSV (`line,column,message`), for `--skip-invalid`.
pub fn write_errors(errors: &[RowError], lang: Lang) -> String {
    let mut s = String::from("line,column,message\n");
    for e in errors {
        let m = e.message(lang).replace('"', "\"\"");
        s.push_str(&format!("{},{},\"{m}\"\n", e.line, e.column));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh\n";

    #[test]
    fn each_error_names_line_and_column() {
        let text = format!(
            "{HEADER}91440300708461136T,甲,深圳,above,2010,2024,10,100,1000,300,30,100,,50,200\n\
             91440300708461136U,乙,深圳,above,2010,2024,10,100,1000,300,30,100,10,50,200\n\
             9144030071526726XG,丙,深圳,above,2010,2024,0,100,1000,300,30,100,10,50,200\n\
             9144030071526726XG,丁,深圳,middle,2010,2024,5,100,1000,300,30,100,10,50,200\n\
             91440300708461136T,戊,深圳,above,2010,2024,5,-1,1000,300,30,100,10,50,200\n\
             91440300708461136T,己,深圳,above,2010,2024,5,abc,1000,300,30,100,10,50,200\n\
             91440300708461136T,庚,深圳,above,2010,2024,5,10,1000,300,30,100,10,50,200\n\
             9144030071526726XG,辛,广州,below,2010,2023,5,10,,,,,,,20\n\
             9144030071526726XG,\"壬,有限公司\",广州,below,2010,2024,5,10,,,,,,,20\n\
             91440300708461136T,癸,深圳\n"
        );
        let ds = read(text.as_bytes()).unwrap();
        let got: Vec<(usize, &str)> = ds.errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "uscc"),
                (4, "land_mu"),
                (5, "scale"),
                (6, "tax_wan"),
                (7, "tax_wan"),
                (8, "uscc"),
                (9, "year"),
                (11, "")
            ]
        );
        assert_eq!(ds.rows.len(), 2, "the first row and the quoted name");
        assert!(ds.errors[0].en.contains("check character"));
        assert!(ds.errors[5].zh.contains("与第 2 行重复"), "{}", ds.errors[5].zh);
    }

    #[test]
    fn numbers_parse_as_the_standard_library_does() {
        for s in [
            "0",
            "1",
            "12.5",
            "0.1",
            "1234567.891",
            "7000000000000",
            "0.000001",
            "1e3",
            "-2.5",
            "9007199254740993",
            "3.14159265358979",
        ] {
            assert_eq!(parse_number(s.as_bytes()), s.parse::<f64>().ok(), "{s}");
        }
        for s in ["", ".", "1.2.3", "abc", "1,5", "inf", "NaN"] {
            assert_eq!(parse_number(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn separators_are_found_exactly() {
        for w in [0u64, u64::MAX, 0x2c2c_2c2c_2c2c_2c2c, 0x0a2c_0022_ff2c_ac0a, 0x8080_2d2b_2c0a_0b09] {
            let bytes = w.to_le_bytes();
            for c in [b',', b'\n', b'"'] {
                let m = eq_mask(w, c);
                for (k, b) in bytes.iter().enumerate() {
                    assert_eq!(m >> (8 * k) & 0xff == 0x80, *b == c, "{w:x} {c}");
                    assert_eq!(m >> (8 * k) & 0x7f, 0);
                }
            }
        }
    }

    #[test]
    fn header_and_emptiness() {
        assert_eq!(read(b"").unwrap_err().line, 1);
        let e = read(b"uscc,name\n1,2\n").unwrap_err();
        assert!(e.en.contains("missing column"), "{}", e.en);
        let ds = read(HEADER.as_bytes()).unwrap();
        assert!(ds.rows.is_empty() && ds.errors.is_empty());
        let twice = format!("{},city\n", HEADER.trim_end());
        assert!(read(twice.as_bytes()).unwrap_err().en.contains("twice"));
    }

    #[test]
    fn lines_are_numbered_across_blocks_and_line_ends() {
        // Enough rows for several blocks, CRLF line ends, an empty line, no newline at the end.
        let good = "9144030071526726XG,乙,深圳,above,2010,2024,10,100,1000,300,30,100,10,50,200";
        let mut text = HEADER.replace('\n', "\r\n");
        let rows = 2 * BLOCK / good.len() + 10;
        for k in 0..rows {
            if k == rows / 2 {
                text.push_str("\r\n");
            }
            let mut code = format!("91440300{:09}", k).into_bytes();
            code.push(jiqun_domain::uscc::check_character(&code).unwrap());
            text.push_str(&String::from_utf8(code).unwrap());
            text.push_str(&good[18..]);
            text.push_str("\r\n");
        }
        text.push_str("91440300708461136T,甲,深圳,above,2010,2024,x,100,1000,300,30,100,10,50,200");
        let ds = read(text.as_bytes()).unwrap();
        assert_eq!(ds.rows.len(), rows);
        assert_eq!(ds.lines[0], 2);
        assert_eq!(ds.lines[rows / 2], rows / 2 + 3, "the empty line counts");
        assert_eq!(ds.lines[rows - 1], rows + 2);
        assert_eq!((ds.errors[0].line, ds.errors[0].column.as_str()), (rows + 3, "land_mu"));
        assert_eq!(ds.rows[rows - 1].figures[8], 200.0, "the \\r is not part of the last field");
    }

    /// A group of one: 100·1 ≤ 20·1 fails, and so do the B and C cut-offs, so the contract's rule gives D.
    #[test]
    fn output_format_and_order() {
        let text = format!(
            "{HEADER}91440300708461136T,甲,深圳,above,2023,2024,10,100,1000,300,30,100,10,50,200\n\
             9144030071526726XG,乙,深圳,above,2010,2024,10,100,1000,300,30,100,10,50,200\n"
        );
        let ds = read(text.as_bytes()).unwrap();
        let ev = super::super::evaluate(&ds.rows, &super::super::Scheme::default());
        let mut out = Vec::new();
        write(&ds, &ev, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "uscc,city,scale,score,rank,group_size,class,reason\n\
             9144030071526726XG,深圳,above,100.000000,1,1,D,\n\
             91440300708461136T,深圳,above,,,,T,新设企业\n"
        );
    }

    #[test]
    fn scores_format() {
        let f = |v: f64| {
            let mut o = Vec::new();
            fixed6(v, &mut o);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(f(0.0), "0.000000");
        assert_eq!(f(12.3456785), "12.345679");
        assert_eq!(f(-5.0), "-5.000000");
        assert_eq!(f(-0.0000001), "0.000000");
        assert_eq!(f(2e12), "2000000000000.000000");
    }
}
