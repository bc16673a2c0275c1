//! The named figures a library's criteria and rankings may use. A definition naming a figure outside this
//! table is refused, so a typo cannot silently make a check "no data" for everyone. Money is in 万元,
//! shares and rates in percent, as the published criteria state them.

use super::{Figure, Profile};
use crate::definition::{Text, fmt_num, tidy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Bool,
}

/// How a figure is computed from two others when the profile does not give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    /// a ÷ b × 100 (b must not be 0).
    Percent(&'static str, &'static str),
    Sum(&'static str, &'static str),
    Mean(&'static str, &'static str),
    /// a − b.
    Difference(&'static str, &'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureInfo {
    pub name: &'static str,
    pub kind: Kind,
    pub zh: &'static str,
    pub en: &'static str,
    /// Unit in Chinese and English ("" for booleans).
    pub unit_zh: &'static str,
    pub unit_en: &'static str,
    pub derive: Option<Derive>,
}

const fn num(name: &'static str, zh: &'static str, en: &'static str, unit: (&'static str, &'static str)) -> FigureInfo {
    FigureInfo { name, kind: Kind::Number, zh, en, unit_zh: unit.0, unit_en: unit.1, derive: None }
}

const fn flag(name: &'static str, zh: &'static str, en: &'static str) -> FigureInfo {
    FigureInfo { name, kind: Kind::Bool, zh, en, unit_zh: "", unit_en: "", derive: None }
}

const fn derived(
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: (&'static str, &'static str),
    d: Derive,
) -> FigureInfo {
    FigureInfo { name, kind: Kind::Number, zh, en, unit_zh: unit.0, unit_en: unit.1, derive: Some(d) }
}

const WAN: (&str, &str) = ("万元", "×10,000 yuan");
const PCT: (&str, &str) = ("%", "%");
const YEARS: (&str, &str) = ("年", "years");
const ITEMS: (&str, &str) = ("件", "items");

/// Every figure Jiqun knows. Derived figures use only plain ones, so a derivation is one step.
pub const FIGURES: &[FigureInfo] = &[
    num("year", "数据年度", "data year", ("", "")),
    num("founded_year", "成立年份", "year founded", ("", "")),
    derived(
        "years_since_founded",
        "成立年限",
        "years since founding",
        YEARS,
        Derive::Difference("year", "founded_year"),
    ),
    num("revenue", "上年度营业收入", "revenue, last year", WAN),
    num("revenue_prev", "前一年度营业收入", "revenue, the year before", WAN),
    num("revenue_growth", "营业收入增长率", "revenue growth", PCT),
    num("main_business_revenue", "上年度主营业务收入", "main-business revenue, last year", WAN),
    derived(
        "main_business_share",
        "主营业务收入占营业收入比重",
        "main business as a share of revenue",
        PCT,
        Derive::Percent("main_business_revenue", "revenue"),
    ),
    num("main_business_growth_2y", "近2年主营业务收入平均增长率", "main-business revenue growth, 2-year average", PCT),
    num("years_in_niche", "从事特定细分市场年限", "years in the niche market", YEARS),
    num("years_in_field", "从事相关领域年限", "years in the field", YEARS),
    flag("new_product", "属新产品（适用较短年限）", "a new product (shorter track record allowed)"),
    num("debt_ratio", "资产负债率", "asset-liability ratio", PCT),
    num("rd", "上年度研发费用", "R&D expense, last year", WAN),
    num("rd_prev", "前一年度研发费用", "R&D expense, the year before", WAN),
    derived(
        "rd_intensity",
        "上年度研发费用占营业收入比重",
        "R&D intensity, last year",
        PCT,
        Derive::Percent("rd", "revenue"),
    ),
    derived(
        "rd_intensity_prev",
        "前一年度研发费用占营业收入比重",
        "R&D intensity, the year before",
        PCT,
        Derive::Percent("rd_prev", "revenue_prev"),
    ),
    derived("rd_total_2y", "近2年研发费用总额", "R&D expense, 2-year total", WAN, Derive::Sum("rd", "rd_prev")),
    derived("rd_avg_2y", "近2年研发费用平均", "R&D expense, 2-year average", WAN, Derive::Mean("rd", "rd_prev")),
    num("rd_staff_share", "研发人员占职工总数比重", "R&D staff as a share of employees", PCT),
    num("equity_financing_2y", "近2年新增股权融资总额", "new equity financing, last 2 years", WAN),
    flag("has_it_system", "至少一项核心业务采用信息系统支撑", "at least one core business run on an IT system"),
    flag(
        "has_certification",
        "取得管理体系认证或发达国家产品认证",
        "management-system certification or product certification in a developed country",
    ),
    num("niche_market_share", "国内细分市场占有率", "national niche-market share", PCT),
    flag("own_brand", "拥有自主品牌", "has its own brand"),
    flag("has_rd_institution", "自建或与高校、科研机构联合建立研发机构", "own or joint R&D institution"),
    num("ipr_class1", "与主导产品相关的Ⅰ类知识产权", "class-I IP items tied to the main product", ITEMS),
    num("invention_patents", "有效发明专利", "valid invention patents", ITEMS),
    num("sme_score", "专精特新中小企业评价得分", "specialised-SME evaluation score", ("分", "points")),
    flag(
        "sci_award_3y",
        "近3年获省级科技奖（前三名）或国家级科技奖（前五名）",
        "provincial sci-tech award (top 3) or national award (top 5) within 3 years",
    ),
    flag("chuangke_top500_3y", "近3年进入“创客中国”全国500强", "national top 500 of 'Maker China' within 3 years"),
    num(
        "global_market_share_rank",
        "主导产品全球市场占有率排名",
        "global market-share rank of the main product",
        ("位", ""),
    ),
    num("net_margin", "净利润率", "net profit margin", PCT),
    num("industry_net_margin", "行业平均净利润率", "industry average net profit margin", PCT),
    derived(
        "net_margin_gap",
        "净利润率高于行业平均",
        "net margin above the industry average",
        ("个百分点", "percentage points"),
        Derive::Difference("net_margin", "industry_net_margin"),
    ),
    flag(
        "clean_record_3y",
        "近3年无重大安全、质量、环境事故和违法记录",
        "no major safety, quality or environmental incident in 3 years",
    ),
    flag(
        "energy_advanced",
        "单位产品能耗达到能耗限额标准先进值",
        "energy use per unit at the advanced value of the limit standard",
    ),
    num("valuation_usd", "最新估值", "latest valuation", ("亿美元", "×100 million USD")),
    flag("listed", "已上市", "listed"),
    num("ai_revenue", "人工智能相关业务收入", "AI-related revenue", WAN),
];

pub fn info(name: &str) -> Option<&'static FigureInfo> {
    FIGURES.iter().find(|f| f.name == name)
}

impl FigureInfo {
    pub fn label(&self) -> Text {
        Text::new(self.zh, self.en)
    }

    /// `82%`, `8200万元` / `8200 ×10,000 yuan`.
    pub fn show(&self, v: f64) -> Text {
        let n = fmt_num(v);
        let en = match self.unit_en {
            "" => n.clone(),
            "%" => format!("{n}%"),
            u => format!("{n} {u}"),
        };
        Text::new(format!("{n}{}", self.unit_zh), en)
    }
}

/// A figure's value in a profile, how it was obtained, or why there is none.
pub struct Lookup {
    pub value: Option<Figure>,
    /// For a derived figure: the computation, shown in the explanation.
    pub how: Option<Text>,
    /// Why there is no value.
    pub missing: Option<Text>,
}

fn missing(zh: String, en: String) -> Lookup {
    Lookup { value: None, how: None, missing: Some(Text::new(zh, en)) }
}

/// The plain value of a figure in the profile, checked for its kind.
fn plain(p: &Profile, f: &FigureInfo) -> Lookup {
    match (p.figures.get(f.name), f.kind) {
        (None, _) => missing("未填报".into(), "not reported".into()),
        (Some(Figure::Number(v)), Kind::Number) if v.is_finite() => {
            Lookup { value: Some(Figure::Number(*v)), how: None, missing: None }
        }
        (Some(Figure::Number(_)), Kind::Number) => missing("不是有限数值".into(), "not a finite number".into()),
        (Some(Figure::Bool(b)), Kind::Bool) => Lookup { value: Some(Figure::Bool(*b)), how: None, missing: None },
        (Some(_), Kind::Number) => {
            missing("应为数值，填报的是是/否".into(), "a number was expected, not yes/no".into())
        }
        (Some(_), Kind::Bool) => missing("应为是/否，填报的是数值".into(), "yes/no was expected, not a number".into()),
    }
}

/// The value of a figure: the profile's own if given, else derived from its parts.
pub fn lookup(p: &Profile, f: &FigureInfo) -> Lookup {
    let own = plain(p, f);
    let Some(d) = f.derive else { return own };
    if own.value.is_some() || p.figures.contains_key(f.name) {
        return own;
    }
    let (a, b) = match d {
        Derive::Percent(a, b) | Derive::Sum(a, b) | Derive::Mean(a, b) | Derive::Difference(a, b) => (a, b),
    };
    let (Some(fa), Some(fb)) = (info(a), info(b)) else {
        return missing("计算所需的指标未定义".into(), "the figures it is computed from are not defined".into());
    };
    let num = |fi: &FigureInfo| match plain(p, fi).value {
        Some(Figure::Number(v)) => Some(v),
        _ => None,
    };
    let (Some(x), Some(y)) = (num(fa), num(fb)) else {
        let absent: Vec<&FigureInfo> = [fa, fb].into_iter().filter(|fi| num(fi).is_none()).collect();
        let zh: Vec<&str> = absent.iter().map(|fi| fi.zh).collect();
        let en: Vec<&str> = absent.iter().map(|fi| fi.en).collect();
        return missing(
            format!("未填报，也无法计算：缺少{}", zh.join("、")),
            format!("not reported, and cannot be computed without {}", en.join(" and ")),
        );
    };
    let (sx, sy) = (fa.show(x), fb.show(y));
    let (value, zh, en) = match d {
        Derive::Percent(..) => {
            if y == 0.0 {
                return missing(format!("{}为0，无法计算", fb.zh), format!("{} is 0, so it cannot be computed", fb.en));
            }
            (
                x * 100.0 / y,
                format!("{} {} ÷ {} {} × 100", fa.zh, sx.zh, fb.zh, sy.zh),
                format!("{} {} ÷ {} {} × 100", fa.en, sx.en, fb.en, sy.en),
            )
        }
        Derive::Sum(..) => (
            x + y,
            format!("{} {} + {} {}", fa.zh, sx.zh, fb.zh, sy.zh),
            format!("{} {} + {} {}", fa.en, sx.en, fb.en, sy.en),
        ),
        Derive::Mean(..) => (
            (x + y) / 2.0,
            format!("({} {} + {} {}) ÷ 2", fa.zh, sx.zh, fb.zh, sy.zh),
            format!("({} {} + {} {}) / 2", fa.en, sx.en, fb.en, sy.en),
        ),
        Derive::Difference(..) => (
            x - y,
            format!("{} {} − {} {}", fa.zh, sx.zh, fb.zh, sy.zh),
            format!("{} {} − {} {}", fa.en, sx.en, fb.en, sy.en),
        ),
    };
    if !value.is_finite() {
        return missing("计算结果不是有限数值".into(), "the computed value is not a finite number".into());
    }
    Lookup { value: Some(Figure::Number(tidy(value))), how: Some(Text::new(zh, en)), missing: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for (i, f) in FIGURES.iter().enumerate() {
            assert!(FIGURES[..i].iter().all(|g| g.name != f.name), "duplicate {}", f.name);
            if let Some(d) = f.derive {
                let (a, b) = match d {
                    Derive::Percent(a, b) | Derive::Sum(a, b) | Derive::Mean(a, b) | Derive::Difference(a, b) => (a, b),
                };
                for part in [a, b] {
                    let p = info(part).unwrap_or_else(|| panic!("{} uses unknown {part}", f.name));
                    assert!(p.derive.is_none() && p.kind == Kind::Number, "{} uses {part}", f.name);
                }
            }
        }
    }
}
