//! Cryptography behind one interface (`Crypto`), so that a certified module (密码模块) can replace the
//! software implementation without touching its callers:
//!
//! - HMAC-SM3 (GB/T 32905-2016 hash in the HMAC construction) chains the audit log;
//! - SM4 (GB/T 32907-2016) in GCM mode encrypts sensitive fields at rest, with key identifiers so keys can
//!   be rotated while old ciphertexts stay readable;
//! - TOTP (RFC 6238, HMAC-SHA1, 30 s, 6 digits) is the second factor, as authenticator apps implement it.
//!
//! Keys live in the key file (`JIQUN_KEY_FILE`), never in the database.

mod keys;
mod totp;

pub use keys::{KeyFile, KeyFileError};
pub use totp::{totp_at, totp_verify};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use hmac::{Hmac, Mac};

/// What the rest of Jiqun asks of cryptography.
pub trait Crypto: Send + Sync {
    /// HMAC-SM3 of `data` under the audit key, as hex.
    fn audit_mac(&self, data: &[u8]) -> String;
    /// Encrypts a field; the result names the key it was made with.
    fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<String, CryptoError>;
    /// Decrypts what `seal` made, with whichever key it names.
    fn open(&self, sealed: &str, context: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// `seal` for a batch (an import's thousands of figures in one transaction): every call seals with the
    /// key in force when the sealer was made, which an implementation may look up once.
    fn sealer(&self) -> Box<Sealer<'_>> {
        Box::new(move |plaintext, context| self.seal(plaintext, context))
    }
}

/// What `Crypto::sealer` hands out: `seal` with the key fixed for a batch.
pub type Sealer<'a> = dyn Fn(&[u8], &[u8]) -> Result<String, CryptoError> + Send + Sync + 'a;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// The ciphertext names a key the key file does not hold.
    UnknownKey(String),
    /// Tampered, truncated, or sealed for another context.
    Invalid,
}

impl std::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CryptoError::UnknownKey(k) => write!(f, "the key file has no key “{k}”"),
            CryptoError::Invalid => f.write_str("the ciphertext is invalid or was altered"),
        }
    }
}

impl std::error::Error for CryptoError {}

type HmacSm3 = Hmac<sm3::Sm3>;
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// The software implementation. Built from a key file on disk (`from_file`), it follows that file: when
/// `jiqun keys rotate` (another process, perhaps on another server) adds a key, the next seal notices the
/// file changed and seals with the new key, and an open that meets a key id it does not hold re-reads the
/// file once before it gives up. Old keys stay in the file, so what was sealed before stays readable.
pub struct Software {
    keys: std::sync::RwLock<std::sync::Arc<KeyFile>>,
    /// The file followed, and what it looked like when last read.
    source: Option<(std::path::PathBuf, std::sync::Mutex<Option<FileStamp>>)>,
}

/// Enough of a file's metadata to tell that it was replaced or rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

fn stamp(path: &std::path::Path) -> Option<FileStamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(FileStamp {
        len: m.len(),
        modified: m.modified().ok(),
        #[cfg(unix)]
        inode: std::os::unix::fs::MetadataExt::ino(&m),
    })
}

impl Software {
    /// Fixed keys, never reloaded (tests, and callers that manage the keys themselves).
    pub fn new(keys: KeyFile) -> Software {
        Software { keys: std::sync::RwLock::new(std::sync::Arc::new(keys)), source: None }
    }

    /// The keys of the file at `path` (created, mode 0600, when absent), followed as it changes.
    pub fn from_file(path: &std::path::Path) -> Result<Software, KeyFileError> {
        let before = stamp(path);
        let keys = KeyFile::load_or_create(path)?;
        // A file created just now gets its stamp here; one read before a concurrent rewrite keeps the older
        // stamp, so the rewrite is noticed on the next seal.
        let seen = before.or_else(|| stamp(path));
        Ok(Software {
            keys: std::sync::RwLock::new(std::sync::Arc::new(keys)),
            source: Some((path.to_path_buf(), std::sync::Mutex::new(seen))),
        })
    }

    /// The keys in force now.
    pub fn keys(&self) -> std::sync::Arc<KeyFile> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Re-reads the followed file when it changed since it was last read (or always, with `force`).
    /// A file that cannot be read or parsed leaves the keys in force as they are.
    fn refresh(&self, force: bool) -> std::sync::Arc<KeyFile> {
        let Some((path, seen)) = &self.source else { return self.keys() };
        let now = stamp(path);
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        if !force && *seen == now {
            return self.keys();
        }
        match std::fs::read_to_string(path).map(|t| KeyFile::parse(&t, &path.display().to_string())) {
            Ok(Ok(fresh)) if fresh.audit_key == self.keys().audit_key => {
                *seen = now;
                let fresh = std::sync::Arc::new(fresh);
                *self.keys.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
                fresh
            }
            // A different audit key would break the chain: that is not a rotation, keep what we have.
            _ => self.keys(),
        }
    }
}

/// SM4-GCM with a fresh random nonce; the result names the key, the nonce and the ciphertext.
fn seal_with(cipher: &Sm4Gcm, id: &str, plaintext: &[u8], context: &[u8]) -> Result<String, CryptoError> {
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|_| CryptoError::Invalid)?;
    seal_nonce(cipher, id, &nonce, plaintext, context)
}

/// SM4-GCM under a nonce drawn at random by the caller (never reused: 96 random bits each).
fn seal_nonce(
    cipher: &Sm4Gcm,
    id: &str,
    nonce: &[u8; 12],
    plaintext: &[u8],
    context: &[u8],
) -> Result<String, CryptoError> {
    let ct =
        cipher.encrypt(nonce.into(), Payload { msg: plaintext, aad: context }).map_err(|_| CryptoError::Invalid)?;
    // "sm4gcm:{id}:{nonce in hex}:{ciphertext in hex}", written into one allocation (an import seals
    // hundreds of thousands of figures).
    let mut out = Vec::with_capacity(8 + id.len() + 2 * (nonce.len() + ct.len()) + 1);
    out.extend_from_slice(b"sm4gcm:");
    out.extend_from_slice(id.as_bytes());
    out.push(b':');
    push_hex(&mut out, nonce);
    out.push(b':');
    push_hex(&mut out, &ct);
    String::from_utf8(out).map_err(|_| CryptoError::Invalid)
}

/// Appends `bytes` in lowercase hex.
fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
}

pub fn hmac_sm3(key: &[u8], data: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac =
        <HmacSm3 as hmac::KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

impl Crypto for Software {
    fn audit_mac(&self, data: &[u8]) -> String {
        hmac_sm3(&self.keys().audit_key, data)
    }

    fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<String, CryptoError> {
        let keys = self.refresh(false);
        let (id, key) = keys.current_field_key();
        let cipher = Sm4Gcm::new_from_slice(key).map_err(|_| CryptoError::Invalid)?;
        seal_with(&cipher, id, plaintext, context)
    }

    fn sealer(&self) -> Box<Sealer<'_>> {
        // One look at the key file and one key schedule for the whole batch.
        let keys = self.refresh(false);
        let (id, key) = keys.current_field_key();
        let id = id.to_string();
        // Nonces drawn from the operating system 4 KiB at a time rather than one system call each.
        let nonces = std::sync::Mutex::new((Vec::<u8>::new(), 0usize));
        match Sm4Gcm::new_from_slice(key) {
            Ok(cipher) => Box::new(move |plaintext, context| {
                let mut nonce = [0u8; 12];
                {
                    let mut pool = nonces.lock().unwrap_or_else(|e| e.into_inner());
                    if pool.1 + 12 > pool.0.len() {
                        pool.0 = vec![0u8; 4096 - 4096 % 12];
                        getrandom::fill(&mut pool.0).map_err(|_| CryptoError::Invalid)?;
                        pool.1 = 0;
                    }
                    let at = pool.1;
                    nonce.copy_from_slice(&pool.0[at..at + 12]);
                    pool.1 += 12;
                }
                seal_nonce(&cipher, &id, &nonce, plaintext, context)
            }),
            Err(_) => Box::new(|_, _| Err(CryptoError::Invalid)),
        }
    }

    fn open(&self, sealed: &str, context: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut parts = sealed.splitn(4, ':');
        let (Some("sm4gcm"), Some(id), Some(nonce), Some(ct)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::Invalid);
        };
        let mut keys = self.keys();
        if keys.field_key(id).is_none() {
            // Sealed under a key added since the file was read (a rotation by another process).
            keys = self.refresh(true);
        }
        let key = keys.field_key(id).ok_or_else(|| CryptoError::UnknownKey(id.to_string()))?;
        let nonce: [u8; 12] = hex::decode(nonce).ok().and_then(|n| n.try_into().ok()).ok_or(CryptoError::Invalid)?;
        let ct = hex::decode(ct).map_err(|_| CryptoError::Invalid)?;
        let cipher = Sm4Gcm::new_from_slice(key).map_err(|_| CryptoError::Invalid)?;
        cipher.decrypt((&nonce).into(), Payload { msg: &ct, aad: context }).map_err(|_| CryptoError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_matches_the_standard() {
        // GB/T 32905-2016, example 1: SM3("abc").
        use sm3::Digest;
        assert_eq!(
            hex::encode(sm3::Sm3::digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        // HMAC is keyed: another key, another tag.
        assert_ne!(hmac_sm3(b"k1", b"x"), hmac_sm3(b"k2", b"x"));
        assert_eq!(hmac_sm3(b"k1", b"x").len(), 64);
    }

    #[test]
    fn a_sealed_value_is_written_as_id_nonce_and_ciphertext_in_hex() {
        let cipher = Sm4Gcm::new_from_slice(&[7u8; 16]).unwrap();
        let nonce = [0xa5u8; 12];
        let sealed = seal_nonce(&cipher, "k2", &nonce, b"7622.98", b"figure:1:2024:tax_wan").unwrap();
        let ct = cipher.encrypt((&nonce).into(), Payload { msg: b"7622.98", aad: b"figure:1:2024:tax_wan" }).unwrap();
        assert_eq!(sealed, format!("sm4gcm:k2:{}:{}", hex::encode(nonce), hex::encode(ct)));
    }

    #[test]
    fn sm4_matches_the_standard() {
        // GB/T 32907-2016, example 1.
        use sm4::cipher::{BlockCipherEncrypt, KeyInit as _};
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let c = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = sm4::cipher::Array::try_from(key.as_slice()).unwrap();
        c.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn fields_seal_open_and_rotate() {
        let mut keys = KeyFile::generate().unwrap();
        let c = Software::new(keys.clone());
        let sealed = c.seal("营业收入 12345 万元".as_bytes(), b"enterprise:1:revenue").unwrap();
        assert!(sealed.starts_with("sm4gcm:"));
        assert_eq!(c.open(&sealed, b"enterprise:1:revenue").unwrap(), "营业收入 12345 万元".as_bytes());
        assert_eq!(c.open(&sealed, b"enterprise:2:revenue"), Err(CryptoError::Invalid), "bound to its context");
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('0') { '1' } else { '0' });
        assert_eq!(c.open(&tampered, b"enterprise:1:revenue"), Err(CryptoError::Invalid));
        // Rotation: new seals use the new key; old ones still open.
        keys.rotate().unwrap();
        let c2 = Software::new(keys);
        let newer = c2.seal(b"x", b"").unwrap();
        assert_ne!(newer.split(':').nth(1), sealed.split(':').nth(1));
        assert_eq!(c2.open(&sealed, b"enterprise:1:revenue").unwrap(), "营业收入 12345 万元".as_bytes());
    }

    #[test]
    fn a_followed_key_file_is_reloaded_after_rotation() {
        let (dir, path) = keys::fresh_key_path("follow");
        let server = Software::from_file(&path).unwrap();
        let old = server.seal(b"before", b"ctx").unwrap();
        // Another process rotates the file: adds key 2 and seals with it.
        let mut keys = KeyFile::load_or_create(&path).unwrap();
        keys.rotate().unwrap();
        keys.save(&path).unwrap();
        let cli = Software::new(keys);
        let by_cli = cli.seal(b"after", b"ctx").unwrap();
        assert_eq!(by_cli.split(':').nth(1), Some("2"));
        // The server opens what the other process sealed with the new key, and its old values.
        assert_eq!(server.open(&by_cli, b"ctx").unwrap(), b"after");
        assert_eq!(server.open(&old, b"ctx").unwrap(), b"before");
        // New seals use the new key.
        assert_eq!(server.seal(b"x", b"ctx").unwrap().split(':').nth(1), Some("2"));
        // A key id nobody has is still an error, not a panic.
        let foreign = by_cli.replacen(":2:", ":9:", 1);
        assert_eq!(server.open(&foreign, b"ctx"), Err(CryptoError::UnknownKey("9".into())));
        // A broken file keeps the keys in force.
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(server.open(&old, b"ctx").unwrap(), b"before");
        assert_eq!(server.seal(b"y", b"ctx").unwrap().split(':').nth(1), Some("2"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
