//! `replaceComments`: each C-style `/* … */` comment becomes one space.
//!
//! Only `/*` opens a comment here (no `--`, `#` or `<!--`). An unterminated comment also
//! becomes a single space, and a stray `*/` outside a comment is left alone. Unlike
//! `removeComments`, nothing after the closing `*/` is treated specially.

use std::borrow::Cow;

use super::output::Output;
use super::TransformContext;

pub(super) fn replace_comments<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let starts =
        |i: usize, marker: &[u8]| input.get(i..).is_some_and(|rest| rest.starts_with(marker));
    let mut in_comment = false;
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        if !in_comment {
            if starts(i, b"/*") {
                in_comment = true;
                i += 2;
            } else {
                out.push(byte);
                i += 1;
            }
        } else if starts(i, b"*/") {
            in_comment = false;
            out.push(b' ');
            i += 2;
        } else {
            i += 1;
        }
    }
    if in_comment {
        out.push(b' ');
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        replace_comments(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn comments_become_spaces() {
        assert_eq!(run(b"/* TestCase */"), b" ");
        assert_eq!(run(b"Before/* TestCase */After"), b"Before After");
        assert_eq!(run(b"UNION/**/SELECT/**//**/1"), b"UNION SELECT  1");
        assert_eq!(run(b"/*/ x */y"), b" y");
    }

    #[test]
    fn unterminated_comment_becomes_one_space() {
        assert_eq!(run(b"Before/* Test\nCase"), b"Before ");
        assert_eq!(run(b"/*"), b" ");
        assert_eq!(run(b"/*/"), b" ");
    }

    #[test]
    fn other_markers_are_ordinary() {
        assert_eq!(run(b"a -- b # c <!-- d -->"), b"a -- b # c <!-- d -->");
        assert_eq!(
            run(b"Before TestCase */ After"),
            b"Before TestCase */ After"
        );
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            replace_comments(b"no comment", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
