//! `removeComments`: strip C, SQL, shell and HTML comments.
//!
//! `/* … */` and `<!-- … -->` are removed; `--` or `#` outside a comment ends the value
//! there (everything from the marker on is dropped); an unterminated block comment is
//! replaced by a single space. Two quirks of ModSecurity's loop are kept on purpose, since
//! they change what rules see: the byte right after a closing `*/` or `-->` is copied without
//! being examined (so `/**/#x` keeps `#x`, and `SELECT/**//**/UNION` keeps the second
//! comment's `/`), and when the comment closes at the very end of the value that copied byte
//! is the C string terminator, so the result ends with a NUL byte (`/*x*/` → `"\0"`).

use std::borrow::Cow;

use super::ctype::at;
use super::output::Output;
use super::TransformContext;

pub(super) fn remove_comments<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let starts =
        |i: usize, marker: &[u8]| input.get(i..).is_some_and(|rest| rest.starts_with(marker));
    let mut in_comment = false;
    let mut i = 0;
    while i < input.len() {
        if !in_comment {
            if starts(i, b"/*") {
                in_comment = true;
                i += 2;
            } else if starts(i, b"<!--") {
                in_comment = true;
                i += 4;
            } else if starts(i, b"--") || starts(i, b"#") {
                break;
            } else {
                out.push(at(input, i));
                i += 1;
            }
        } else if starts(i, b"*/") || starts(i, b"-->") {
            in_comment = false;
            i += if starts(i, b"*/") { 2 } else { 3 };
            // Copied unexamined; past the end this is the NUL terminator.
            out.push(at(input, i));
            i += 1;
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
        remove_comments(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn block_comments() {
        assert_eq!(run(b"Before/* TestCase */After"), b"BeforeAfter");
        assert_eq!(run(b"Test\nCase /**/ After"), b"Test\nCase  After");
        assert_eq!(run(b"Before /* */ ops */ Test"), b"Before  ops */ Test");
        // The '<' after the first comment is copied unexamined, and the second comment's
        // "--" then ends the value.
        assert_eq!(run(b"foo<!-- c1 --><!-- c2 -->bar"), b"foo<!");
    }

    #[test]
    fn a_comment_closing_at_the_end_leaves_a_nul() {
        assert_eq!(run(b"/* TestCase */"), b"\0");
        assert_eq!(run(b"/*Test\r\nCase */After"), b"After");
        assert_eq!(run(b"a<!-- x -->"), b"a\0");
    }

    #[test]
    fn the_byte_after_a_comment_is_not_examined() {
        assert_eq!(run(b"SELECT/**//**/UNION"), b"SELECT/**/UNION");
        assert_eq!(run(b"/**/#x"), b"#x");
        assert_eq!(run(b"/**/--x"), b"--x");
    }

    #[test]
    fn line_comments_end_the_value() {
        assert_eq!(run(b"1 OR 1=1-- comment"), b"1 OR 1=1");
        assert_eq!(run(b"1 OR 1=1# comment"), b"1 OR 1=1");
        assert_eq!(run(b"a-b"), b"a-b");
        assert_eq!(run(b"--"), b"");
    }

    #[test]
    fn unterminated_comments_become_a_space() {
        assert_eq!(run(b"/*Before/* Test\r\nCase "), b" ");
        assert_eq!(run(b"Before /* Test\nCase "), b"Before  ");
        assert_eq!(run(b"x<!-- y"), b"x ");
        assert_eq!(run(b"/*"), b" ");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            remove_comments(b"Before TestCase */ After", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
