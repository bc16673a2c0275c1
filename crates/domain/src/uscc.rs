//! 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters from a 31-character
//! alphabet (digits and capitals without I, O, S, V, Z); the last is a check character over the first 17.

/// The code's alphabet, in value order (0..=30). The one definition in Jiqun.
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
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

/// Whether a code is valid, by the rules of `validate`, without saying why: the per-mu engine's hot path
/// (a million codes a second), which asks `validate` for the error only when this says no.
#[inline]
pub fn is_valid(code: &[u8]) -> bool {
    let Ok(code) = <&[u8; 18]>::try_from(code) else { return false };
    let mut sum = 0u32;
    let mut bad = 0u8;
    for (&c, &w) in code[..17].iter().zip(&WEIGHTS) {
        let v = VALUES[c as usize];
        bad |= v;
        sum += u32::from(v & 0x1f) * w;
    }
    let region = code[2..8].iter().all(u8::is_ascii_digit);
    bad & 0x80 == 0 && region && ALPHABET[((31 - sum % 31) % 31) as usize] == code[17]
}

/// The organisation-code part of a synthetic code: `n` written in the alphabet, `width` characters.
pub fn encode(mut n: u64, out: &mut [u8]) {
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 31) as usize];
        n /= 31;
    }
}

/// A unified social credit code that passed the GB 32100 check: it cannot hold an invalid value. Parse it
/// once at the edge (`Uscc::parse`), then pass it around.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

impl Uscc {
    /// Reads a code as people type it: surrounding and inner spaces, full-width characters and lower case
    /// are forgiven; then the code must pass `validate`.
    pub fn parse(s: &str) -> Result<Uscc, UsccError> {
        let code: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .map(|c| c.to_ascii_uppercase())
            .collect();
        validate(code.as_bytes())?;
        Ok(Uscc(code))
    }

    /// The code for 17 characters and their check character (synthetic data, tests).
    pub fn complete(first17: &[u8]) -> Option<Uscc> {
        let c = check_character(first17)?;
        let mut code = String::from_utf8(first17.to_vec()).ok()?;
        code.push(c as char);
        validate(code.as_bytes()).ok()?;
        Some(Uscc(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The administrative division code (characters 3 to 8), e.g. `440300` for 深圳.
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }
}

crate::checked_string!(Uscc);

impl std::str::FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Uscc, UsccError> {
        Uscc::parse(s)
    }
}

impl utoipa::PartialSchema for Uscc {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9A-HJ-NP-RT-UW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RT-UW-Y]{10}$"))
            .description(Some("统一社会信用代码 (GB 32100-2015), with its check character"))
            .into()
    }
}

impl utoipa::ToSchema for Uscc {}

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

    #[test]
    fn the_type_parses_once_and_forgives_what_people_type() {
        let u = Uscc::parse(" 9144 0300 7084 6113 6t ").unwrap();
        assert_eq!((u.as_str(), u.division()), ("91440300708461136T", "440300"));
        assert_eq!(Uscc::parse("９１４４０３００７０８４６１１３６Ｔ").unwrap(), u);
        assert_eq!(Uscc::parse("91440300708461136U"), Err(UsccError::CheckCharacter { expected: 'T', found: 'U' }));
        assert_eq!(Uscc::complete(b"91440300708461136"), Some(u.clone()));
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"91440300708461136T\"");
        assert!(serde_json::from_str::<Uscc>("\"91440300708461136U\"").is_err());
        // The fast check agrees with the one that explains.
        let mut code = *b"91440101MA5CXXXX00";
        for n in 0..5000u64 {
            encode(n * 7919, &mut code[8..17]);
            for last in ALPHABET.iter().chain(b"IOZ*") {
                code[17] = *last;
                assert_eq!(is_valid(&code), validate(&code).is_ok(), "{code:?}");
            }
        }
    }
}
