//! The region model: a province's prefecture-level cities with their administrative codes (GB/T 2260) and
//! the regions the province groups them in, plus partner territories (Hong Kong and Macao for Guangdong).

use crate::tsv;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct City {
    /// The short name used in plans: `广州`.
    pub name: String,
    /// `广州市`.
    pub full_name: String,
    /// Administrative division code, `440100`.
    pub code: String,
    /// The region's name: `珠三角`, `粤东`, `粤西`, `粤北`, or `港澳` for partners.
    pub region: String,
}

impl City {
    /// Hong Kong and Macao: partners named in plans, not cities the province administers.
    pub fn is_partner(&self) -> bool {
        self.region == "港澳"
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub cities: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RegionModel {
    pub province: String,
    pub cities: Vec<City>,
}

const GUANGDONG: &str = include_str!("../../../data/registry/guangdong-cities.tsv");

impl RegionModel {
    /// Guangdong's 21 cities, four regions and the two partner SARs.
    pub fn guangdong() -> RegionModel {
        // The file is part of the build and checked by a test, so a parse failure is a build defect.
        RegionModel::parse(GUANGDONG).unwrap_or_else(|e| panic!("built-in city table: {e}"))
    }

    /// Reads a city table (see `data/registry/guangdong-cities.tsv` for the format).
    pub fn parse(text: &str) -> Result<RegionModel, crate::TableError> {
        let table = tsv::parse(text);
        let province = table.setting("province").unwrap_or("").to_string();
        let mut cities = Vec::new();
        for row in &table.rows {
            if row.cols.len() < 4 || row.cols[..4].iter().any(|c| c.is_empty()) {
                return Err(crate::TableError::at(
                    row.line,
                    "应有 4 列：简称、全称、区划代码、区域",
                    "expected 4 columns: name, full_name, code, region",
                ));
            }
            if !(row.cols[2].len() == 6 && row.cols[2].bytes().all(|b| b.is_ascii_digit())) {
                return Err(crate::TableError::at(
                    row.line,
                    format!("区划代码“{}”不是 6 位数字", row.cols[2]),
                    format!("code `{}` is not a 6-digit division code", row.cols[2]),
                ));
            }
            cities.push(City {
                name: row.cols[0].to_string(),
                full_name: row.cols[1].to_string(),
                code: row.cols[2].to_string(),
                region: row.cols[3].to_string(),
            });
        }
        Ok(RegionModel { province, cities })
    }

    pub fn city(&self, name: &str) -> Option<&City> {
        self.cities.iter().find(|c| c.name == name || c.full_name == name || c.code == name)
    }

    /// The province's own cities (partners excluded).
    pub fn prefecture_cities(&self) -> impl Iterator<Item = &City> {
        self.cities.iter().filter(|c| !c.is_partner())
    }

    /// The regions in the order the table first names them.
    pub fn regions(&self) -> Vec<Region> {
        let mut out: Vec<Region> = Vec::new();
        for c in &self.cities {
            match out.iter_mut().find(|r| r.name == c.region) {
                Some(r) => r.cities.push(c.name.clone()),
                None => out.push(Region { name: c.region.clone(), cities: vec![c.name.clone()] }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guangdong_has_21_cities_in_four_regions() {
        let m = RegionModel::guangdong();
        assert_eq!(m.province, "广东");
        assert_eq!(m.prefecture_cities().count(), 21);
        let regions = m.regions();
        let sizes: Vec<(&str, usize)> = regions.iter().map(|r| (r.name.as_str(), r.cities.len())).collect();
        assert_eq!(sizes, vec![("珠三角", 9), ("粤东", 4), ("粤西", 3), ("粤北", 5), ("港澳", 2)]);
        assert_eq!(m.city("深圳").map(|c| c.code.as_str()), Some("440300"));
        assert_eq!(m.city("441900").map(|c| c.name.as_str()), Some("东莞"));
        let mut codes: Vec<&str> = m.cities.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 23, "codes are unique");
    }

    #[test]
    fn bad_tables_are_refused_with_the_line() {
        let err = RegionModel::parse("# x\n广州\t广州市\t4401\t珠三角\n").unwrap_err();
        assert!(err.en.starts_with("line 2:"), "{err}");
        assert_eq!(err.zh, "第 2 行：区划代码“4401”不是 6 位数字");
        assert!(RegionModel::parse("广州\t广州市\n").is_err());
    }
}
