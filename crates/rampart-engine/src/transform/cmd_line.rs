//! `cmdLine`: undo the tricks shells accept inside a command word.
//!
//! ModSecurity deletes `\ " ' ^`, turns each run of space, tab, CR, LF, `,` and `;` into a
//! single space, drops that space again when the next kept byte is `/` or `(`, and lowercases
//! everything else (ASCII only). Deleted bytes do not end a run of separators: `a ' b` gives
//! `a b`. Vertical tab and form feed are ordinary bytes here.

use std::borrow::Cow;

use super::output::Output;
use super::TransformContext;

pub(super) fn cmd_line<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
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
                    out.truncate(out.len().saturating_sub(1));
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
    out.finish()
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

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            cmd_line(b"ls -la", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
