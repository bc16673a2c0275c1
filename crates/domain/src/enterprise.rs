//! What the enterprise registry records of a firm each year: the catalogue of figures, with units. The
//! first nine are the per-mu evaluation's inputs (contracts §4, same names as its CSV columns); water feeds
//! the differentiated resource policy; the rest (`library`) feed the cultivation libraries, mapped to the
//! libraries' figure names by the app layer (`jiqun_app::cultivation`).

crate::labelled_enum! {
    /// 规上 / 规下: whether a firm is above the statistical size threshold (规模以上工业企业). The strings are
    /// the per-mu evaluation's (contracts §4) and the registry's.
    pub enum Scale {
        Above = "above", "规上", "above scale";
        Below = "below", "规下", "below scale";
    }
}

impl Scale {
    /// The scale a CSV field names exactly (no spaces): the per-mu engine's reader, which works on bytes.
    pub fn from_bytes(b: &[u8]) -> Option<Scale> {
        Scale::ALL.into_iter().find(|s| s.as_str().as_bytes() == b)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub unit_zh: &'static str,
    pub unit_en: &'static str,
    /// A ratio in percent (may not exceed 100).
    pub percent: bool,
    /// May be negative (a growth rate, a margin).
    pub signed: bool,
    /// A yes/no condition, stored as 1 (yes) or 0 (no).
    pub flag: bool,
    /// Used by the cultivation libraries (shown in a firm's library profile).
    pub library: bool,
}

const fn m(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    unit_zh: &'static str,
    unit_en: &'static str,
) -> Metric {
    Metric { key, zh, en, unit_zh, unit_en, percent: false, signed: false, flag: false, library: false }
}

/// A figure the cultivation libraries use.
const fn lib(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    unit_zh: &'static str,
    unit_en: &'static str,
) -> Metric {
    Metric { library: true, ..m(key, zh, en, unit_zh, unit_en) }
}

/// A yes/no condition of the cultivation libraries (1 yes, 0 no).
const fn flag(key: &'static str, zh: &'static str, en: &'static str) -> Metric {
    Metric { flag: true, ..lib(key, zh, en, "是/否", "yes/no") }
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
    m("water_m3", "用水量", "water use", "立方米", "m³"),
    lib("main_revenue_wan", "主营业务收入", "main-business revenue", "万元", "10k yuan"),
    lib("patents", "有效发明专利", "invention patents in force", "件", "items"),
    lib("valuation_usd_m", "最近一轮估值", "latest valuation", "百万美元", "US$ million"),
    Metric { percent: true, ..lib("debt_ratio", "资产负债率", "debt ratio", "%", "%") },
    lib("equity_financing_wan", "近两年股权融资", "equity raised in two years", "万元", "10k yuan"),
    lib("years_in_niche", "从事特定细分市场年限", "years in the niche market", "年", "years"),
    lib("years_in_field", "从事相关领域年限", "years in the field", "年", "years"),
    Metric {
        signed: true,
        ..lib("main_growth_2y", "近2年主营业务收入平均增长率", "main-business growth, 2-year average", "%", "%")
    },
    Metric {
        percent: true,
        ..lib("rd_staff_share", "研发人员占职工总数比重", "R&D staff share of employees", "%", "%")
    },
    lib("ipr_class1", "Ⅰ类知识产权", "class-I IP items", "件", "items"),
    Metric {
        percent: true, ..lib("niche_share", "国内细分市场占有率", "national niche-market share", "%", "%")
    },
    lib("sme_score", "专精特新中小企业评价得分", "specialised-SME evaluation score", "分", "points"),
    lib("global_rank", "主导产品全球市场占有率排名", "global market-share rank of the main product", "位", "place"),
    Metric { signed: true, ..lib("net_margin", "净利润率", "net profit margin", "%", "%") },
    Metric {
        signed: true, ..lib("industry_net_margin", "行业平均净利润率", "industry average net margin", "%", "%")
    },
    lib("ai_revenue_wan", "人工智能相关业务收入", "AI-related revenue", "万元", "10k yuan"),
    flag("has_it_system", "核心业务采用信息系统支撑", "core business run on an IT system"),
    flag(
        "has_certification",
        "取得管理体系或发达国家产品认证",
        "management-system or developed-country product certification",
    ),
    flag("own_brand", "拥有自主品牌", "own brand"),
    flag("has_rd_institution", "建有研发机构", "has an R&D institution"),
    flag("sci_award_3y", "近3年获省级以上科技奖", "provincial or national sci-tech award within 3 years"),
    flag("chuangke_top500_3y", "近3年进入“创客中国”500强", "'Maker China' top 500 within 3 years"),
    flag("clean_record_3y", "近3年无重大事故和违法记录", "no major incident in 3 years"),
    flag("energy_advanced", "单位产品能耗达到先进值", "energy use per unit at the advanced value"),
    flag("new_product", "主导产品属新产品", "the main product is new"),
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
    fn scales_parse_from_their_strings_only() {
        assert_eq!(Scale::parse(" above "), Some(Scale::Above));
        assert_eq!(Scale::parse("below"), Some(Scale::Below));
        assert_eq!(Scale::parse("规上"), None);
        assert_eq!(Scale::parse(""), None);
        assert_eq!(Scale::from_bytes(b"below"), Some(Scale::Below));
        assert_eq!(Scale::from_bytes(b" below"), None);
        assert_eq!(Scale::Below.label(crate::Lang::Zh), "规下");
        assert_eq!(serde_json::to_string(&Scale::Above).unwrap(), "\"above\"");
        assert!(serde_json::from_str::<Scale>("\"medium\"").is_err());
    }

    #[test]
    fn evaluation_inputs_are_metrics() {
        for k in EVALUATION_INPUTS {
            assert!(metric(k).is_some(), "{k}");
        }
    }
}
