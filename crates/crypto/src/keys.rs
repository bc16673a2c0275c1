//! The key file: the audit-chain key and the field-encryption keys, created with mode 0600 when absent.
//! Format, one `name = hex` a line: `audit = …`, `field.N = …` (the highest N encrypts; all decrypt).

use std::path::Path;

#[derive(Clone)]
pub struct KeyFile {
    pub(crate) audit_key: Vec<u8>,
    /// (id, key), in the order of the file; the last is current.
    pub(crate) field_keys: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a key.
        write!(f, "KeyFile {{ field keys: {:?} }}", self.field_keys.iter().map(|(id, _)| id).collect::<Vec<_>>())
    }
}

#[derive(Debug)]
pub enum KeyFileError {
    Io(String, std::io::Error),
    /// The file exists but a line is not `name = hex`.
    Malformed {
        path: String,
        line: usize,
        message: String,
    },
    Random,
}

impl std::fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFileError::Io(p, e) => write!(f, "key file {p}: {e}"),
            KeyFileError::Malformed { path, line, message } => write!(f, "key file {path}, line {line}: {message}"),
            KeyFileError::Random => f.write_str("the operating system gave no random bytes"),
        }
    }
}

impl std::error::Error for KeyFileError {}

fn random(n: usize) -> Result<Vec<u8>, KeyFileError> {
    let mut v = vec![0u8; n];
    getrandom::fill(&mut v).map_err(|_| KeyFileError::Random)?;
    Ok(v)
}

impl KeyFile {
    /// Fresh keys (kept in memory only, until `save`).
    pub fn generate() -> Result<KeyFile, KeyFileError> {
        Ok(KeyFile { audit_key: random(32)?, field_keys: vec![("1".into(), random(16)?)] })
    }

    /// Reads the key file, creating it (mode 0600) with fresh keys when it does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<KeyFile, KeyFileError> {
        let shown = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => KeyFile::parse(&text, &shown),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let keys = KeyFile::generate()?;
                keys.save(path)?;
                Ok(keys)
            }
            Err(e) => Err(KeyFileError::Io(shown, e)),
        }
    }

    pub fn parse(text: &str, path: &str) -> Result<KeyFile, KeyFileError> {
        let bad = |line: usize, message: &str| KeyFileError::Malformed {
            path: path.to_string(),
            line,
            message: message.to_string(),
        };
        let mut audit = None;
        let mut fields = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, value) = line.split_once('=').ok_or_else(|| bad(i + 1, "expected name = hex"))?;
            let key = hex::decode(value.trim()).map_err(|_| bad(i + 1, "the value is not hex"))?;
            match name.trim() {
                "audit" if key.len() >= 16 => audit = Some(key),
                "audit" => return Err(bad(i + 1, "the audit key needs at least 16 bytes")),
                n if n.starts_with("field.") && key.len() == 16 => fields.push((n["field.".len()..].to_string(), key)),
                n if n.starts_with("field.") => return Err(bad(i + 1, "an SM4 key is 16 bytes (32 hex digits)")),
                _ => return Err(bad(i + 1, "unknown key name")),
            }
        }
        let audit_key = audit.ok_or_else(|| bad(0, "no audit key"))?;
        if fields.is_empty() {
            return Err(bad(0, "no field key"));
        }
        Ok(KeyFile { audit_key, field_keys: fields })
    }

    pub fn save(&self, path: &Path) -> Result<(), KeyFileError> {
        let shown = path.display().to_string();
        let mut text = String::from("# Jiqun key file. Keep it apart from the database and its backups; mode 0600.\n");
        text.push_str(&format!("audit = {}\n", hex::encode(&self.audit_key)));
        for (id, k) in &self.field_keys {
            text.push_str(&format!("field.{id} = {}\n", hex::encode(k)));
        }
        write_private(path, text.as_bytes()).map_err(|e| KeyFileError::Io(shown, e))
    }

    /// Adds a new field key that encrypts from now on; the old ones still decrypt.
    pub fn rotate(&mut self) -> Result<(), KeyFileError> {
        let next = self.field_keys.iter().filter_map(|(id, _)| id.parse::<u64>().ok()).max().unwrap_or(0) + 1;
        self.field_keys.push((next.to_string(), random(16)?));
        Ok(())
    }

    pub(crate) fn current_field_key(&self) -> (&str, &[u8]) {
        let (id, k) = self.field_keys.last().unwrap_or_else(|| unreachable!("a key file always has a field key"));
        (id, k)
    }

    pub(crate) fn field_key(&self, id: &str) -> Option<&[u8]> {
        self.field_keys.iter().find(|(i, _)| i == id).map(|(_, k)| k.as_slice())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// For tests: a directory of this run's own and a key file path in it that no earlier run left behind.
#[cfg(test)]
pub(crate) fn fresh_key_path(tag: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("jiqun-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{tag}.keys"));
    let _ = std::fs::remove_file(&path);
    (dir, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_with_mode_0600_and_read_back() {
        let (_, path) = fresh_key_path("keys");
        let a = KeyFile::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let b = KeyFile::load_or_create(&path).unwrap();
        assert_eq!(a.audit_key, b.audit_key);
        assert!(!format!("{a:?}").contains(&hex::encode(&a.audit_key)), "keys are never printed");
        let err = KeyFile::parse("audit = zz\n", "f").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
