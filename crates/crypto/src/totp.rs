//! TOTP (RFC 6238) over HOTP (RFC 4226): HMAC-SHA1, 30-second steps, 6 digits, as authenticator apps do.

use hmac::{Hmac, Mac};

/// The 6-digit code for a shared secret at a Unix time.
pub fn totp_at(secret: &[u8], unix_seconds: u64) -> String {
    let counter = unix_seconds / 30;
    let mut mac = <Hmac<sha1::Sha1> as hmac::KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    format!("{:06}", bin % 1_000_000)
}

/// Accepts the code of the current step or of one step either side (clock drift), in constant time per
/// candidate. Returns the step that matched, so a caller can refuse its reuse.
pub fn totp_verify(secret: &[u8], code: &str, unix_seconds: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = unix_seconds / 30;
    [step.saturating_sub(1), step, step + 1].into_iter().find(|s| {
        let expected = totp_at(secret, s * 30);
        expected.bytes().zip(code.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vectors() {
        // RFC 6238 appendix B, SHA-1 seed, codes truncated to 6 digits.
        let seed = b"12345678901234567890";
        for (t, code) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
        ] {
            assert_eq!(totp_at(seed, t), code, "t={t}");
        }
        assert_eq!(totp_verify(seed, "081804", 1111111109 + 30), Some(1111111109 / 30), "one step of drift");
        assert_eq!(totp_verify(seed, "081804", 1111111109 + 90), None);
        assert_eq!(totp_verify(seed, "08180", 1111111109), None);
    }
}
