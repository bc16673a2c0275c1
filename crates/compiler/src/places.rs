//! Places named in the text: the province's cities and partner territories, its regions, and the cluster
//! layout ("以广州、深圳…为依托发展集成电路产业集聚区").

use jiqun_domain::RegionModel;

/// Cities named in a text, in order of first mention. `中山大学` names a university, not the city.
pub fn cities(text: &str, model: &RegionModel) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for c in &model.cities {
        let mut from = 0;
        while let Some(i) = text[from..].find(&c.name) {
            let at = from + i;
            let after = &text[at + c.name.len()..];
            from = at + c.name.len();
            if after.starts_with("大学") || after.starts_with("路") {
                continue;
            }
            found.push((at, c.name.clone()));
            break;
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, n)| n).collect()
}

/// Regions named in a text, in the model's order; 粤东西北 names three.
pub fn regions(text: &str, model: &RegionModel) -> Vec<String> {
    let mut out = Vec::new();
    for r in model.regions() {
        let aliases: &[&str] = match r.name.as_str() {
            "珠三角" => &["珠三角", "珠江三角洲"],
            "粤东" => &["粤东"],
            "粤西" => &["粤西"],
            "粤北" => &["粤北"],
            _ => &[],
        };
        let listed = aliases.iter().any(|a| text.contains(a))
            || (["粤东", "粤西", "粤北"].contains(&r.name.as_str()) && text.contains("粤东西北"));
        if listed {
            out.push(r.name.clone());
        }
    }
    out
}

/// A run of city names separated by 、 starting at `text`; returns the cities and the bytes consumed.
fn city_list(text: &str, model: &RegionModel) -> (Vec<String>, usize) {
    let mut cities = Vec::new();
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let Some(c) = model.cities.iter().find(|c| rest.starts_with(&c.name)) else { break };
        at += c.name.len();
        if text[at..].starts_with('市') {
            at += '市'.len_utf8();
        }
        cities.push(c.name.clone());
        match text[at..].strip_prefix('、') {
            Some(_) if model.cities.iter().any(|c| text[at + '、'.len_utf8()..].starts_with(&c.name)) => {
                at += '、'.len_utf8();
            }
            _ => break,
        }
    }
    (cities, at)
}

const LAYOUT_VERBS: &[&str] = &["发展", "打造", "建设", "培育", "布局", "形成", "开展", "创建", "做强", "推进"];

/// What follows a layout verb, up to the clause's end: the thing the cities host.
fn layout_subject(text: &str) -> Option<String> {
    let verb = LAYOUT_VERBS.iter().find(|v| text.starts_with(*v))?;
    let rest = &text[verb.len()..];
    let mut end = rest.find([',', ';', '。', '(', ':']).unwrap_or(rest.len());
    // "…产业集聚区、以肇庆…" — a list of layout phrases joined by 、.
    if let Some(i) = rest[..end].find("、以") {
        end = i;
    }
    let subject = rest[..end].trim().trim_end_matches("建设").trim();
    (!subject.is_empty()).then(|| subject.to_string())
}

/// Layout statements: `以<cities>为依托<verb><subject>` and `支持<cities>(等…)<verb><subject>`.
pub fn layout(text: &str, model: &RegionModel) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    for (i, _) in text.char_indices() {
        let rest = &text[i..];
        let (cities, after) = if let Some(r) = rest.strip_prefix('以') {
            let (cities, n) = city_list(r, model);
            let r = &r[n..];
            let Some(r) = r.strip_prefix('为') else { continue };
            let Some(role) = ["依托", "主引擎", "核心", "重点", "主体", "支撑"].iter().find(|w| r.starts_with(*w))
            else {
                continue;
            };
            (cities, r[role.len()..].trim_start_matches(','))
        } else if let Some(r) = rest.strip_prefix("支持") {
            let (cities, n) = city_list(r, model);
            let mut r = &r[n..];
            // "支持广州、深圳、东莞等有条件的地市建设…": skip a short filler up to the verb.
            let window: String = r.chars().take(12).collect();
            if let Some(pos) =
                LAYOUT_VERBS.iter().filter_map(|v| window.find(v)).filter(|&p| !window[..p].contains([',', '。'])).min()
            {
                r = &r[pos..];
            }
            (cities, r)
        } else {
            continue;
        };
        if cities.is_empty() {
            continue;
        }
        if let Some(subject) = layout_subject(after) {
            out.push((cities, subject));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cities_and_regions() {
        let m = RegionModel::guangdong();
        assert_eq!(cities("以广州、深圳为主引擎,借助香港、澳门优质资源", &m), ["广州", "深圳", "香港", "澳门"]);
        assert!(cities("中山大学牵头", &m).is_empty());
        assert_eq!(regions("带动粤东粤西粤北协同发展,推进珠三角核心区", &m), ["珠三角", "粤东", "粤西", "粤北"]);
    }

    #[test]
    fn finds_layout() {
        let m = RegionModel::guangdong();
        let t = "以广州、深圳、珠海、东莞、惠州为依托发展集成电路产业集聚区,以广州、深圳、惠州为依托打造超高清视频产业集聚区,以广州、深圳、惠州、中山、东莞、河源为依托建设高端化智能终端产业集聚区、以肇庆、深圳、潮州为依托建设新型电子元器件产业集聚区。";
        let l = layout(t, &m);
        assert_eq!(l.len(), 4);
        assert_eq!(l[0].0, ["广州", "深圳", "珠海", "东莞", "惠州"]);
        assert_eq!(l[0].1, "集成电路产业集聚区");
        assert_eq!(l[2].1, "高端化智能终端产业集聚区");
        assert_eq!(l[3].0, ["肇庆", "深圳", "潮州"]);
        let l = layout("支持广州、深圳、东莞、惠州、河源等有条件的地市建设智能终端产业基地,鼓励", &m);
        assert_eq!(
            l,
            vec![(
                vec!["广州".into(), "深圳".into(), "东莞".into(), "惠州".into(), "河源".into()],
                "智能终端产业基地".into()
            )]
        );
        let l = layout("支持深圳、肇庆等地开展新型电子元器件产业基地建设。", &m);
        assert_eq!(l[0].1, "新型电子元器件产业基地");
    }
}
