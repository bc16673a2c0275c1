//! A data set to evaluate: the enterprises of one evaluation year and the tables of names their small
//! integers point into. Built by the CSV reader, or record by record with `Dataset::push` by code that
//! holds enterprises elsewhere.

use jiqun_domain::Lang;

use super::csv::RowError;
use super::{Enterprise, Evaluation, FIGURES, FastMap, Field, Scale, Scheme};

/// Which optional columns the data has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns {
    pub county: bool,
    pub industry: bool,
    pub tenants: bool,
}

#[derive(Debug, Default)]
pub struct Dataset {
    pub rows: Vec<Enterprise>,
    /// Line number of each row (for `push`, the record's number, from 1).
    pub lines: Vec<usize>,
    pub cities: Vec<String>,
    /// Empty when the data has no county column; else `""` may be among them (an empty cell).
    pub counties: Vec<String>,
    /// GB/T 4754 codes, as written.
    pub industries: Vec<String>,
    pub columns: Columns,
    /// Rows left out and why (from the reader; `push` returns its error instead).
    pub errors: Vec<RowError>,
    /// For `push`: the names' ids, the USCCs seen, how many records came.
    index: Option<Box<PushIndex>>,
}

#[derive(Debug, Default)]
struct PushIndex {
    cities: FastMap<String, u32>,
    counties: FastMap<String, u32>,
    industries: FastMap<String, u32>,
    seen: FastMap<[u8; 18], usize>,
    records: usize,
}

/// One enterprise's figures as plain values, for `Dataset::push`. Money in 万元, land in 亩, energy in
/// tce, emission in t, electricity in MWh; None is an empty cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    pub uscc: &'a str,
    pub city: &'a str,
    pub county: Option<&'a str>,
    /// GB/T 4754 code.
    pub industry: Option<&'a str>,
    pub scale: Scale,
    pub founded_year: i32,
    pub year: i32,
    pub land_mu: f64,
    pub tax_wan: f64,
    pub revenue_wan: Option<f64>,
    pub value_added_wan: Option<f64>,
    pub rd_wan: Option<f64>,
    pub energy_tce: Option<f64>,
    pub emission_t: Option<f64>,
    pub employees: Option<f64>,
    pub electricity_mwh: Option<f64>,
    pub tenants: Option<f64>,
}

impl<'a> Record<'a> {
    /// The required fields; the optional ones start empty.
    pub fn new(
        uscc: &'a str,
        city: &'a str,
        scale: Scale,
        founded_year: i32,
        year: i32,
        land_mu: f64,
        tax_wan: f64,
    ) -> Record<'a> {
        Record {
            uscc,
            city,
            county: None,
            industry: None,
            scale,
            founded_year,
            year,
            land_mu,
            tax_wan,
            revenue_wan: None,
            value_added_wan: None,
            rd_wan: None,
            energy_tce: None,
            emission_t: None,
            employees: None,
            electricity_mwh: None,
            tenants: None,
        }
    }
}

fn intern(map: &mut FastMap<String, u32>, table: &mut Vec<String>, name: &str) -> u32 {
    if let Some(&id) = map.get(name) {
        return id;
    }
    let id = table.len() as u32;
    table.push(name.to_string());
    map.insert(name.to_string(), id);
    id
}

impl Dataset {
    pub fn new() -> Dataset {
        Dataset::default()
    }

    /// Adds one enterprise after the same checks as a CSV row (USCC check character, numbers not
    /// negative and finite, land not 0, years, one evaluation year, no USCC twice). The error's line is the
    /// record's number, from 1.
    pub fn push(&mut self, r: &Record<'_>) -> Result<(), RowError> {
        let ix = self.index.get_or_insert_with(|| {
            let mut ix = PushIndex::default();
            // Rows read from a file first: their names and codes count too.
            for (k, c) in self.cities.iter().enumerate() {
                ix.cities.insert(c.clone(), k as u32);
            }
            for (k, c) in self.counties.iter().enumerate() {
                ix.counties.insert(c.clone(), k as u32);
            }
            for (k, c) in self.industries.iter().enumerate() {
                ix.industries.insert(c.clone(), k as u32);
            }
            for (row, line) in self.rows.iter().zip(&self.lines) {
                ix.seen.insert(row.uscc, *line);
            }
            ix.records = self.lines.iter().copied().max().unwrap_or(0);
            Box::new(ix)
        });
        ix.records += 1;
        let line = ix.records;
        let fail = |column: &str, zh: String, en: String| RowError { line, column: column.to_string(), zh, en };
        if let Err(e) = jiqun_domain::uscc::validate(r.uscc.as_bytes()) {
            return Err(fail("uscc", e.message(Lang::Zh), e.message(Lang::En)));
        }
        let mut uscc = [0u8; 18];
        uscc.copy_from_slice(r.uscc.as_bytes());
        if let Some(first) = ix.seen.get(&uscc) {
            return Err(fail(
                "uscc",
                format!("{} 与第 {first} 条重复", r.uscc),
                format!("{} repeats record {first}", r.uscc),
            ));
        }
        if r.city.trim().is_empty() {
            return Err(fail("city", "“city”不能为空".into(), "“city” is required".into()));
        }
        for (column, y) in [("founded_year", r.founded_year), ("year", r.year)] {
            if !(1800..=2200).contains(&y) {
                return Err(fail(column, format!("“{y}”不是有效年份"), format!("“{y}” is not a year")));
            }
        }
        if let Some(first) = self.rows.first()
            && first.year != r.year
        {
            let y = first.year;
            return Err(fail(
                "year",
                format!("评价年度应与首行一致（{y}）"),
                format!("all rows must be of the first row's year ({y})"),
            ));
        }
        let values: [(Field, Option<f64>); FIGURES] = [
            (Field::Land, Some(r.land_mu)),
            (Field::Tax, Some(r.tax_wan)),
            (Field::Revenue, r.revenue_wan),
            (Field::ValueAdded, r.value_added_wan),
            (Field::Rd, r.rd_wan),
            (Field::Energy, r.energy_tce),
            (Field::Emission, r.emission_t),
            (Field::Employees, r.employees),
            (Field::Electricity, r.electricity_mwh),
            (Field::Tenants, r.tenants),
        ];
        let mut figures = super::Figures::EMPTY;
        for (f, v) in values {
            let Some(v) = v else { continue };
            if !v.is_finite() {
                return Err(fail(f.column(), "不是数字".into(), "is not a number".into()));
            }
            if v < 0.0 {
                return Err(fail(f.column(), "不能为负数".into(), "cannot be negative".into()));
            }
            figures.set(f.index(), v);
        }
        if figures.get(0) == 0.0 {
            return Err(fail("land_mu", "用地面积不能为 0".into(), "land_mu cannot be 0".into()));
        }
        let city = intern(&mut ix.cities, &mut self.cities, r.city.trim());
        let county = match r.county {
            Some(c) => {
                self.columns.county = true;
                intern(&mut ix.counties, &mut self.counties, c.trim())
            }
            None => 0,
        };
        let industry = match r.industry {
            Some(c) => {
                self.columns.industry = true;
                intern(&mut ix.industries, &mut self.industries, c.trim())
            }
            None => 0,
        };
        if r.tenants.is_some() {
            self.columns.tenants = true;
        }
        ix.seen.insert(uscc, line);
        self.rows.push(Enterprise {
            uscc,
            scale: r.scale,
            city,
            county,
            industry,
            founded_year: r.founded_year,
            year: r.year,
            figures,
        });
        self.lines.push(line);
        Ok(())
    }

    /// Whether the data has what the scheme reads: its optional columns, and a county (industry) for every
    /// row when the scheme groups by it. The error names the column, and the line where there is one.
    pub fn check(&self, scheme: &Scheme) -> Result<(), RowError> {
        let needs = scheme.needs();
        for (need, has, column, zh_what) in [
            (needs.county, self.columns.county, "county", "县（市、区）"),
            (needs.industry, self.columns.industry, "industry", "行业代码"),
            (needs.tenants, self.columns.tenants, "tenants", "出租户数"),
        ] {
            if need && !has {
                return Err(RowError {
                    line: 0,
                    column: column.to_string(),
                    zh: format!("评价方案“{}”需要{zh_what}，数据缺少列“{column}”", scheme.id),
                    en: format!("the scheme “{}” needs the column “{column}”, which the data lacks", scheme.id),
                });
            }
        }
        for (needed, table, column, of) in [
            (needs.county, &self.counties, "county", (|e: &Enterprise| e.county) as fn(&Enterprise) -> u32),
            (scheme.groups_by(super::GroupKey::Industry), &self.industries, "industry", |e: &Enterprise| e.industry),
        ] {
            if !needed {
                continue;
            }
            let blank: Vec<bool> = table.iter().map(|s| s.trim().is_empty()).collect();
            if let Some(k) = self.rows.iter().position(|e| blank.get(of(e) as usize).copied().unwrap_or(true)) {
                return Err(RowError {
                    line: self.lines.get(k).copied().unwrap_or(0),
                    column: column.to_string(),
                    zh: format!("评价方案按“{column}”分组，此项不能为空"),
                    en: format!("the scheme groups by “{column}”, so it cannot be empty"),
                });
            }
        }
        Ok(())
    }

    /// Checks the data against the scheme (`check`) and evaluates it, industry-code rules included.
    pub fn evaluate(&self, scheme: &Scheme) -> Result<Evaluation, RowError> {
        self.check(scheme)?;
        Ok(super::evaluate_in(&self.rows, &self.industries, scheme))
    }
}
