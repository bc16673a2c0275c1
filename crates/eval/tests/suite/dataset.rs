//! Data sets built from a file or record by record evaluate alike, and the default scheme file gives
//! byte for byte the output of the built-in default on generated data spread over several blocks.

use jiqun_eval::permu::{Dataset, Record, Scale, Scheme, csv};

const HEADER: &str = "uscc,name,city,scale,founded_year,year,land_mu,tax_wan,revenue_wan,value_added_wan,rd_wan,energy_tce,emission_t,employees,electricity_mwh";
const CITIES: [&str; 5] = ["广州", "深圳", "珠海", "汕头", "佛山"];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Two decimals, as an input file would have them.
    fn money(&mut self, lo: u64, hi: u64) -> f64 {
        (lo * 100 + self.next() % ((hi - lo) * 100)) as f64 / 100.0
    }
}

fn code(k: usize) -> String {
    let mut c = format!("91440100{k:09}").into_bytes();
    c.push(jiqun_domain::uscc::check_character(&c).unwrap());
    String::from_utf8(c).unwrap()
}

/// `n` enterprises: some new, some below-scale on little land, some without emissions, a few ties.
/// USCC, city, scale, founding year, the nine figures.
type Row = (String, &'static str, Scale, i32, [Option<f64>; 9]);

fn generated(n: usize) -> Vec<Row> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|k| {
            let scale = if rng.next() % 10 < 7 { Scale::Above } else { Scale::Below };
            let founded = 1990 + (rng.next() % 35) as i32;
            let land = if scale == Scale::Above { rng.money(5, 300) } else { rng.money(1, 40) };
            let revenue = rng.money(100, 90_000);
            let mut f = [
                Some(land),
                Some(rng.money(1, 5_000)),
                Some(revenue),
                Some(rng.money(10, 30_000)),
                Some(rng.money(0, 3_000)),
                Some(rng.money(1, 4_000)),
                (!rng.next().is_multiple_of(20)).then(|| rng.money(0, 50)),
                Some((3 + rng.next() % 500) as f64),
                Some(rng.money(10, 20_000)),
            ];
            if k % 97 == 0 {
                f = [
                    Some(10.0),
                    Some(100.0),
                    Some(1000.0),
                    Some(300.0),
                    Some(30.0),
                    Some(100.0),
                    Some(1.0),
                    Some(50.0),
                    Some(200.0),
                ];
            }
            (code(k), CITIES[(rng.next() % 5) as usize], scale, founded, f)
        })
        .collect()
}

fn csv_text(rows: &[Row]) -> String {
    let mut text = format!("{HEADER}\n");
    for (uscc, city, scale, founded, f) in rows {
        let cells: Vec<String> = f.iter().map(|v| v.map(|x| format!("{x}")).unwrap_or_default()).collect();
        text.push_str(&format!("{uscc},某公司,{city},{},{founded},2024,{}\n", scale.as_str(), cells.join(",")));
    }
    text
}

fn output(ds: &Dataset, scheme: &Scheme) -> (Vec<u8>, Vec<u8>) {
    let ev = ds.evaluate(scheme).unwrap();
    let (mut out, mut details) = (Vec::new(), Vec::new());
    csv::write(ds, &ev, &mut out).unwrap();
    csv::write_details(ds, &ev, scheme, &mut details).unwrap();
    (out, details)
}

#[test]
fn default_file_file_and_records_agree() {
    let rows = generated(60_000);
    let text = csv_text(&rows);
    assert!(text.len() > 5 << 20, "more than one block");
    let ds = csv::read(text.as_bytes()).unwrap();
    assert!(ds.errors.is_empty(), "{:?}", &ds.errors[..ds.errors.len().min(3)]);
    assert_eq!(ds.rows.len(), rows.len());
    let builtin = output(&ds, &Scheme::default());
    let file = Scheme::from_json(include_str!("../../../../data/schemes/default.json")).unwrap();
    assert_eq!(output(&ds, &file), builtin, "default.json and Scheme::default() give the same bytes");
    // Each class occurs, and so does a shared rank.
    let out = String::from_utf8(builtin.0.clone()).unwrap();
    for c in [",A,", ",B,", ",C,", ",D,", ",T,新设企业", ",T,规下用地不足3亩"] {
        assert!(out.contains(c), "{c}");
    }
    // The same enterprises pushed one by one.
    let mut pushed = Dataset::new();
    for (uscc, city, scale, founded, f) in &rows {
        let mut r = Record::new(uscc, city, *scale, *founded, 2024, f[0].unwrap(), f[1].unwrap());
        [r.revenue_wan, r.value_added_wan, r.rd_wan, r.energy_tce, r.emission_t, r.employees, r.electricity_mwh] =
            [f[2], f[3], f[4], f[5], f[6], f[7], f[8]];
        pushed.push(&r).unwrap();
    }
    // (NaN, an empty figure, is not equal to itself: compare as text.)
    assert!(pushed.rows.iter().zip(&ds.rows).all(|(a, b)| format!("{a:?}") == format!("{b:?}")));
    assert_eq!(output(&pushed, &Scheme::default()), builtin);
    let huangyan = Scheme::builtin("huangyan-2022").unwrap();
    assert_eq!(output(&pushed, &huangyan), output(&ds, &huangyan));
}

#[test]
fn push_checks_each_record() {
    let mut ds = Dataset::new();
    let ok = Record::new("91440300708461136T", "深圳", Scale::Above, 2010, 2024, 10.0, 100.0);
    ds.push(&ok).unwrap();
    let e = ds.push(&ok).unwrap_err();
    assert_eq!((e.line, e.column.as_str()), (2, "uscc"));
    assert!(e.zh.contains("与第 1 条重复"), "{}", e.zh);
    let bad = Record::new("91440300708461136U", "深圳", Scale::Above, 2010, 2024, 10.0, 100.0);
    assert!(ds.push(&bad).unwrap_err().en.contains("check character"));
    let mut r = Record::new("9144030071526726XG", "深圳", Scale::Above, 2010, 2024, 0.0, 100.0);
    assert_eq!(ds.push(&r).unwrap_err().column, "land_mu");
    r.land_mu = 5.0;
    r.emission_t = Some(-1.0);
    assert_eq!(ds.push(&r).unwrap_err().column, "emission_t");
    r.emission_t = Some(f64::NAN);
    assert_eq!(ds.push(&r).unwrap_err().column, "emission_t");
    r.emission_t = None;
    r.year = 2023;
    assert_eq!(ds.push(&r).unwrap_err().column, "year");
    r.year = 2024;
    r.county = Some("南山区");
    ds.push(&r).unwrap();
    assert_eq!(ds.rows.len(), 2);
    assert!(ds.columns.county && !ds.columns.industry);
    assert_eq!(ds.counties[ds.rows[1].county as usize], "南山区");
    let ev = ds.evaluate(&Scheme::default()).unwrap();
    assert_eq!(ev.ratings.len(), 2);
}
