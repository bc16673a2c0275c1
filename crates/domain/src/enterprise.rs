//! What the enterprise registry records of a firm each year: the catalogue of figures, with units. The
//! first nine are the per-mu evaluation's inputs (contracts §4, same names as its CSV columns); the rest
//! feed the cultivation libraries.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub unit_zh: &'static str,
    pub unit_en: &'static str,
    /// A ratio in percent (may not exceed 100).
    pub percent: bool,
}

const fn m(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    unit_zh: &'static str,
    unit_en: &'static str,
) -> Metric {
    Metric { key, zh, en, unit_zh, unit_en, percent: false }
}

pub const METRICS: &[Metric] = &[
    m("land_mu", "用地面积", "land", "亩", "mu"),
    m("tax_wan", "税收", "tax", "万元", "10k yuan"),
    m("revenue_wan", "营业收入", "revenue", "万元", "10k yuan"),
    m("value_added_wan", "工业增加值", "value added", "万元", "10k yuan"),
    m("rd_wan", "研发投入", "R&D spending", "万元", "10k yuan"),
    m("energy_tce", "综合能耗", "energy use", "吨标准煤", "tce"),
    m("emission_t", "主要污染物排放量", "emissions", "吨", "t"),
    m("employees", "年平均职工人数", "employees", "人", "persons"),
    m("electricity_mwh", "用电量", "electricity", "兆瓦时", "MWh"),
    m("main_revenue_wan", "主营业务收入", "main-business revenue", "万元", "10k yuan"),
    m("patents", "有效发明专利", "invention patents in force", "件", "items"),
    m("valuation_usd_m", "最近一轮估值", "latest valuation", "百万美元", "US$ million"),
    Metric { percent: true, ..m("debt_ratio", "资产负债率", "debt ratio", "%", "%") },
    m("equity_financing_wan", "近两年股权融资", "equity raised in two years", "万元", "10k yuan"),
];

pub fn metric(key: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.key == key)
}

/// The evaluation's nine inputs, in the order of `jiqun_eval::permu::Enterprise::figures`.
pub const EVALUATION_INPUTS: [&str; 9] = [
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

/// A GB/T 4754-2017 industry code as registries write it: a section letter (A–T) optionally followed
/// by two to four digits (`C39`, `C3971`), or the digits alone (`3971`).
pub fn valid_industry_code(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = match b.first() {
        Some(c) if (b'A'..=b'T').contains(c) => &b[1..],
        Some(_) => b,
        None => return false,
    };
    (digits.is_empty() && b.len() == 1) || ((2..=4).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_codes() {
        for ok in ["C", "C39", "C3971", "3971", "I65"] {
            assert!(valid_industry_code(ok), "{ok}");
        }
        for bad in ["", "Z39", "C3", "C39711", "c39", "39x"] {
            assert!(!valid_industry_code(bad), "{bad}");
        }
    }

    #[test]
    fn evaluation_inputs_are_metrics() {
        for k in EVALUATION_INPUTS {
            assert!(metric(k).is_some(), "{k}");
        }
    }
}
