//! Responsibility clauses: "(省工业和信息化厅牵头,省委网信办、省发展改革委、科技厅按职责分工负责)" and the
//! labelled forms "牵头单位:…;责任单位:…". Names are resolved against the agency registry, with the dropped
//! prefix restored; local governments and open lists go to `others`.

use jiqun_domain::AgencyRegistry;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Responsibility {
    pub lead: Vec<String>,
    pub co: Vec<String>,
    pub others: Vec<String>,
    /// Names the registry does not know, kept as written.
    pub unknown: Vec<String>,
}

impl Responsibility {
    pub fn is_empty(&self) -> bool {
        self.lead.is_empty() && self.co.is_empty() && self.others.is_empty()
    }

    /// Adds another clause of the same unit; a body that leads anywhere is not also listed as co-responsible.
    pub fn merge(&mut self, other: Responsibility) {
        for n in other.lead {
            push_unique(&mut self.lead, n);
        }
        for n in other.co {
            push_unique(&mut self.co, n);
        }
        for n in other.others {
            push_unique(&mut self.others, n);
        }
        for n in other.unknown {
            push_unique(&mut self.unknown, n);
        }
        let lead = self.lead.clone();
        self.co.retain(|c| !lead.contains(c));
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Lead,
    Co,
}

const LABELS: &[(&str, Role)] = &[
    ("牵头单位", Role::Lead),
    ("牵头部门", Role::Lead),
    ("主责单位", Role::Lead),
    ("主办单位", Role::Lead),
    ("责任单位", Role::Co),
    ("责任部门", Role::Co),
    ("配合单位", Role::Co),
    ("配合部门", Role::Co),
    ("参与单位", Role::Co),
    ("协办单位", Role::Co),
    ("协同单位", Role::Co),
    ("成员单位", Role::Co),
];

/// Role words that close a list of names, longest first. `None` marks the role as "lead unless the clause
/// already has one" (a bare 负责).
const VERBS: &[(&str, Option<Role>)] = &[
    ("按职责分工负责", Some(Role::Co)),
    ("按职责分工落实", Some(Role::Co)),
    ("按职责分工推进", Some(Role::Co)),
    ("按职能分工负责", Some(Role::Co)),
    ("按职责负责", Some(Role::Co)),
    ("按职责落实", Some(Role::Co)),
    ("分工负责", Some(Role::Co)),
    ("结合实际落实", Some(Role::Co)),
    ("结合实际推进", Some(Role::Co)),
    ("抓好落实", Some(Role::Co)),
    ("共同推进", Some(Role::Co)),
    ("共同负责", Some(Role::Co)),
    ("配合落实", Some(Role::Co)),
    ("为牵头单位", Some(Role::Lead)),
    ("牵头负责", Some(Role::Lead)),
    ("牵头落实", Some(Role::Lead)),
    ("牵头", Some(Role::Lead)),
    ("负责落实", None),
    ("负责", None),
    ("配合", Some(Role::Co)),
    ("参与", Some(Role::Co)),
    ("协同", Some(Role::Co)),
    ("协助", Some(Role::Co)),
    ("落实", Some(Role::Co)),
];

/// Words that make a parenthesis a responsibility clause, not an aside.
const MARKS: &[&str] = &["牵头", "负责", "配合", "参与", "落实", "单位", "部门"];

/// Finds the clause that closes a line: the last balanced parenthesis at its end (after it only
/// punctuation), or the whole line when it is a labelled clause ("牵头单位:…"). Returns the clause's text
/// and the byte offset where it starts in the line.
pub fn find_clause(line: &str) -> Option<(&str, usize)> {
    let trimmed = line.trim_end_matches(['。', '.', ';', ' ', ',']);
    if trimmed.ends_with(')') {
        let mut depth = 0i32;
        for (i, c) in trimmed.char_indices().rev() {
            match c {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        let inner = &trimmed[i + 1..trimmed.len() - 1];
                        if MARKS.iter().any(|m| inner.contains(m)) {
                            return Some((inner, i));
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    let body = trimmed.trim_start_matches(['(', '【', '[']);
    if LABELS.iter().any(|(l, _)| body.starts_with(l)) {
        let body = body.trim_end_matches([')', '】', ']']);
        return Some((body, 0));
    }
    None
}

/// Parses a clause's text into roles. Returns `None` when nothing in it names a body, so an aside such as
/// "(以下简称负责人)" is not taken for a clause.
pub fn parse_clause(clause: &str, reg: &AgencyRegistry) -> Option<Responsibility> {
    let mut out = Responsibility::default();
    let mut pending: Vec<String> = Vec::new();
    let mut context: Option<String> = None;
    let mut named_any = false;
    for segment in clause.split([',', ';', '，', '；']) {
        let mut seg = segment.trim();
        if seg.is_empty() {
            continue;
        }
        let mut role: Option<Option<Role>> = None;
        for (label, r) in LABELS {
            if let Some(rest) = seg.strip_prefix(label) {
                seg = rest.trim_start_matches([':', '：', ' ']);
                role = Some(Some(*r));
                break;
            }
        }
        if role.is_none() {
            for (verb, r) in VERBS {
                if let Some(rest) = seg.strip_suffix(verb) {
                    seg = rest;
                    role = Some(*r);
                    break;
                }
            }
        }
        pending.extend(split_names(seg));
        let Some(role) = role else { continue };
        let role = role.unwrap_or(if out.lead.is_empty() { Role::Lead } else { Role::Co });
        for name in pending.drain(..) {
            named_any |= place(&name, role, reg, &mut context, &mut out);
        }
    }
    // Names with no role word after them: co-responsible, if the clause named a role at all.
    for name in pending.drain(..) {
        named_any |= place(&name, Role::Co, reg, &mut context, &mut out);
    }
    let lead = out.lead.clone();
    out.co.retain(|c| !lead.contains(c));
    named_any.then_some(out)
}

fn split_names(seg: &str) -> Vec<String> {
    seg.split(['、', '/'])
        .flat_map(|n| n.split("以及"))
        .map(|n| n.trim().trim_start_matches(['由', '请']).trim())
        .filter(|n| !n.is_empty())
        .map(String::from)
        .collect()
}

/// Local governments and open-ended lists: responsible, but not agencies of the registry.
fn other_party(name: &str) -> Option<String> {
    const OPEN: &[&str] = &[
        "各有关单位",
        "有关单位",
        "各相关单位",
        "相关单位",
        "各有关部门",
        "有关部门",
        "相关部门",
        "省有关单位",
        "省直有关单位",
        "省各有关单位",
        "其他有关单位",
    ];
    if OPEN.contains(&name) {
        return Some(name.to_string());
    }
    let local = name.starts_with('各') && (name.contains('市') || name.contains('县') || name.contains('区'))
        || name.ends_with("人民政府") && !name.starts_with("省")
        || name.ends_with("市政府")
        || name.ends_with("区政府")
        || name.ends_with("县政府")
        || name == "各地市"
        || name == "市县";
    local.then(|| name.to_string())
}

/// Places one written name. Returns whether it named any body.
fn place(name: &str, role: Role, reg: &AgencyRegistry, context: &mut Option<String>, out: &mut Responsibility) -> bool {
    let (name, open) = match name.find('等') {
        // "省科技厅等单位", "省科技厅等": the list is open-ended.
        Some(i) if i > 0 => (&name[..i], true),
        _ => (name, false),
    };
    if open {
        push_unique(&mut out.others, "其他有关单位".to_string());
    }
    if name.is_empty() {
        return open;
    }
    if let Some(o) = other_party(name) {
        push_unique(&mut out.others, o);
        return true;
    }
    if let Some(p) = [&reg.party_prefix, &reg.gov_prefix, &reg.full_party_prefix, &reg.full_gov_prefix]
        .into_iter()
        .find(|p| !p.is_empty() && name.starts_with(p.as_str()))
    {
        let p = if p == &reg.full_party_prefix {
            &reg.party_prefix
        } else if p == &reg.full_gov_prefix {
            &reg.gov_prefix
        } else {
            p
        };
        *context = Some(p.clone());
    }
    let resolved = reg.resolve(name, context.as_deref());
    if !resolved.known {
        push_unique(&mut out.unknown, resolved.name.clone());
    }
    match role {
        Role::Lead => push_unique(&mut out.lead, resolved.name),
        Role::Co => push_unique(&mut out.co, resolved.name),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Responsibility {
        let reg = AgencyRegistry::guangdong();
        let (c, _) = find_clause(s).unwrap_or((s, 0));
        parse_clause(c, &reg).expect("a clause")
    }

    #[test]
    fn lead_and_co_with_restored_prefixes() {
        let r = parse("……。(省工业和信息化厅牵头,省委网信办、省发展改革委、科技厅按职责分工负责)");
        assert_eq!(r.lead, ["省工业和信息化厅"]);
        assert_eq!(r.co, ["省委网信办", "省发展改革委", "省科技厅"]);
        let r =
            parse("(省工业和信息化厅牵头,省委网信办、机要局,省发展改革委、科技厅、政务服务数据管理局按职责分工负责)");
        assert_eq!(r.co, ["省委网信办", "省委机要局", "省发展改革委", "省科技厅", "省政务服务数据管理局"]);
        assert!(r.unknown.is_empty());
    }

    #[test]
    fn several_leads_and_no_lead() {
        let r = parse("(省科技厅、工业和信息化厅牵头,省发展改革委、卫生健康委、文化旅游厅按职责分工负责)");
        assert_eq!(r.lead, ["省科技厅", "省工业和信息化厅"]);
        assert_eq!(r.co, ["省发展改革委", "省卫生健康委", "省文化和旅游厅"]);
        let r = parse("(省工业和信息化厅、科技厅、发展改革委按职责分工负责)");
        assert!(r.lead.is_empty());
        assert_eq!(r.co, ["省工业和信息化厅", "省科技厅", "省发展改革委"]);
    }

    #[test]
    fn others_open_lists_and_labels() {
        let r = parse("(省商务厅牵头,省科技厅等单位按职责分工负责,各地级以上市人民政府结合实际落实)");
        assert_eq!(r.lead, ["省商务厅"]);
        assert_eq!(r.co, ["省科技厅"]);
        assert_eq!(r.others, ["其他有关单位", "各地级以上市人民政府"]);
        let r = parse("牵头单位:广东省工业和信息化厅;责任单位:省发展改革委、各有关单位");
        assert_eq!(r.lead, ["省工业和信息化厅"]);
        assert_eq!(r.co, ["省发展改革委"]);
        assert_eq!(r.others, ["各有关单位"]);
        let r = parse("(省工业和信息化厅负责)");
        assert_eq!(r.lead, ["省工业和信息化厅"]);
    }

    #[test]
    fn unknown_agencies_are_kept_with_a_mark() {
        let r = parse("(省星际航行局牵头,省科技厅按职责分工负责)");
        assert_eq!(r.lead, ["省星际航行局"]);
        assert_eq!(r.unknown, ["省星际航行局"]);
    }

    #[test]
    fn asides_are_not_clauses() {
        assert!(find_clause("建设创新中心(含省级)。").is_none());
        assert!(find_clause("这是正文").is_none());
        let reg = AgencyRegistry::guangdong();
        assert!(parse_clause("负责", &reg).is_none());
    }
}
