//! 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-character
//! alphabet (digits and capitals without I, O, S, V, Z); the last is a check character over the first 17.

/// The code's alphabet, in value order (0..=30).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weights of positions 1..17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Each byte's value in the alphabet, or 255: a table, because validation runs a million times a second.
const VALUES: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

fn value(c: u8) -> Option<u32> {
    let v = VALUES[c as usize];
    (v != 255).then_some(v as u32)
}

/// Why a code is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    Length(usize),
    /// A character outside the alphabet, at a 1-based position.
    Character {
        position: usize,
        found: char,
    },
    /// Positions 3-8 must be digits (the administrative division code).
    Region,
    CheckCharacter {
        expected: char,
        found: char,
    },
}

impl UsccError {
    pub fn message(&self, lang: crate::Lang) -> String {
        match (self, lang) {
            (UsccError::Length(n), crate::Lang::Zh) => format!("统一社会信用代码应为 18 位，实为 {n} 位"),
            (UsccError::Length(n), crate::Lang::En) => format!("a USCC has 18 characters, not {n}"),
            (UsccError::Character { position, found }, crate::Lang::Zh) => {
                format!("第 {position} 位“{found}”不是统一社会信用代码允许的字符")
            }
            (UsccError::Character { position, found }, crate::Lang::En) => {
                format!("character {position} “{found}” is not allowed in a USCC")
            }
            (UsccError::Region, crate::Lang::Zh) => "第 3 至 8 位应为行政区划代码（数字）".to_string(),
            (UsccError::Region, crate::Lang::En) => "characters 3 to 8 must be the division code (digits)".to_string(),
            (UsccError::CheckCharacter { expected, found }, crate::Lang::Zh) => {
                format!("校验位应为“{expected}”，实为“{found}”")
            }
            (UsccError::CheckCharacter { expected, found }, crate::Lang::En) => {
                format!("the check character should be “{expected}”, not “{found}”")
            }
        }
    }
}

/// The check character of the first 17 characters.
pub fn check_character(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    Some(ALPHABET[v as usize])
}

/// Validates a code (upper case as written; lower case is refused, as registries print capitals).
pub fn validate(code: &[u8]) -> Result<(), UsccError> {
    if code.len() != 18 {
        return Err(UsccError::Length(String::from_utf8_lossy(code).chars().count()));
    }
    for (i, &c) in code.iter().enumerate() {
        if value(c).is_none() {
            return Err(UsccError::Character { position: i + 1, found: c as char });
        }
    }
    if !code[2..8].iter().all(u8::is_ascii_digit) {
        return Err(UsccError::Region);
    }
    let expected = check_character(&code[..17]).unwrap_or(b'?');
    if expected != code[17] {
        return Err(UsccError::CheckCharacter { expected: expected as char, found: code[17] as char });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_characters() {
        // Published codes of well-known bodies.
        assert!(validate(b"91440300708461136T").is_ok(), "Huawei Technologies Co., Ltd.");
        assert!(validate(b"9144030071526726XG").is_ok(), "Shenzhen Tencent Computer Systems Co., Ltd.");
        // Any 17 characters plus their check character.
        let mut code = b"91440101MA5CXXXX0".to_vec();
        code.push(check_character(&code).unwrap());
        assert!(validate(&code).is_ok());
        let mut bad = *b"91440300708461136T";
        bad[17] = b'U';
        assert_eq!(validate(&bad), Err(UsccError::CheckCharacter { expected: 'T', found: 'U' }));
        assert_eq!(validate(b"91440300708461136"), Err(UsccError::Length(17)));
        assert!(matches!(validate(b"9144030070846113IT"), Err(UsccError::Character { position: 17, .. })));
        assert_eq!(validate(b"9144A300708461136T"), Err(UsccError::Region));
    }
}
