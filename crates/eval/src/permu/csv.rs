//! The evaluation's input and output files (contracts §4). Input: UTF-8 CSV with a header row, one
//! enterprise a row; every row is checked (USCC check character, numbers, land, required fields,
//! duplicates, one evaluation year) and each error names its line and column. Parsed on two threads.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Write as _;

use jiqun_domain::Lang;

use super::{Class, Enterprise, Scale};

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

/// Columns that must not be empty; the figures after them may be (an empty denominator makes its
/// indicator undefined; an empty `emission_t` means not reported).
const REQUIRED: [bool; 15] =
    [true, true, true, true, true, true, true, true, false, false, false, false, false, false, false];

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

#[derive(Debug, Default)]
pub struct Dataset {
    pub rows: Vec<Enterprise>,
    /// Line number of each row.
    pub lines: Vec<usize>,
    pub cities: Vec<String>,
    pub errors: Vec<RowError>,
}

/// FNV-1a: the keys (USCCs, city names) are short and not attacker-chosen in a way that matters here.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time, each word mixed by a multiply (FxHash's scheme).
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

fn err(line: usize, column: &str, zh: String, en: String) -> RowError {
    RowError { line, column: column.to_string(), zh, en }
}

/// Splits one CSV line into fields (RFC 4180 quotes allowed; a quoted field may not span lines).
fn split_fields<'a>(
    line: &'a [u8],
    buf: &mut Vec<u8>,
    out: &mut Vec<std::ops::Range<usize>>,
) -> Result<Option<&'a [u8]>, ()> {
    out.clear();
    if !line.contains(&b'"') {
        let mut start = 0;
        for (i, &b) in line.iter().enumerate() {
            if b == b',' {
                out.push(start..i);
                start = i + 1;
            }
        }
        out.push(start..line.len());
        return Ok(Some(line));
    }
    // The slow path: unquote into `buf`.
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
                buf.push(c);
                i += 1;
            }
        }
        out.push(start..buf.len());
        if line.get(i) == Some(&b',') {
            i += 1;
        } else {
            return Ok(None);
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
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut mantissa: u64 = 0;
    let mut frac = 0usize;
    let mut seen_dot = false;
    let mut n = 0;
    let mut simple = !digits.is_empty();
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                n += 1;
                if seen_dot {
                    frac += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => {
                simple = false;
                break;
            }
        }
    }
    if simple && n > 0 && n <= 19 && mantissa < (1u64 << 53) && frac < POW10.len() {
        let v = mantissa as f64 / POW10[frac];
        return Some(if neg { -v } else { v });
    }
    let v: f64 = std::str::from_utf8(s).ok()?.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

fn parse_int(s: &[u8]) -> Option<i32> {
    std::str::from_utf8(s).ok()?.trim().parse().ok()
}

struct Chunk {
    rows: Vec<Enterprise>,
    lines: Vec<usize>,
    cities: Vec<String>,
    errors: Vec<RowError>,
}

fn parse_chunk(text: &[u8], first_line: usize, order: &[usize; 15]) -> Chunk {
    let mut chunk = Chunk { rows: Vec::new(), lines: Vec::new(), cities: Vec::new(), errors: Vec::new() };
    let mut city_ids: FastMap<Vec<u8>, u32> = FastMap::default();
    let mut ranges = Vec::with_capacity(16);
    let mut buf = Vec::new();
    for (line_here, raw) in (first_line..).zip(text.split(|&b| b == b'\n')) {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        let src = match split_fields(line, &mut buf, &mut ranges) {
            Ok(Some(l)) => l,
            Ok(None) => &buf[..],
            Err(()) => {
                chunk.errors.push(err(line_here, "", "引号不配对".into(), "unbalanced quotes".into()));
                continue;
            }
        };
        if ranges.len() != COLUMNS.len() {
            chunk.errors.push(err(
                line_here,
                "",
                format!("应有 {} 列，实有 {} 列（文件可能被截断）", COLUMNS.len(), ranges.len()),
                format!("expected {} columns, found {} (is the file truncated?)", COLUMNS.len(), ranges.len()),
            ));
            continue;
        }
        let field = |c: usize| -> &[u8] {
            let r = ranges[order[c]].clone();
            let f = &src[r];
            let start = f.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(f.len());
            let end = f.iter().rposition(|b| !b.is_ascii_whitespace()).map(|p| p + 1).unwrap_or(start);
            &f[start..end]
        };
        let mut bad = false;
        for (c, name) in COLUMNS.iter().enumerate() {
            if REQUIRED[c] && field(c).is_empty() {
                chunk.errors.push(err(line_here, name, format!("“{name}”不能为空"), format!("“{name}” is required")));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let uscc = field(0);
        if let Err(e) = jiqun_domain::uscc::validate(uscc) {
            chunk.errors.push(err(line_here, "uscc", e.message(Lang::Zh), e.message(Lang::En)));
            continue;
        }
        if std::str::from_utf8(field(1)).is_err() || std::str::from_utf8(field(2)).is_err() || field(2).len() > 200 {
            chunk.errors.push(err(
                line_here,
                "name",
                "不是 UTF-8 编码（请另存为 UTF-8）".into(),
                "not UTF-8 (save the file as UTF-8)".into(),
            ));
            continue;
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
                continue;
            }
        };
        let mut years = [0i32; 2];
        for (k, c) in [4usize, 5].into_iter().enumerate() {
            match parse_int(field(c)).filter(|y| (1800..=2200).contains(y)) {
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
        let mut nums = [f64::NAN; 9];
        for (k, c) in (6..15).enumerate() {
            let f = field(c);
            if f.is_empty() {
                continue;
            }
            match parse_number(f) {
                Some(v) if v >= 0.0 => nums[k] = v,
                Some(_) => {
                    chunk.errors.push(err(line_here, COLUMNS[c], "不能为负数".into(), "cannot be negative".into()));
                    bad = true;
                }
                None => {
                    let v = String::from_utf8_lossy(f);
                    chunk.errors.push(err(
                        line_here,
                        COLUMNS[c],
                        format!("“{v}”不是数字"),
                        format!("“{v}” is not a number"),
                    ));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        if nums[0] == 0.0 {
            chunk.errors.push(err(line_here, "land_mu", "用地面积不能为 0".into(), "land_mu cannot be 0".into()));
            continue;
        }
        let city_bytes = field(2);
        let city = match city_ids.get(city_bytes) {
            Some(&id) => id,
            None => {
                let id = chunk.cities.len() as u32;
                chunk.cities.push(String::from_utf8_lossy(city_bytes).into_owned());
                city_ids.insert(city_bytes.to_vec(), id);
                id
            }
        };
        let mut code = [0u8; 18];
        code.copy_from_slice(uscc);
        chunk.rows.push(Enterprise { uscc: code, city, scale, founded_year: years[0], year: years[1], figures: nums });
        chunk.lines.push(line_here);
    }
    chunk
}

/// Reads and checks an input file. Rows with errors are left out and their errors listed.
pub fn read(bytes: &[u8]) -> Result<Dataset, RowError> {
    read_from(&mut std::io::Cursor::new(bytes))
}

fn read_header(input: &mut dyn std::io::BufRead) -> Result<[usize; 15], RowError> {
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
    let mut order = [0usize; 15];
    for (c, col) in COLUMNS.iter().enumerate() {
        order[c] = names.iter().position(|n| n == col).ok_or_else(|| {
            err(
                1,
                col,
                format!("缺少列“{col}”；表头应为 {}", COLUMNS.join(",")),
                format!("missing column “{col}”; the header is {}", COLUMNS.join(",")),
            )
        })?;
    }
    if names.len() != COLUMNS.len() {
        return Err(err(
            1,
            "",
            format!("表头应恰有 {} 列", COLUMNS.len()),
            format!("the header must have exactly {} columns", COLUMNS.len()),
        ));
    }
    Ok(order)
}

/// Reads from a stream in blocks, each parsed by two threads; memory stays at the rows plus one block.
pub fn read_from(input: &mut dyn std::io::Read) -> Result<Dataset, RowError> {
    const BLOCK: usize = 8 << 20;
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let order = read_header(&mut input)?;
    let mut ds = Dataset::default();
    let mut index: FastMap<String, u32> = FastMap::default();
    let mut block: Vec<u8> = Vec::with_capacity(BLOCK + (1 << 16));
    let mut carry: Vec<u8> = Vec::new();
    let mut next_line = 2usize;
    let mut done = false;
    while !done {
        block.clear();
        block.extend_from_slice(&carry);
        carry.clear();
        let want = BLOCK.saturating_sub(block.len()).max(1 << 16);
        let start = block.len();
        block.resize(start + want, 0);
        let mut filled = start;
        while filled < block.len() {
            match std::io::Read::read(&mut input, &mut block[filled..]) {
                Ok(0) => {
                    done = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(err(next_line, "", format!("读取失败：{e}"), format!("cannot read: {e}"))),
            }
        }
        block.truncate(filled);
        // Complete lines only; the rest waits for the next block.
        let cut = if done { block.len() } else { block.iter().rposition(|&b| b == b'\n').map(|p| p + 1).unwrap_or(0) };
        carry.extend_from_slice(&block[cut..]);
        let body = &block[..cut];
        let mid = body.len() / 2;
        let half = body[mid..].iter().position(|&b| b == b'\n').map(|p| mid + p + 1).unwrap_or(body.len());
        let (a, b) = body.split_at(half);
        let lines_in_a = a.iter().filter(|&&c| c == b'\n').count();
        let lines_in_b = b.iter().filter(|&&c| c == b'\n').count();
        let (ca, cb) = std::thread::scope(|s| {
            let ha = s.spawn(|| parse_chunk(a, next_line, &order));
            let cb = parse_chunk(b, next_line + lines_in_a, &order);
            (ha.join(), cb)
        });
        let ca = ca.map_err(|_| err(0, "", "内部错误".into(), "internal error".into()))?;
        next_line += lines_in_a + lines_in_b;
        for chunk in [ca, cb] {
            let remap: Vec<u32> = chunk
                .cities
                .into_iter()
                .map(|c| {
                    *index.entry(c.clone()).or_insert_with(|| {
                        ds.cities.push(c);
                        ds.cities.len() as u32 - 1
                    })
                })
                .collect();
            ds.rows.extend(chunk.rows.into_iter().map(|mut r| {
                r.city = remap[r.city as usize];
                r
            }));
            ds.lines.extend(chunk.lines);
            ds.errors.extend(chunk.errors);
        }
        if ds.errors.len() > 100_000 {
            break; // enough to report; the file is not what it should be
        }
    }
    // Whole-file rules: one evaluation year (the first row's), no USCC twice. The duplicate check runs on
    // two threads, each over the codes whose hash falls in its half, so no pair is split between them.
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
        let mut h = Fnv::default();
        h.write(code);
        h.finish() >> 63
    };
    let duplicates = |part: u64| -> Vec<(usize, u32)> {
        let mut seen: FastMap<[u8; 18], u32> = FastMap::default();
        seen.reserve(ds.rows.len() / 2 + 1);
        let mut found = Vec::new();
        for (k, r) in ds.rows.iter().enumerate() {
            if keep[k]
                && half_of(&r.uscc) == part
                && let Some(first) = seen.insert(r.uscc, ds.lines[k] as u32)
            {
                found.push((k, first));
            }
        }
        found
    };
    let (d0, d1) = std::thread::scope(|s| {
        let h = s.spawn(|| duplicates(1));
        (duplicates(0), h.join())
    });
    let d1 = d1.unwrap_or_else(|_| duplicates(1));
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
    ds.errors.sort_by_key(|e| e.line);
    Ok(ds)
}

/// Writes the results: header `uscc,city,scale,score,rank,group_size,class,reason`, ordered by city, scale,
/// rank (not rated last), uscc; score to six decimals.
pub fn write(ds: &Dataset, ev: &super::Evaluation, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Sort by a compact key: the city's place in name order, the scale, the rank (not rated last), the USCC.
    let mut by_name: Vec<u32> = (0..ds.cities.len() as u32).collect();
    by_name.sort_by(|a, b| ds.cities[*a as usize].cmp(&ds.cities[*b as usize]));
    let mut city_rank = vec![0u32; ds.cities.len()];
    for (pos, c) in by_name.iter().enumerate() {
        city_rank[*c as usize] = pos as u32;
    }
    // Everything a line needs travels with its sort key, so formatting reads memory in order (measured:
    // gathering rows in rank order while formatting costs more than this sort).
    struct Out {
        key: u64,
        uscc: [u8; 18],
        scale: Scale,
        class: Class,
        reason: super::Reason,
        city: u32,
        rank: u32,
        group_size: u32,
        score: f64,
    }
    let mut order: Vec<Out> = ds
        .rows
        .iter()
        .zip(&ev.ratings)
        .map(|(r, t)| {
            let rank = if t.rank == 0 { u32::MAX } else { t.rank };
            Out {
                key: (u64::from(city_rank[r.city as usize]) << 33) | ((r.scale as u64) << 32) | u64::from(rank),
                uscc: r.uscc,
                scale: r.scale,
                class: t.class,
                reason: t.reason,
                city: r.city,
                rank: t.rank,
                group_size: t.group_size,
                score: t.score,
            }
        })
        .collect();
    order.sort_unstable_by(|a, b| a.key.cmp(&b.key).then_with(|| a.uscc.cmp(&b.uscc)));
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    w.write_all(b"uscc,city,scale,score,rank,group_size,class,reason\n")?;
    // Lines are formatted on two threads, a block at a time, and written in order.
    let format = |rows: &[Out]| -> Vec<u8> {
        let mut line = Vec::with_capacity(rows.len() * 64);
        for o in rows {
            line.extend_from_slice(&o.uscc);
            line.push(b',');
            line.extend_from_slice(ds.cities[o.city as usize].as_bytes());
            line.push(b',');
            line.extend_from_slice(o.scale.as_str().as_bytes());
            line.push(b',');
            if o.class != Class::T {
                fixed6(o.score, &mut line);
                line.push(b',');
                push_u64(u64::from(o.rank), &mut line);
                line.push(b',');
                push_u64(u64::from(o.group_size), &mut line);
                line.push(b',');
            } else {
                line.extend_from_slice(b",,,");
            }
            line.extend_from_slice(o.class.as_str().as_bytes());
            line.push(b',');
            line.extend_from_slice(o.reason.as_str().as_bytes());
            line.push(b'\n');
        }
        line
    };
    for block in order.chunks(1 << 17) {
        let (a, b) = block.split_at(block.len() / 2);
        let (fa, fb) = std::thread::scope(|s| {
            let h = s.spawn(|| format(b));
            (format(a), h.join())
        });
        w.write_all(&fa)?;
        w.write_all(&fb.unwrap_or_else(|_| format(b)))?;
    }
    w.flush()
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

/// A non-negative score with six decimals, rounded half away from zero.
fn fixed6(v: f64, out: &mut Vec<u8>) {
    let micro = (v * 1e6).round() as u64;
    push_u64(micro / 1_000_000, out);
    out.push(b'.');
    let frac = micro % 1_000_000;
    let mut digits = [b'0'; 6];
    let mut f = frac;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (f % 10) as u8;
        f /= 10;
    }
    out.extend_from_slice(&digits);
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
    fn header_and_emptiness() {
        assert_eq!(read(b"").unwrap_err().line, 1);
        let e = read(b"uscc,name\n1,2\n").unwrap_err();
        assert!(e.en.contains("missing column"), "{}", e.en);
        let ds = read(HEADER.as_bytes()).unwrap();
        assert!(ds.rows.is_empty() && ds.errors.is_empty());
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
}
