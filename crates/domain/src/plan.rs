//! The compiled plan, exactly as `contracts.md` section 2 shapes it. Fields may be added, never renamed or
//! dropped. Absent facts are `None` or empty lists, never invented.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Plan {
    pub title: Option<String>,
    /// What to call the plan on screen: the title, or when the document has none, a name derived from its
    /// preamble ("…产业集群行动计划"), or "未命名行动计划".
    #[serde(default)]
    pub name: String,
    pub doc_number: Option<String>,
    /// ISO date, `2023-12-29`.
    pub issued_on: Option<String>,
    /// When the portal published it (发布日期), ISO date; only a metadata block says this.
    #[serde(default)]
    pub published_on: Option<String>,
    /// The last day it is in force (有效期至), ISO date; `None` when open-ended (长期) or not said.
    #[serde(default)]
    pub valid_until: Option<String>,
    /// The portal's index number (索引号), as written.
    #[serde(default)]
    pub index_no: Option<String>,
    pub issuers: Vec<String>,
    pub period: Option<Period>,
    /// The text between the title and the first section ("为贯彻…制定本行动计划。").
    #[serde(default)]
    pub preamble: String,
    pub sections: Vec<Section>,
    pub targets: Vec<Target>,
    pub facts: Vec<Fact>,
    pub agencies: Vec<AgencyRoles>,
    pub cities: Vec<String>,
    /// Which cities host which part of the cluster ("以广州、深圳…为依托发展集成电路产业集聚区").
    #[serde(default)]
    pub layout: Vec<Layout>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Period {
    pub start: Option<i32>,
    pub end: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SectionKind {
    Goals,
    Tasks,
    Programmes,
    Safeguards,
    Overview,
    Other,
}

impl SectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Goals => "goals",
            SectionKind::Tasks => "tasks",
            SectionKind::Programmes => "programmes",
            SectionKind::Safeguards => "safeguards",
            SectionKind::Overview => "overview",
            SectionKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Section {
    pub no: u32,
    pub title: String,
    pub kind: SectionKind,
    /// Text between the section heading and its first item (often the section's overall aim).
    #[serde(default)]
    pub text: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    pub no: u32,
    /// `"2.1"` for an item, `"2.1.3"` for a sub-item.
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub text: String,
    pub lead: Vec<String>,
    pub co: Vec<String>,
    pub others: Vec<String>,
    pub cities: Vec<String>,
    /// Regions named in the item (珠三角, 粤东 …).
    #[serde(default)]
    pub regions: Vec<String>,
    /// The line of the source text where the item starts.
    #[serde(default)]
    pub line: usize,
    // The schema refers to itself here: without `no_recursion` collecting its components never ends.
    #[schema(no_recursion)]
    pub children: Vec<Item>,
}

/// A comparator of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Cmp {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "range")]
    Range,
}

impl Cmp {
    pub const ALL: [Cmp; 6] = [Cmp::Ge, Cmp::Gt, Cmp::Eq, Cmp::Le, Cmp::Lt, Cmp::Range];

    /// The comparator a string names (`>`, `>=`, `=`, `<=`, `<`, `range`); `None` for anything else, never a
    /// silent default.
    pub fn parse(s: &str) -> Option<Cmp> {
        Cmp::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// How officials write it before a figure: 不少于, 超过 …; `range` has none (区间 as a label).
    pub fn label(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            Cmp::Gt => ("超过", "more than"),
            Cmp::Ge => ("不少于", "at least"),
            Cmp::Eq => ("达到", "equal to"),
            Cmp::Le => ("不超过", "at most"),
            Cmp::Lt => ("低于", "less than"),
            Cmp::Range => ("区间", "range"),
        };
        lang.pick(zh, en)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "=",
            Cmp::Le => "<=",
            Cmp::Lt => "<",
            Cmp::Range => "range",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Target {
    pub item: String,
    pub subject: String,
    pub cmp: Cmp,
    pub value: f64,
    pub value_max: Option<f64>,
    pub unit: String,
    pub year: Option<i32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fact {
    pub item: String,
    pub subject: String,
    pub value: f64,
    pub unit: String,
    pub year: Option<i32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgencyRoles {
    pub name: String,
    pub lead: Vec<String>,
    pub co: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Layout {
    pub item: String,
    pub subject: String,
    pub cities: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Diagnostic {
    pub level: Level,
    pub line: Option<usize>,
    /// A stable code (`unknown_agency`, `no_title` …) for programs; `message` is for people.
    #[serde(default)]
    pub code: String,
    pub message: String,
}

impl Plan {
    /// Every item and sub-item, depth first, in document order.
    pub fn all_items(&self) -> Vec<&Item> {
        fn walk<'a>(items: &'a [Item], out: &mut Vec<&'a Item>) {
            for it in items {
                out.push(it);
                walk(&it.children, out);
            }
        }
        let mut out = Vec::new();
        for s in &self.sections {
            walk(&s.items, &mut out);
        }
        out
    }

    /// The item or sub-item with this id (`"2.1"`, `"2.1.3"`).
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.all_items().into_iter().find(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_fields_are_null_when_absent_and_optional_when_read() {
        let json = serde_json::to_value(Plan::default()).unwrap();
        for field in ["published_on", "valid_until", "index_no", "doc_number", "issued_on"] {
            assert_eq!(json.get(field), Some(&serde_json::Value::Null), "{field}");
        }
        // A plan stored before these fields existed still reads.
        let mut old = json.as_object().unwrap().clone();
        for field in ["published_on", "valid_until", "index_no"] {
            old.remove(field);
        }
        let back: Plan = serde_json::from_value(serde_json::Value::Object(old)).unwrap();
        assert_eq!(back, Plan::default());
    }
}
