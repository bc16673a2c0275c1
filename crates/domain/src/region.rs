//! The region model: a province's prefecture-level cities with their administrative codes (GB/T 2260) and
//! the regions the province groups them in, plus partner territories (Hong Kong and Macao for Guangdong).

use crate::tsv;

crate::labelled_enum! {
    /// One of Guangdong's 21 prefecture-level cities (地级以上市), the cities a firm, a city bureau or a
    /// project belongs to. The string is the short name plans and the database use (`广州`); the division
    /// code and region are the region model's (`division`, `region`). Hong Kong and Macao are partners named
    /// in plans, not cities of the province, and are not among them. The list follows the city table, as a
    /// test checks.
    pub enum CityCode {
        Guangzhou = "广州", "广州", "Guangzhou";
        Shenzhen = "深圳", "深圳", "Shenzhen";
        Zhuhai = "珠海", "珠海", "Zhuhai";
        Foshan = "佛山", "佛山", "Foshan";
        Huizhou = "惠州", "惠州", "Huizhou";
        Dongguan = "东莞", "东莞", "Dongguan";
        Zhongshan = "中山", "中山", "Zhongshan";
        Jiangmen = "江门", "江门", "Jiangmen";
        Zhaoqing = "肇庆", "肇庆", "Zhaoqing";
        Shantou = "汕头", "汕头", "Shantou";
        Shanwei = "汕尾", "汕尾", "Shanwei";
        Chaozhou = "潮州", "潮州", "Chaozhou";
        Jieyang = "揭阳", "揭阳", "Jieyang";
        Zhanjiang = "湛江", "湛江", "Zhanjiang";
        Maoming = "茂名", "茂名", "Maoming";
        Yangjiang = "阳江", "阳江", "Yangjiang";
        Shaoguan = "韶关", "韶关", "Shaoguan";
        Heyuan = "河源", "河源", "Heyuan";
        Meizhou = "梅州", "梅州", "Meizhou";
        Qingyuan = "清远", "清远", "Qingyuan";
        Yunfu = "云浮", "云浮", "Yunfu";
    }
}

crate::reads_as_str!(CityCode);

/// A name that is not one of the province's cities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CityError(pub String);

impl CityError {
    pub fn message(&self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Zh => format!("“{}”不是本省地级以上市", self.0),
            crate::Lang::En => format!("“{}” is not a city of the province", self.0),
        }
    }
}

impl CityCode {
    /// Reads a city as people write it: the short name (`广州`), the full name (`广州市`) or the division
    /// code (`440100`). Hong Kong, Macao and anything else are refused.
    pub fn from_name(s: &str) -> Result<CityCode, CityError> {
        let s = s.trim();
        builtin()
            .city(s)
            .or_else(|| builtin().city(s.trim_end_matches('市')))
            .and_then(|c| CityCode::parse(&c.name))
            .ok_or_else(|| CityError(s.to_string()))
    }

    /// The entry of the region model: full name, division code, region.
    pub fn city(self) -> &'static City {
        // Every value names a row of the built-in table (tested), so the lookup cannot fail.
        builtin().city(self.as_str()).unwrap_or_else(|| unreachable!("city table lacks {}", self.as_str()))
    }

    /// The administrative division code (GB/T 2260): `440100` for 广州.
    pub fn division(self) -> &'static str {
        &self.city().code
    }
}

/// The built-in model, read once.
fn builtin() -> &'static RegionModel {
    static MODEL: std::sync::OnceLock<RegionModel> = std::sync::OnceLock::new();
    MODEL.get_or_init(RegionModel::guangdong)
}

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
    fn the_city_type_is_the_tables_prefecture_cities() {
        let m = RegionModel::guangdong();
        let names: Vec<&str> = m.prefecture_cities().map(|c| c.name.as_str()).collect();
        let typed: Vec<&str> = CityCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(typed, names);
        assert_eq!(CityCode::from_name(" 深圳市 "), Ok(CityCode::Shenzhen));
        assert_eq!(CityCode::from_name("441900"), Ok(CityCode::Dongguan));
        assert_eq!(CityCode::Dongguan.division(), "441900");
        assert_eq!(CityCode::Guangzhou.city().region, "珠三角");
        assert_eq!(CityCode::Guangzhou.label(crate::Lang::En), "Guangzhou");
        for bad in ["香港", "810000", "", "广州省", "Guangzhou"] {
            assert!(CityCode::from_name(bad).is_err(), "{bad}");
        }
        assert_eq!(CityCode::from_name("香港").unwrap_err().message(crate::Lang::Zh), "“香港”不是本省地级以上市");
        assert_eq!(CityCode::parse("广州市"), None, "the stored form is the short name");
        assert_eq!(serde_json::to_string(&CityCode::Foshan).unwrap(), "\"佛山\"");
    }

    #[test]
    fn bad_tables_are_refused_with_the_line() {
        let err = RegionModel::parse("# x\n广州\t广州市\t4401\t珠三角\n").unwrap_err();
        assert!(err.en.starts_with("line 2:"), "{err}");
        assert_eq!(err.zh, "第 2 行：区划代码“4401”不是 6 位数字");
        assert!(RegionModel::parse("广州\t广州市\n").is_err());
    }
}
