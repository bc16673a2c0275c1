//! The user's language. Chinese first; English second.

/// A language Jiqun speaks to its users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Reads a locale string such as `en_US.UTF-8`, `zh_CN.UTF-8`, `en` or an `Accept-Language` value.
    /// Anything that does not start with English is Chinese, the default.
    pub fn from_locale(s: &str) -> Lang {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("en") { Lang::En } else { Lang::Zh }
    }

    /// The language of the environment: `LC_ALL`, then `LC_MESSAGES`, then `LANG`, as POSIX orders them.
    pub fn from_env_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| get(k))
            .find(|v| !v.is_empty())
            .map(|v| Lang::from_locale(&v))
            .unwrap_or_default()
    }

    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_strings() {
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("en"), Lang::En);
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale("C.UTF-8"), Lang::Zh);
        let env = |k: &str| match k {
            "LC_ALL" => Some(String::new()),
            "LANG" => Some("en_GB.UTF-8".to_string()),
            _ => None,
        };
        assert_eq!(Lang::from_env_vars(env), Lang::En);
    }
}
