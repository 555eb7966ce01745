//! Transformations (`t:…`): functions from bytes to bytes, with ModSecurity v3's semantics.
//!
//! Each transformation lives in its own module and is registered in [`lookup`], the one table
//! that maps the parser's [`Transformation`] names to code. A transformation returns a borrow
//! of its input when its output is a prefix of it — the whole input when it changes nothing —
//! so the common benign case allocates nothing; callers must compare lengths rather than treat
//! every borrow as "unchanged". Results are cached per transaction by the caller, not here.
//!
//! The reference is libmodsecurity 3.0.9. Its transformations are C-style loops over a
//! NUL-terminated copy of the value, and several of their accidents (reading the terminator,
//! measuring a result with `strlen`, an off-by-one bound) change what rules see. Where they
//! do, the module reproduces them and says so; where later releases behave differently, the
//! module notes that too. Values are bytes throughout: nothing assumes UTF-8, and case and
//! character classes are those of the C locale.

use std::borrow::Cow;

use rampart_seclang::Transformation;

use crate::byte_set::ByteSet;

mod base64;
mod case;
mod cmd_line;
mod compress_whitespace;
mod css_decode;
mod ctype;
mod digest;
mod escape_seq_decode;
mod hex_decode;
mod hex_encode;
mod html_entity_decode;
mod js_decode;
mod length;
mod normalize_path;
mod nulls;
mod output;
mod parity;
mod php_args_names;
mod remove_comments;
mod remove_comments_char;
mod remove_whitespace;
mod replace_comments;
mod sql_hex_decode;
mod trim;
mod unicode_map;
mod url_decode;
mod url_decode_uni;
mod url_encode;
mod utf8_to_unicode;

pub use unicode_map::UnicodeMap;

/// What a transformation may need beyond its input.
#[derive(Debug, Default, Clone, Copy)]
pub struct TransformContext<'a> {
    /// The `SecUnicodeMapFile` mapping for `urlDecodeUni`'s `%uXXXX`, if configured.
    pub unicode_map: Option<&'a UnicodeMap>,
}

/// A transformation: the output, borrowed from the input when nothing changed.
pub type TransformFn = for<'a> fn(&'a [u8], &TransformContext<'_>) -> Cow<'a, [u8]>;

fn none<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    Cow::Borrowed(input)
}

/// A transformation ready to run: its code and the bytes it acts on.
#[derive(Debug, Clone, Copy)]
pub struct Transform {
    pub transformation: Transformation,
    run: TransformFn,
    triggers: Option<Triggers>,
    /// `triggers` as a set, for callers that know which bytes a value holds.
    trigger_set: Option<ByteSet>,
}

impl Transform {
    pub fn new(transformation: Transformation) -> Self {
        let triggers = triggers(transformation);
        Transform {
            transformation,
            run: lookup(transformation),
            triggers,
            trigger_set: triggers.map(Triggers::bytes),
        }
    }

    /// The bytes without which this transformation leaves its input as it is, when it has
    /// such a set.
    pub fn triggers(&self) -> Option<ByteSet> {
        self.trigger_set
    }

    /// [`may_change`](Self::may_change) for an input that holds the bytes `present`: no
    /// pass over the input.
    pub fn may_change_holding(&self, present: &ByteSet) -> bool {
        self.trigger_set
            .is_none_or(|triggers| triggers.intersects(present))
    }

    /// [`apply`](Self::apply) for an input already known to hold a trigger byte.
    pub fn apply_triggered<'a>(
        &self,
        input: &'a [u8],
        context: &TransformContext<'_>,
    ) -> Cow<'a, [u8]> {
        (self.run)(input, context)
    }

    /// Whether the transformation can change `input` at all (it holds a trigger byte, or
    /// the transformation has no trigger set).
    pub fn may_change(&self, input: &[u8]) -> bool {
        self.triggers
            .is_none_or(|triggers| triggers.occur_in(input))
    }

    /// The output, borrowed from the input when nothing changed. Most benign values hold
    /// none of the bytes a decoder acts on, and a search for those (`memchr`) is far cheaper
    /// than the decoding loop.
    pub fn apply<'a>(&self, input: &'a [u8], context: &TransformContext<'_>) -> Cow<'a, [u8]> {
        match self.triggers {
            Some(triggers) if !triggers.occur_in(input) => Cow::Borrowed(input),
            _ => (self.run)(input, context),
        }
    }
}

/// Bytes without which a transformation returns its input unchanged.
#[derive(Debug, Clone, Copy)]
enum Triggers {
    One(u8),
    Two(u8, u8),
    Three(u8, u8, u8),
    Table(&'static [bool; 256]),
}

impl Triggers {
    fn bytes(self) -> ByteSet {
        match self {
            Triggers::One(a) => ByteSet::of(&[a]),
            Triggers::Two(a, b) => ByteSet::of(&[a, b]),
            Triggers::Three(a, b, c) => ByteSet::of(&[a, b, c]),
            Triggers::Table(table) => ByteSet::from_fn(|byte| table[usize::from(byte)]),
        }
    }

    fn occur_in(self, input: &[u8]) -> bool {
        match self {
            Triggers::One(a) => memchr::memchr(a, input).is_some(),
            Triggers::Two(a, b) => memchr::memchr2(a, b, input).is_some(),
            Triggers::Three(a, b, c) => memchr::memchr3(a, b, c, input).is_some(),
            Triggers::Table(table) => input.iter().any(|&byte| table[usize::from(byte)]),
        }
    }
}

/// A byte table holding `bytes` and every byte in the inclusive `ranges`.
const fn table(bytes: &[u8], ranges: &[(u8, u8)]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    let mut r = 0;
    while r < ranges.len() {
        let (mut byte, last) = ranges[r];
        while byte < last {
            table[byte as usize] = true;
            byte += 1;
        }
        table[last as usize] = true;
        r += 1;
    }
    table
}

const WHITESPACE: &[u8] = b" \t\n\x0b\x0c\r";
static NON_ASCII_OR_NUL: [bool; 256] = table(b"\0", &[(0x80, 0xff)]);
static UPPER: [bool; 256] = table(b"", &[(b'A', b'Z')]);
static LOWER: [bool; 256] = table(b"", &[(b'a', b'z')]);
static SPACES: [bool; 256] = table(WHITESPACE, &[]);
static SPACES_AND_NBSP: [bool; 256] = table(b" \t\n\x0b\x0c\r\xa0\xc2", &[]);
static COMMENT_MARKERS: [bool; 256] = table(b"/<-#", &[]);
static COMMENT_CHARS: [bool; 256] = table(b"/*<-#", &[]);
static SHELL: [bool; 256] = table(b"\\\"'^,; \t\n\r", &[(b'A', b'Z')]);

/// The bytes each transformation acts on, where there is such a set. Checked against the
/// code itself by `triggers_are_exact_where_declared` below.
fn triggers(transformation: Transformation) -> Option<Triggers> {
    use Transformation as T;
    Some(match transformation {
        T::UrlDecode | T::UrlDecodeUni => Triggers::Two(b'%', b'+'),
        T::HtmlEntityDecode => Triggers::One(b'&'),
        T::JsDecode | T::EscapeSeqDecode => Triggers::One(b'\\'),
        // The decoded value is a C string: it also ends at a NUL of the input.
        T::CssDecode => Triggers::Two(b'\\', 0),
        T::RemoveNulls | T::ReplaceNulls => Triggers::One(0),
        // Like `cssDecode`, its result ends at a NUL.
        T::Utf8ToUnicode => Triggers::Table(&NON_ASCII_OR_NUL),
        T::Lowercase => Triggers::Table(&UPPER),
        T::Uppercase => Triggers::Table(&LOWER),
        T::CompressWhitespace => Triggers::Table(&SPACES),
        T::RemoveWhitespace => Triggers::Table(&SPACES_AND_NBSP),
        T::NormalizePath => Triggers::Two(b'.', b'/'),
        T::NormalizePathWin => Triggers::Three(b'.', b'/', b'\\'),
        T::RemoveComments => Triggers::Table(&COMMENT_MARKERS),
        T::RemoveCommentsChar => Triggers::Table(&COMMENT_CHARS),
        T::ReplaceComments => Triggers::One(b'/'),
        T::CmdLine => Triggers::Table(&SHELL),
        T::Trim | T::TrimLeft | T::TrimRight => Triggers::Table(&SPACES),
        _ => return None,
    })
}

/// The code of a transformation.
pub fn lookup(transformation: Transformation) -> TransformFn {
    use Transformation as T;
    match transformation {
        T::None => none,
        T::Base64Decode => base64::base64_decode,
        T::Base64DecodeExt => base64::base64_decode_ext,
        T::Base64Encode => base64::base64_encode,
        T::CmdLine => cmd_line::cmd_line,
        T::CompressWhitespace => compress_whitespace::compress_whitespace,
        T::CssDecode => css_decode::css_decode,
        T::EscapeSeqDecode => escape_seq_decode::escape_seq_decode,
        T::HexDecode => hex_decode::hex_decode,
        T::HexEncode => hex_encode::hex_encode,
        T::HtmlEntityDecode => html_entity_decode::html_entity_decode,
        T::JsDecode => js_decode::js_decode,
        T::Length => length::length,
        T::Lowercase => case::lowercase,
        T::Md5 => digest::md5,
        T::NormalizePath => normalize_path::normalize_path,
        T::NormalizePathWin => normalize_path::normalize_path_win,
        T::ParityEven7bit => parity::parity_even_7bit,
        T::ParityOdd7bit => parity::parity_odd_7bit,
        T::ParityZero7bit => parity::parity_zero_7bit,
        T::PhpArgsNames => php_args_names::php_args_names,
        T::RemoveComments => remove_comments::remove_comments,
        T::RemoveCommentsChar => remove_comments_char::remove_comments_char,
        T::RemoveNulls => nulls::remove_nulls,
        T::RemoveWhitespace => remove_whitespace::remove_whitespace,
        T::ReplaceComments => replace_comments::replace_comments,
        T::ReplaceNulls => nulls::replace_nulls,
        T::Sha1 => digest::sha1,
        T::SqlHexDecode => sql_hex_decode::sql_hex_decode,
        T::Trim => trim::trim,
        T::TrimLeft => trim::trim_left,
        T::TrimRight => trim::trim_right,
        T::Uppercase => case::uppercase,
        T::UrlDecode => url_decode::url_decode,
        T::UrlDecodeUni => url_decode_uni::url_decode_uni,
        T::UrlEncode => url_encode::url_encode,
        T::Utf8ToUnicode => utf8_to_unicode::utf8_to_unicode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs chosen to hit every decoder's edges: ends of buffers, lone introducers, invalid
    /// encodings, NULs, long runs and every byte value.
    fn nasty_inputs() -> Vec<Vec<u8>> {
        let all_bytes: Vec<u8> = (0..=255u8).collect();
        let mut inputs: Vec<Vec<u8>> = [
            &b""[..],
            b"%",
            b"%u",
            b"%U",
            b"%u1",
            b"%u12",
            b"%u123",
            b"%uffff",
            b"%%%",
            b"+",
            b"\\",
            b"\\u",
            b"\\x",
            b"\\0",
            b"\\777",
            b"&",
            b"&#",
            b"&#x",
            b"&#x;",
            b"&#99999999999999999999999999",
            b"&nbsp",
            b"0",
            b"0x",
            b"0x4",
            b"0x41",
            b"/",
            b".",
            b"..",
            b"/..",
            b"\\..\\\\\\",
            b"/*",
            b"*/",
            b"<!--",
            b"--",
            b"#",
            b"-->",
            b"=",
            b"9",
            b"Q===",
            b"[",
            b"[]",
            b"a[",
            b"\0",
            b"\0\0\0",
            b"a\0b",
            b"\xc3",
            b"\xe2\x82",
            b"\xf0\x9f\x98",
            b"\xff\xfe\xfd",
            b"\xed\xa0\x80",
            b"\xc0\xaf",
            b"\xf7\xbf\xbf\xbf",
            b"\xf8\x88\x80\x80\x80",
            b"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
            b"  \t\r\n\x0b\x0c  ",
            b"UNION/**/SELECT/*",
            b"dir/./../../x//y/",
        ]
        .iter()
        .map(|s| s.to_vec())
        .collect();
        inputs.push(all_bytes.clone());
        inputs.push(all_bytes.iter().rev().copied().collect());
        for pattern in [
            &b"%"[..],
            b"%u",
            b"%41",
            b"%uff21",
            b"\\",
            b"\\x4",
            b"&#",
            b"&amp;",
            b"/../",
            b"/*",
            b"*/",
            b"0x",
            b"\xc3",
            b"\xe2\x82\xac",
            b"\0",
            b" ",
            b"=",
            b"[",
            b"]",
            b"a",
        ] {
            inputs.push(pattern.repeat(20_000));
        }
        inputs.push(
            all_bytes
                .iter()
                .flat_map(|&b| [b'%', b, b'\\', b, b'&', b'#', b])
                .collect(),
        );
        inputs
    }

    #[test]
    fn every_transformation_is_total_and_borrows_when_unchanged() {
        let map = UnicodeMap::parse("20127 (US-ASCII)\nff21:41 00c0:41\n", 20127)
            .expect("a small map parses");
        let contexts = [
            TransformContext::default(),
            TransformContext {
                unicode_map: Some(&map),
            },
        ];
        let inputs = nasty_inputs();
        for &transformation in Transformation::ALL {
            let f = lookup(transformation);
            for ctx in &contexts {
                for input in &inputs {
                    let output = f(input, ctx);
                    if *output == **input {
                        assert!(
                            matches!(output, Cow::Borrowed(_)),
                            "{transformation} allocated an unchanged value of {} bytes",
                            input.len()
                        );
                    }
                }
            }
        }
    }

    /// A value without any of a transformation's declared trigger bytes must come back
    /// unchanged from the code itself, or skipping the call would change what rules see.
    #[test]
    fn triggers_are_exact_where_declared() {
        let ctx = TransformContext::default();
        let mut next = rampart_testkit::xorshift(0x2545_f491_4f6c_dd1d);
        for &transformation in Transformation::ALL {
            let Some(triggers) = triggers(transformation) else {
                continue;
            };
            let f = lookup(transformation);
            let allowed: Vec<u8> = (0..=255u8).filter(|&b| !triggers.occur_in(&[b])).collect();
            let mut inputs: Vec<Vec<u8>> = nasty_inputs()
                .into_iter()
                .map(|input| {
                    input
                        .into_iter()
                        .filter(|&b| !triggers.occur_in(&[b]))
                        .collect()
                })
                .collect();
            for _ in 0..2_000 {
                let len = (next() % 40) as usize;
                inputs.push(
                    (0..len)
                        .map(|_| allowed[(next() % allowed.len() as u64) as usize])
                        .collect(),
                );
            }
            for input in &inputs {
                assert!(!triggers.occur_in(input));
                assert_eq!(
                    &*f(input, &ctx),
                    &input[..],
                    "{transformation} changed a value without its trigger bytes: {:?}",
                    String::from_utf8_lossy(&input[..input.len().min(60)])
                );
            }
        }
    }

    /// The transformations that copy their input in bulk against their one-line definitions.
    #[test]
    fn bulk_copies_agree_with_the_definitions() {
        let ctx = TransformContext::default();
        let alphabet = b"aZ09 \t\n\x0b\x0c\r\xa0\xc2\xc3&;#x";
        for input in rampart_testkit::random_texts(0x2545_f491_4f6c_dd1d, alphabet, 16, 20_000) {
            assert_eq!(*case::lowercase(&input, &ctx), input.to_ascii_lowercase());
            assert_eq!(*case::uppercase(&input, &ctx), input.to_ascii_uppercase());
            let kept: Vec<u8> = input
                .iter()
                .copied()
                .filter(|&b| !(b" \t\n\x0b\x0c\r\xa0\xc2".contains(&b)))
                .collect();
            assert_eq!(*remove_whitespace::remove_whitespace(&input, &ctx), kept);
        }
    }

    #[test]
    fn every_transformation_is_registered() {
        let input = b" A\tB%41\\x41&amp;/./#/**/\0 ";
        let changed: Vec<Transformation> = Transformation::ALL
            .iter()
            .copied()
            .filter(|&t| *lookup(t)(input, &TransformContext::default()) != input[..])
            .collect();
        // Everything changes this value except `none`, and `parityZero7bit`, which only
        // touches bytes above 0x7F.
        let unchanged: Vec<Transformation> = Transformation::ALL
            .iter()
            .copied()
            .filter(|t| !changed.contains(t))
            .collect();
        assert_eq!(
            unchanged,
            [Transformation::None, Transformation::ParityZero7bit]
        );
    }

    #[test]
    fn outputs_of_a_few_transformations_through_the_table() {
        let ctx = TransformContext::default();
        let run = |t: Transformation, input: &[u8]| lookup(t)(input, &ctx).into_owned();
        assert_eq!(run(Transformation::UrlDecodeUni, b"%u0041"), b"A");
        assert_eq!(run(Transformation::Lowercase, b"ABC"), b"abc");
        assert_eq!(run(Transformation::Length, b"abc"), b"3");
        assert_eq!(run(Transformation::HexEncode, b"\x01"), b"01");
        assert_eq!(run(Transformation::None, b"\x01"), b"\x01");
    }
}
