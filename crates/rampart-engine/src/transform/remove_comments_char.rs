//! `removeCommentsChar`: delete comment markers but keep what they enclose.
//!
//! ModSecurity erases each `/*`, `*/`, `<!--`, `-->`, `--` and `#` where it finds it and
//! then looks again at the same position, so the markers' contents survive (`/*x*/` → `x`).
//! Its cursor never moves back, so bytes on either side of an erased marker do not combine
//! into a new marker: `-/*-` leaves `--`.

use std::borrow::Cow;

use super::output::Output;
use super::TransformContext;

const MARKERS: [&[u8]; 6] = [b"/*", b"*/", b"<!--", b"-->", b"--", b"#"];

pub(super) fn remove_comments_char<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut i = 0;
    while let Some(rest) = input.get(i..) {
        let Some(&first) = rest.first() else {
            break;
        };
        if let Some(marker) = MARKERS.iter().find(|marker| rest.starts_with(marker)) {
            i += marker.len();
        } else {
            out.push(first);
            i += 1;
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        remove_comments_char(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn markers_are_removed_contents_kept() {
        assert_eq!(run(b"UNION/*x*/SELECT"), b"UNIONxSELECT");
        assert_eq!(run(b"a<!--b-->c"), b"abc");
        assert_eq!(run(b"1--2#3"), b"123");
        // "-->" needs its third byte to be '>', so "--->" is "--" then "->".
        assert_eq!(run(b"a--->b"), b"a->b");
    }

    #[test]
    fn removal_does_not_create_new_markers() {
        assert_eq!(run(b"-/*-"), b"--");
        assert_eq!(run(b"/*/"), b"/");
        assert_eq!(run(b"*//*"), b"");
        assert_eq!(run(b"###"), b"");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            remove_comments_char(b"no markers - here", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
