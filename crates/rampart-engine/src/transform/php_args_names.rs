//! `phpArgsNames`: rewrite an argument name the way PHP registers it.
//!
//! This transformation is not part of libmodsecurity 3.0.x; it exists only in ModSecurity's
//! experimental v3 development line, which this follows. It mimics PHP's
//! `php_register_variable_ex`: a name starting with `[` or `=` becomes empty; leading spaces
//! are dropped; before the first `[`, spaces and dots become `_`. If a `]` follows that `[`
//! (before any NUL byte, as in C `strchr`), the name is an array: the base name is followed
//! by the bracketed parts that come one right after another, and anything after the last of
//! them is dropped (`a[b]c` → `a[b]`, and `[ ]` becomes `[]`). If no `]` follows, the `[`
//! becomes `_` and the rest is copied unchanged.

use std::borrow::Cow;

use super::ctype::at;
use super::output::Output;
use super::TransformContext;

pub(super) fn php_args_names<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    if matches!(at(input, 0), b'[' | b'=') {
        return out.finish();
    }
    // The first `]` at or after `from`, unless a NUL comes first.
    let closing = |from: usize| {
        input
            .get(from..)
            .unwrap_or_default()
            .iter()
            .position(|&b| b == b']' || b == 0)
            .map(|offset| from + offset)
            .filter(|&k| at(input, k) == b']')
    };
    let mut i = input.iter().take_while(|&&b| b == b' ').count();
    let mut bracket_open = false;
    let mut is_array = false;
    while let Some(&byte) = input.get(i) {
        if byte == b'[' && !bracket_open {
            if closing(i).is_some() {
                is_array = true;
                break;
            }
            out.push(b'_');
            bracket_open = true;
        } else if !bracket_open && (byte == b' ' || byte == b'.') {
            out.push(b'_');
        } else {
            out.push(byte);
        }
        i += 1;
    }
    if is_array {
        while let Some(close) = closing(i) {
            let end = close + 1;
            if end - i == 3 && at(input, i + 1) == b' ' {
                out.push(b'[');
                i += 2;
            }
            out.extend(input.get(i..end).unwrap_or_default());
            i = end;
            if at(input, i) != b'[' || i >= input.len() {
                break;
            }
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        php_args_names(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn plain_names() {
        assert_eq!(run(b"name"), b"name");
        assert_eq!(run(b"a.b c"), b"a_b_c");
        assert_eq!(run(b"  lead"), b"lead");
        assert_eq!(run(b""), b"");
    }

    #[test]
    fn names_php_ignores() {
        assert_eq!(run(b"[a]"), b"");
        assert_eq!(run(b"=x"), b"");
    }

    #[test]
    fn arrays() {
        assert_eq!(run(b"a[b]"), b"a[b]");
        assert_eq!(run(b"a.b[c.d]"), b"a_b[c.d]");
        assert_eq!(run(b"a[b][c]"), b"a[b][c]");
        assert_eq!(run(b"a[b]c[d]"), b"a[b]");
        assert_eq!(run(b"a[ ]"), b"a[]");
        assert_eq!(run(b"a[b[c]"), b"a[b[c]");
    }

    #[test]
    fn unclosed_bracket() {
        assert_eq!(run(b"a[b.c"), b"a_b.c");
        assert_eq!(run(b"a[b[c"), b"a_b[c");
        // strchr stops at NUL, so a ']' after one does not close the bracket.
        assert_eq!(run(b"a[b\0]"), b"a_b\0]");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            php_args_names(b"plain_name", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
