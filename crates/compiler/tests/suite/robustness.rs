//! No input makes the compiler panic. Deterministic fuzzing that runs in every test run: arbitrary bytes,
//! arbitrary Unicode built from the genre's own tokens, and mutations of the real plan; plus a replay of
//! the cargo-fuzz corpus kept in `fuzz/corpus/compile` (see docs/plan-compiler.md).

use jiqun_compiler::{BUILTIN_TEXT, Options, compile};

/// xorshift64*: small, fixed, and good enough to drive input generation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Fewer than `most` of `lines`, drawn at random: lines shuffled, dropped and repeated.
    fn lines(&mut self, lines: &[&str], most: usize) -> Vec<u8> {
        let mut out = String::new();
        for _ in 0..self.below(most) {
            out.push_str(lines[self.below(lines.len())]);
            out.push('\n');
        }
        out.into_bytes()
    }
    /// `text` with 1 to `most` of the genre's tokens spliced in at character boundaries.
    fn spliced(&mut self, text: &str, most: usize) -> Vec<u8> {
        let mut s = text.to_string();
        for _ in 0..1 + self.below(most) {
            let mut at = self.below(s.len());
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            s.insert_str(at, TOKENS[self.below(TOKENS.len())]);
        }
        s.into_bytes()
    }
}

const TOKENS: &[&str] = &[
    "一、",
    "二、",
    "十一、",
    "第一章",
    "第二部分",
    "(一)",
    "(二)",
    "（三）",
    "1.",
    "2、",
    "(1)",
    "(2)",
    "牵头",
    "按职责分工负责",
    "负责",
    "配合",
    "牵头单位:",
    "责任单位：",
    "省",
    "省委",
    "科技厅",
    "机要局",
    "省发展改革委",
    "广东省",
    "中共广东省委",
    "、",
    ",",
    "，",
    "。",
    ";",
    "(",
    ")",
    "（",
    "）",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{3000}",
    "到2025年",
    "2019年",
    "截至2022年底",
    "2025年前",
    "年",
    "7",
    "1.8",
    "3-5",
    "1,000",
    "万亿元",
    "亿元",
    "万",
    "%",
    "‰",
    "个",
    "家",
    "以上",
    "以内",
    "千亿级",
    "万亿级",
    "突破",
    "超过",
    "达到",
    "不低于",
    "不超过",
    "力争",
    "约",
    "《",
    "》",
    "〔2023〕",
    "[2023]",
    "14号",
    "关于印发",
    "的通知",
    "行动计划",
    "(2021—2025年)",
    "2020年9月25日",
    "二〇二三年十二月二十九日",
    "广州",
    "深圳",
    "以",
    "为依托",
    "发展",
    "支持",
    "等",
    "附件",
    "首页 > 政策",
    "索引号:",
    "标题:",
    "发文机关",
    "发文字号 ",
    "成文日期:",
    "有效期至",
    "长期",
    "企业规模",
    "| ",
    "2099年1月15日",
    "<p>",
    "</p>",
    "<html>",
    "&amp;",
    "&#x0;",
    "&#99999999;",
    "\u{0}",
    "\u{200b}",
    "\u{feff}",
    "\u{202e}",
    "🙂",
    "é",
    "\u{10ffff}",
    "…",
    "—",
];

/// `JIQUN_FUZZ_SCALE=50 cargo test --release --test robustness` runs fifty times as many inputs.
fn scale() -> usize {
    std::env::var("JIQUN_FUZZ_SCALE").ok().and_then(|v| v.parse().ok()).unwrap_or(1)
}

/// `JIQUN_FUZZ_SEED` varies the inputs; CI uses the fixed default.
fn seed() -> u64 {
    std::env::var("JIQUN_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn must_not_panic(bytes: &[u8], opts: &Options) {
    // Either a plan or an error; what matters is that it returns.
    let _ = compile(bytes, opts);
}

#[test]
fn arbitrary_bytes() {
    let opts = Options::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed());
    for i in 0..3000 * scale() {
        let len = rng.below(if i % 10 == 0 { 4096 } else { 256 });
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let prefix: &[u8] = match i % 4 {
            0 => b"PK\x03\x04",
            1 => b"<html><body>",
            2 => b"\xEF\xBB\xBF",
            _ => b"",
        };
        bytes.splice(0..0, prefix.iter().copied());
        must_not_panic(&bytes, &opts);
    }
}

#[test]
fn arbitrary_unicode_from_the_genres_tokens() {
    let opts = Options::default();
    let mut rng = Rng(42 ^ seed());
    for _ in 0..4000 * scale() {
        let mut s = String::new();
        for _ in 0..rng.below(120) {
            if rng.below(8) == 0 {
                // Any scalar value, not only the tokens.
                if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                    s.push(c);
                }
            } else {
                s.push_str(TOKENS[rng.below(TOKENS.len())]);
            }
        }
        must_not_panic(s.as_bytes(), &opts);
        let (gbk, _, _) = encoding_rs::GB18030.encode(&s);
        must_not_panic(&gbk, &opts);
    }
}

#[test]
fn mutations_of_the_real_plan() {
    let opts = Options::default();
    let base = BUILTIN_TEXT.as_bytes();
    let lines: Vec<&str> = BUILTIN_TEXT.lines().collect();
    let mut rng = Rng(7 ^ seed());
    for i in 0..600 * scale() {
        let bytes: Vec<u8> = match i % 4 {
            // Truncated anywhere, also inside a character.
            0 => base[..rng.below(base.len())].to_vec(),
            // Bytes flipped.
            1 => {
                let mut b = base.to_vec();
                for _ in 0..1 + rng.below(20) {
                    let at = rng.below(b.len());
                    b[at] ^= 1 << rng.below(8);
                }
                b
            }
            // Lines shuffled, dropped and repeated.
            2 => rng.lines(&lines, 40),
            // Tokens spliced into the text at character boundaries.
            _ => rng.spliced(BUILTIN_TEXT, 30),
        };
        must_not_panic(&bytes, &opts);
    }
}

#[test]
fn mutations_of_the_metadata_fixtures() {
    let opts = Options::default();
    let mut rng = Rng(11 ^ seed());
    for doc in [
        include_str!("../fixtures/meta-table.html"),
        include_str!("../fixtures/meta-colon.txt"),
        include_str!("../fixtures/meta-pipe.txt"),
        include_str!("../fixtures/meta-lines.html"),
    ] {
        let lines: Vec<&str> = doc.lines().collect();
        for i in 0..150 * scale() {
            let bytes: Vec<u8> = match i % 3 {
                // Truncated anywhere, also inside a character.
                0 => doc.as_bytes()[..rng.below(doc.len())].to_vec(),
                // Lines shuffled, dropped and repeated: labels without values, values without labels.
                1 => rng.lines(&lines, 30),
                // Tokens spliced into the text at character boundaries.
                _ => rng.spliced(doc, 20),
            };
            must_not_panic(&bytes, &opts);
        }
    }
}

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/compile");
    let entries = std::fs::read_dir(&dir).expect("the fuzz corpus is kept in the repository");
    let opts = Options::default();
    let mut n = 0;
    for e in entries.flatten() {
        if let Ok(bytes) = std::fs::read(e.path()) {
            must_not_panic(&bytes, &opts);
            n += 1;
        }
    }
    assert!(n > 0, "the corpus has inputs");
}
