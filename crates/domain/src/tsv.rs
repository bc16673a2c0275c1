//! The small tab-separated format of the registries: `#` comments, `@key<TAB>value` settings, data rows.

/// One data row with its 1-based line number.
pub(crate) struct Row<'a> {
    pub line: usize,
    pub cols: Vec<&'a str>,
}

pub(crate) struct Table<'a> {
    pub settings: Vec<(&'a str, &'a str)>,
    pub rows: Vec<Row<'a>>,
}

pub(crate) fn parse(text: &str) -> Table<'_> {
    let mut settings = Vec::new();
    let mut rows = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('@') {
            let mut parts = rest.splitn(2, '\t');
            let key = parts.next().unwrap_or("").trim();
            let value = parts.next().unwrap_or("").trim();
            settings.push((key, value));
            continue;
        }
        rows.push(Row { line: i + 1, cols: line.split('\t').map(str::trim).collect() });
    }
    Table { settings, rows }
}

/// A registry file that does not read, said in both languages (`message`); `Display` is the English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub zh: String,
    pub en: String,
}

impl TableError {
    pub fn at(line: usize, zh: impl std::fmt::Display, en: impl std::fmt::Display) -> TableError {
        TableError { zh: format!("第 {line} 行：{zh}"), en: format!("line {line}: {en}") }
    }

    pub fn message(&self, lang: crate::Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl Table<'_> {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}
