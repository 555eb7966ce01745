//! `cmdLine`: undo the tricks shells accept inside a command word.
//!
//! ModSecurity deletes `\ " ' ^`, turns each run of space, tab, CR, LF, `,` and `;` into a
//! single space, drops that space again when the next kept byte is `/` or `(`, and lowercases
//! everything else (ASCII only). Deleted bytes do not end a run of separators: `a ' b` gives
//! `a b`. Vertical tab and form feed are ordinary bytes here.

use std::borrow::Cow;

use super::output::owned_unless_same;
use super::TransformContext;

/// What the transformation does with each byte.
const KEEP: u8 = 0;
const LOWER: u8 = 1;
const DELETE: u8 = 2;
const SEPARATOR: u8 = 3;
/// `/` and `(`: kept, and no separator may stand before them.
const CLOSE_UP: u8 = 4;

static CLASS: [u8; 256] = {
    let mut class = [KEEP; 256];
    let kinds: [(&[u8], u8); 4] = [
        (b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", LOWER),
        (b"\"'\\^", DELETE),
        (b" ,;\t\r\n", SEPARATOR),
        (b"/(", CLOSE_UP),
    ];
    let mut k = 0;
    while k < kinds.len() {
        let (bytes, kind) = kinds[k];
        let mut i = 0;
        while i < bytes.len() {
            class[bytes[i] as usize] = kind;
            i += 1;
        }
        k += 1;
    }
    class
};

pub(super) fn cmd_line<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    // Up to the first byte that is not simply kept, the output is the input.
    let Some(first) = input.iter().position(|&b| CLASS[usize::from(b)] != KEEP) else {
        return Cow::Borrowed(input);
    };
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&input[..first]);
    let mut in_space = false;
    for &byte in &input[first..] {
        match CLASS[usize::from(byte)] {
            KEEP => {
                out.push(byte);
                in_space = false;
            }
            LOWER => {
                out.push(byte.to_ascii_lowercase());
                in_space = false;
            }
            DELETE => {}
            SEPARATOR => {
                if !in_space {
                    out.push(b' ');
                    in_space = true;
                }
            }
            _ => {
                if in_space {
                    out.pop();
                }
                in_space = false;
                out.push(byte);
            }
        }
    }
    owned_unless_same(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        cmd_line(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn deletes_quotes_carets_and_backslashes() {
        assert_eq!(run(b"w\"h'o^a\\mi"), b"whoami");
    }

    #[test]
    fn separators_collapse_to_one_space() {
        assert_eq!(run(b"cat ,;\t\r\n/etc/passwd"), b"cat/etc/passwd");
        assert_eq!(run(b"a ,; b"), b"a b");
        assert_eq!(run(b"a ' b"), b"a b");
        assert_eq!(run(b"  x  "), b" x ");
        assert_eq!(run(b"a\x0bb\x0c"), b"a\x0bb\x0c");
    }

    #[test]
    fn no_space_before_slash_or_paren() {
        assert_eq!(run(b"ls /tmp"), b"ls/tmp");
        assert_eq!(run(b"echo (1)"), b"echo(1)");
        assert_eq!(run(b"a '/b"), b"a/b");
        assert_eq!(run(b" /"), b"/");
    }

    #[test]
    fn lowercases_ascii_only() {
        assert_eq!(run(b"PING \xc3\x89X"), b"ping \xc3\x89x");
    }

    /// The rules of the module doc, written as plainly as possible.
    fn model(input: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        let mut in_space = false;
        for &byte in input {
            match byte {
                b'"' | b'\'' | b'\\' | b'^' => {}
                b' ' | b',' | b';' | b'\t' | b'\r' | b'\n' => {
                    if !in_space {
                        out.push(b' ');
                        in_space = true;
                    }
                }
                b'/' | b'(' => {
                    if in_space {
                        out.pop();
                    }
                    in_space = false;
                    out.push(byte);
                }
                _ => {
                    out.push(byte.to_ascii_lowercase());
                    in_space = false;
                }
            }
        }
        out
    }

    #[test]
    fn agrees_with_the_plain_rules_on_every_short_mix() {
        let alphabet = b"aZ \"'\\^,;\t/(x\x0b\xc9";
        for input in rampart_testkit::random_texts(0x9e37_79b9_7f4a_7c15, alphabet, 12, 50_000) {
            assert_eq!(
                run(&input),
                model(&input),
                "{:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            cmd_line(b"ls -la", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
