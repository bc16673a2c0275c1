//! Platforms, bases, parks and clusters a plan counts (国家级制造业创新中心2个以上, 集成电路设计基地3个 …), and
//! what an indicator's value can be derived from instead of being typed in.

use std::fmt;

use crate::Lang;

crate::labelled_enum! {
    /// What kind of recognised platform or place it is.
    pub enum BaseKind {
        InnovationCentre = "innovation_centre", "制造业创新中心", "manufacturing innovation centre";
        TechInnovationCentre = "tech_innovation_centre", "技术创新中心", "technology innovation centre";
        KeyLab = "key_lab", "重点实验室", "key laboratory";
        EnterpriseTechCentre = "enterprise_tech_centre", "企业技术中心", "enterprise technology centre";
        PublicServicePlatform = "public_service_platform", "公共服务平台", "public service platform";
        UhdVideoBase = "uhd_video_base", "超高清视频产业基地", "ultra-HD video industry base";
        IcDesignBase = "ic_design_base", "集成电路设计基地", "IC design base";
        SmartTerminalBase = "smart_terminal_base", "智能终端产业基地", "smart terminal industry base";
        IndustrialBase = "industrial_base", "其他产业基地", "other industry base";
        AiPark = "ai_park", "人工智能产业园区", "artificial intelligence industrial park";
        Park5g = "park_5g", "5G产业园区", "5G industrial park";
        IndustrialPark = "industrial_park", "其他产业园区", "other industrial park";
        XinchuangCluster = "xinchuang_cluster", "信创产业集聚区", "IT application innovation cluster";
        Cluster = "cluster", "其他产业集聚区", "other industry cluster";
    }
}

crate::labelled_enum! {
    /// Who recognised it: the level of the recognition, not of the host.
    pub enum BaseLevel {
        National = "national", "国家级", "national";
        Provincial = "provincial", "省级", "provincial";
        Municipal = "municipal", "市级", "municipal";
    }
}

/// What an indicator's value is computed from, when it is not typed in. Stored in `indicators.derived_from`
/// in its text form (`bases:innovation_centre@national`, `library:little_giant`, `library_rd:backbone`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Derivation {
    /// How many bases of a kind (and level, if given) are recognised by the period's end and not withdrawn.
    Bases { kind: BaseKind, level: Option<BaseLevel> },
    /// How many enterprises a cultivation library holds at the period's end.
    Library { library: String },
    /// The R&D intensity (R&D over revenue, %) of a library's members in the year.
    LibraryRd { library: String },
    /// How many chip–terminal pairs (a product and a need) have a signed contract recorded by the period's
    /// end (`matches:signed`).
    MatchesSigned,
}

impl Derivation {
    /// The text form, or why it is not one (in English and Chinese: the caller names the field).
    pub fn parse(s: &str) -> Result<Derivation, (String, String)> {
        let s = s.trim();
        let (source, rest) = s.split_once(':').unwrap_or((s, ""));
        let library = |rest: &str| {
            let ok =
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            ok.then(|| rest.to_string()).ok_or_else(|| {
                (format!("“{rest}”不是培育库的编号"), format!("“{rest}” is not the id of a cultivation library"))
            })
        };
        match source {
            "bases" => {
                let (kind, level) = rest.split_once('@').map_or((rest, None), |(k, l)| (k, Some(l)));
                let kind = BaseKind::parse(kind).ok_or_else(|| {
                    let known: Vec<&str> = BaseKind::ALL.iter().map(|k| k.as_str()).collect();
                    (
                        format!("“{kind}”不是平台或基地的类别，可选：{}", known.join("、")),
                        format!("“{kind}” is not a kind of base; one of: {}", known.join(", ")),
                    )
                })?;
                let level = match level {
                    None => None,
                    Some(l) => Some(BaseLevel::parse(l).ok_or_else(|| {
                        (
                            format!("“{l}”不是认定级别，可选：national、provincial、municipal"),
                            format!("“{l}” is not a level; one of: national, provincial, municipal"),
                        )
                    })?),
                };
                Ok(Derivation::Bases { kind, level })
            }
            "library" => Ok(Derivation::Library { library: library(rest)? }),
            "library_rd" => Ok(Derivation::LibraryRd { library: library(rest)? }),
            "matches" if rest == "signed" => Ok(Derivation::MatchesSigned),
            "matches" => Err((
                format!("“{rest}”不是对接结果的计数口径，可选：signed"),
                format!("“{rest}” is not a count of matchmaking outcomes; write matches:signed"),
            )),
            _ => Err((
                format!(
                    "“{s}”不是可用的计算来源，应形如 bases:innovation_centre@national、library:little_giant 或 matches:signed"
                ),
                format!(
                    "“{s}” is not a source to derive from; write bases:KIND[@LEVEL], library:ID, library_rd:ID or matches:signed"
                ),
            )),
        }
    }

    /// As people say it: what the value is counted from.
    pub fn label(&self, lang: Lang) -> String {
        match self {
            Derivation::Bases { kind, level } => {
                let level = level.map(|l| l.label(lang)).unwrap_or("");
                match lang {
                    Lang::Zh => format!("平台与基地库：{level}{}", kind.label(lang)),
                    Lang::En if level.is_empty() => format!("registry of bases: {}", kind.label(lang)),
                    Lang::En => format!("registry of bases: {level} {}", kind.label(lang)),
                }
            }
            Derivation::Library { library } => lang
                .pick(&format!("培育库在库企业数：{library}"), &format!("members of the library {library}"))
                .to_string(),
            Derivation::LibraryRd { library } => lang
                .pick(&format!("培育库研发投入强度：{library}"), &format!("R&D intensity of the library {library}"))
                .to_string(),
            Derivation::MatchesSigned => {
                lang.pick("芯片与终端对接已签约的对接数", "chip–terminal pairs with a signed contract").to_string()
            }
        }
    }

    /// Whether the registry of bases feeds it.
    pub fn counts_bases(&self) -> bool {
        matches!(self, Derivation::Bases { .. })
    }
}

impl fmt::Display for Derivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Derivation::Bases { kind, level: Some(l) } => write!(f, "bases:{kind}@{l}"),
            Derivation::Bases { kind, level: None } => write!(f, "bases:{kind}"),
            Derivation::Library { library } => write!(f, "library:{library}"),
            Derivation::LibraryRd { library } => write!(f, "library_rd:{library}"),
            Derivation::MatchesSigned => write!(f, "matches:signed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivations_read_back_what_they_write() {
        for s in [
            "bases:innovation_centre@national",
            "bases:ic_design_base",
            "library:little_giant",
            "library_rd:backbone",
            "matches:signed",
        ] {
            assert_eq!(Derivation::parse(s).unwrap().to_string(), s);
        }
        assert!(Derivation::parse("bases:castle").unwrap_err().0.contains("castle"));
        assert!(Derivation::parse("bases:key_lab@galactic").is_err());
        assert!(Derivation::parse("library:").is_err());
        assert!(Derivation::parse("library:Little Giant").is_err());
        assert!(Derivation::parse("guess").is_err());
        assert!(Derivation::parse("matches:trial").unwrap_err().1.contains("matches:signed"));
        let d = Derivation::parse("bases:innovation_centre@national").unwrap();
        assert_eq!(d.label(Lang::Zh), "平台与基地库：国家级制造业创新中心");
        assert_eq!(d.label(Lang::En), "registry of bases: national manufacturing innovation centre");
    }
}
