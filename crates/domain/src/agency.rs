//! The agency registry: which bodies a province's plans name, under which short form, full name and
//! variants, which are Party organs (prefix 省委) and which government departments (prefix 省), and how
//! they were renamed or merged. It is data (`data/registry/*-agencies.tsv`), so another province can be
//! added without code.

use std::collections::HashMap;

use crate::tsv::{self, TableError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgencyKind {
    /// A government department: 省科技厅.
    Gov,
    /// A Party organ: 省委网信办.
    Party,
    /// A central body seated in the province: 省通信管理局, 人民银行广东省分行.
    Central,
    /// A people's organisation: 省科协.
    Mass,
    /// A public institution: 省科学院.
    Inst,
}

impl AgencyKind {
    fn parse(s: &str) -> Option<AgencyKind> {
        Some(match s {
            "gov" => AgencyKind::Gov,
            "party" => AgencyKind::Party,
            "central" => AgencyKind::Central,
            "mass" => AgencyKind::Mass,
            "inst" => AgencyKind::Inst,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::Gov => "gov",
            AgencyKind::Party => "party",
            AgencyKind::Central => "central",
            AgencyKind::Mass => "mass",
            AgencyKind::Inst => "inst",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub short: String,
    pub full: String,
    pub kind: AgencyKind,
    pub variants: Vec<String>,
    pub successor: Option<String>,
    pub changed: Option<i32>,
    pub note: String,
}

/// What a name written in a document resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The registry's short form, or the name as written when the registry does not know it.
    pub name: String,
    pub known: bool,
}

#[derive(Debug, Clone)]
pub struct AgencyRegistry {
    pub province: String,
    pub gov_prefix: String,
    pub party_prefix: String,
    pub full_gov_prefix: String,
    pub full_party_prefix: String,
    pub agencies: Vec<Agency>,
    /// Exact spellings (short, full, variants with and without prefix) → index.
    exact: HashMap<String, usize>,
    /// Names with the prefix dropped (`科技厅`, `机要局`) → indexes; several when a bare name is ambiguous.
    bare: HashMap<String, Vec<usize>>,
}

const GUANGDONG: &str = include_str!("../../../data/registry/guangdong-agencies.tsv");

/// The name of a department or body as plans name it (`省科技厅`): trimmed, not empty, one name (no list
/// separators, no control characters). A name the registry knows is held in
/// its short form (`AgencyName::resolve`); one it does not know is kept as written, as the compiler keeps
/// it (contracts §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyName(String);

/// Why a string is not an agency's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgencyNameError {
    Empty,
    /// A list separator or control character: several names, or none.
    Character(char),
}

impl AgencyNameError {
    pub fn message(&self, lang: crate::Lang) -> String {
        match (self, lang) {
            (AgencyNameError::Empty, crate::Lang::Zh) => "部门名称不能为空".to_string(),
            (AgencyNameError::Empty, crate::Lang::En) => "the department's name is empty".to_string(),
            (AgencyNameError::Character(c), crate::Lang::Zh) => {
                format!("部门名称中不能有“{}”：请只填一个部门", c.escape_default())
            }
            (AgencyNameError::Character(c), crate::Lang::En) => {
                format!("“{}” cannot stand in a department's name: give one department", c.escape_default())
            }
        }
    }
}

impl AgencyName {
    /// Checks a name as written, without asking the registry (a stored name, a filter).
    pub fn parse(s: &str) -> Result<AgencyName, AgencyNameError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(AgencyNameError::Empty);
        }
        if let Some(c) = s.chars().find(|c| c.is_control() || matches!(c, ',' | '，' | '、' | ';' | '；')) {
            return Err(AgencyNameError::Character(c));
        }
        Ok(AgencyName(s.to_string()))
    }

    /// Checks a name and puts it in the registry's short form where the registry knows it (`科技厅`,
    /// `广东省科学技术厅` → `省科技厅`).
    pub fn resolve(registry: &AgencyRegistry, written: &str) -> Result<AgencyName, AgencyNameError> {
        let name = AgencyName::parse(written)?;
        Ok(AgencyName(registry.resolve(&name.0, None).name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::checked_string!(AgencyName);
crate::reads_as_str!(AgencyName);

impl utoipa::PartialSchema for AgencyName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .description(Some("a department as plans name it, in the registry's short form (省科技厅)"))
            .into()
    }
}

impl utoipa::ToSchema for AgencyName {}

impl AgencyRegistry {
    /// The built-in Guangdong registry.
    pub fn guangdong() -> AgencyRegistry {
        // Checked by a test; a failure here is a defect of the build, not of user input.
        AgencyRegistry::parse(GUANGDONG).unwrap_or_else(|e| panic!("built-in agency registry: {e}"))
    }

    /// Reads a registry file; the error names the line.
    pub fn parse(text: &str) -> Result<AgencyRegistry, TableError> {
        let table = tsv::parse(text);
        let setting = |k: &str, default: &str| table.setting(k).unwrap_or(default).to_string();
        let mut reg = AgencyRegistry {
            province: setting("province", ""),
            gov_prefix: setting("gov_prefix", "省"),
            party_prefix: setting("party_prefix", "省委"),
            full_gov_prefix: setting("full_gov_prefix", ""),
            full_party_prefix: setting("full_party_prefix", ""),
            agencies: Vec::new(),
            exact: HashMap::new(),
            bare: HashMap::new(),
        };
        for row in &table.rows {
            let col = |i: usize| row.cols.get(i).copied().unwrap_or("");
            if col(0).is_empty() || col(1).is_empty() {
                return Err(TableError::at(row.line, "简称和全称都须填写", "short and full names are required"));
            }
            let kind = AgencyKind::parse(col(2)).ok_or_else(|| {
                TableError::at(
                    row.line,
                    format!("类别“{}”应为 gov、party、central、mass 或 inst", col(2)),
                    format!("kind `{}` is not gov, party, central, mass or inst", col(2)),
                )
            })?;
            let changed = match col(5) {
                "" => None,
                y => Some(y.parse().map_err(|_| {
                    TableError::at(row.line, format!("年份“{y}”不是数字"), format!("year `{y}` is not a number"))
                })?),
            };
            let agency = Agency {
                short: col(0).to_string(),
                full: col(1).to_string(),
                kind,
                variants: col(3).split('|').map(str::trim).filter(|v| !v.is_empty()).map(String::from).collect(),
                successor: Some(col(4)).filter(|s| !s.is_empty()).map(String::from),
                changed,
                note: col(6).to_string(),
            };
            if reg.exact.contains_key(&agency.short) {
                return Err(TableError::at(
                    row.line,
                    format!("“{}”重复列出", agency.short),
                    format!("`{}` is listed twice", agency.short),
                ));
            }
            reg.agencies.push(agency);
        }
        reg.index();
        for a in &reg.agencies {
            if let Some(s) = &a.successor
                && !reg.agencies.iter().any(|b| &b.short == s)
            {
                return Err(TableError {
                    zh: format!("“{}”的继任机构“{s}”不在名录中", a.short),
                    en: format!("`{}`: successor `{s}` is not in the registry", a.short),
                });
            }
        }
        Ok(reg)
    }

    fn prefix_of(&self, kind: AgencyKind) -> &str {
        match kind {
            AgencyKind::Party => &self.party_prefix,
            _ => &self.gov_prefix,
        }
    }

    fn index(&mut self) {
        let mut exact = HashMap::new();
        let mut bare: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in self.agencies.iter().enumerate() {
            let prefix = self.prefix_of(a.kind).to_string();
            exact.entry(a.short.clone()).or_insert(i);
            exact.entry(a.full.clone()).or_insert(i);
            let mut bares = Vec::new();
            if let Some(b) = a.short.strip_prefix(&prefix).filter(|b| !b.is_empty()) {
                bares.push(b.to_string());
            }
            for v in &a.variants {
                exact.entry(v.clone()).or_insert(i);
                match v.strip_prefix(&prefix) {
                    Some(b) if !b.is_empty() => bares.push(b.to_string()),
                    _ => {
                        exact.entry(format!("{prefix}{v}")).or_insert(i);
                        bares.push(v.clone());
                    }
                }
            }
            for b in bares {
                let e = bare.entry(b).or_default();
                if !e.contains(&i) {
                    e.push(i);
                }
            }
        }
        self.exact = exact;
        self.bare = bare;
    }

    pub fn get(&self, short: &str) -> Option<&Agency> {
        self.exact.get(short).map(|&i| &self.agencies[i])
    }

    /// Resolves a name as a document writes it. `context_prefix` is the prefix of the last name written in
    /// full before it in the same list (`省` or `省委`): it decides between bodies whose bare names clash.
    pub fn resolve(&self, written: &str, context_prefix: Option<&str>) -> Resolved {
        let written = written.trim();
        let found = |i: usize| Resolved { name: self.agencies[i].short.clone(), known: true };
        if let Some(&i) = self.exact.get(written) {
            return found(i);
        }
        // Official forms: 中共广东省委组织部 → 省委组织部, 广东省发展改革委 → 省发展改革委.
        for (full, short) in [(&self.full_party_prefix, &self.party_prefix), (&self.full_gov_prefix, &self.gov_prefix)]
        {
            if full.is_empty() {
                continue;
            }
            if let Some(rest) = written.strip_prefix(full.as_str()) {
                let candidate = format!("{short}{rest}");
                if let Some(&i) = self.exact.get(&candidate) {
                    return found(i);
                }
            }
        }
        // An explicit prefix restricts the kind; a bare name takes the only body it can mean, or the one
        // that fits the prefix in force.
        let (bare, wanted) = if let Some(rest) = written.strip_prefix(self.party_prefix.as_str()) {
            (rest, Some(true))
        } else if let Some(rest) = written.strip_prefix(self.gov_prefix.as_str()) {
            (rest, Some(false))
        } else {
            (written, None)
        };
        if let Some(cands) = self.bare.get(bare) {
            let is_party = |i: &usize| self.agencies[*i].kind == AgencyKind::Party;
            let pick = match wanted {
                Some(party) => cands.iter().find(|i| is_party(i) == party),
                None if cands.len() == 1 => cands.first(),
                None => {
                    let party = context_prefix == Some(self.party_prefix.as_str());
                    cands.iter().find(|i| is_party(i) == party).or(cands.first())
                }
            };
            if let Some(&i) = pick {
                return found(i);
            }
        }
        Resolved { name: written.to_string(), known: false }
    }

    /// True when the text looks like the name of a body this registry could hold, written in full or with
    /// the province prefix (used to tell a clause from an ordinary parenthesis).
    pub fn has_prefix(&self, written: &str) -> bool {
        written.starts_with(self.gov_prefix.as_str())
            || (!self.full_gov_prefix.is_empty() && written.starts_with(self.full_gov_prefix.as_str()))
            || (!self.full_party_prefix.is_empty() && written.starts_with(self.full_party_prefix.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(reg: &AgencyRegistry, s: &str, ctx: Option<&str>) -> String {
        let res = reg.resolve(s, ctx);
        assert!(res.known, "{s} should be known");
        res.name
    }

    #[test]
    fn resolves_short_full_variant_and_bare_names() {
        let reg = AgencyRegistry::guangdong();
        assert_eq!(r(&reg, "省发展改革委", None), "省发展改革委");
        assert_eq!(r(&reg, "广东省发展和改革委员会", None), "省发展改革委");
        assert_eq!(r(&reg, "科技厅", Some("省")), "省科技厅");
        assert_eq!(r(&reg, "机要局", Some("省委")), "省委机要局");
        assert_eq!(r(&reg, "文化旅游厅", Some("省")), "省文化和旅游厅");
        assert_eq!(r(&reg, "省文化旅游厅", None), "省文化和旅游厅");
        assert_eq!(r(&reg, "中共广东省委组织部", None), "省委组织部");
        assert_eq!(r(&reg, "广东省卫生健康委", None), "省卫生健康委");
        assert_eq!(r(&reg, "人民银行广东省分行", None), "人民银行广东省分行");
        assert_eq!(r(&reg, "税务局", Some("省")), "省税务局");
        // A renamed body keeps the name the document uses; the registry records the successor.
        assert_eq!(r(&reg, "省政务服务数据管理局", None), "省政务服务数据管理局");
        let old = reg.get("省政务服务数据管理局").unwrap();
        assert_eq!(old.successor.as_deref(), Some("省政务和数据局"));
        // 外办 exists both as a government office and as a Party office: the prefix in force decides.
        assert_eq!(r(&reg, "外办", Some("省委")), "省委外办");
        assert_eq!(r(&reg, "外办", Some("省")), "省外办");
    }

    #[test]
    fn unknown_names_are_kept_as_written() {
        let reg = AgencyRegistry::guangdong();
        let res = reg.resolve("省星际航行局", Some("省"));
        assert_eq!(res, Resolved { name: "省星际航行局".into(), known: false });
        // A Party prefix does not let a government department through.
        assert!(!reg.resolve("省委科技厅", None).known);
    }

    #[test]
    fn every_entry_resolves_to_itself() {
        let reg = AgencyRegistry::guangdong();
        assert!(reg.agencies.len() > 80);
        for a in &reg.agencies {
            assert_eq!(reg.resolve(&a.short, None).name, a.short);
            assert_eq!(reg.resolve(&a.full, None).name, a.short, "{}", a.full);
        }
    }

    #[test]
    fn agency_names_are_one_name_in_the_short_form() {
        let reg = AgencyRegistry::guangdong();
        assert_eq!(AgencyName::resolve(&reg, " 广东省发展和改革委员会 ").unwrap().as_str(), "省发展改革委");
        assert_eq!(AgencyName::resolve(&reg, "省星际航行局").unwrap().as_str(), "省星际航行局");
        assert_eq!(AgencyName::parse("  "), Err(AgencyNameError::Empty));
        assert_eq!(AgencyName::parse("省科技厅、省商务厅"), Err(AgencyNameError::Character('、')));
        assert_eq!(AgencyName::parse("省科技厅\n").unwrap().as_str(), "省科技厅");
        assert_eq!(AgencyNameError::Empty.message(crate::Lang::Zh), "部门名称不能为空");
        let name = AgencyName::parse("省科技厅").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"省科技厅\"");
        assert!(serde_json::from_str::<AgencyName>("\"\"").is_err());
    }

    #[test]
    fn bad_registries_name_the_line() {
        let err = AgencyRegistry::parse("@province\tX\n省甲\t甲\tgov\n省乙\t乙\tclub\n").unwrap_err();
        assert!(err.en.starts_with("line 3:"), "{err}");
        assert!(err.zh.starts_with("第 3 行："), "{err:?}");
        let err = AgencyRegistry::parse("省甲\t甲\tgov\t\t省丙\n").unwrap_err();
        assert!(err.en.contains("successor") && err.zh.contains("继任"), "{err}");
    }
}
