//! `normalizePath` and `normalizePathWin`: remove `.` and `..` segments and repeated slashes.
//!
//! This reproduces ModSecurity's in-place algorithm step for step rather than an idealised
//! path resolver, because its edges are what rules see: a relative path that climbs above
//! its start keeps the `..` (`a/../../b` → `../b`), an absolute one stops at the root
//! (`/../x` → `/x`), a trailing slash is kept only if the input had one (so even `/..`
//! normalises to nothing), and a lone `.` or `./` normalises to nothing. The Windows form also treats `\` as a separator, but converts
//! it to `/` only where its cursor passes, so the middle backslash of a run of three survives
//! (`a\\\b` → `a\b`), exactly as in ModSecurity.

use std::borrow::Cow;

use super::ctype::at;
use super::output::Output;
use super::TransformContext;

pub(super) fn normalize_path<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    normalize(input, false)
}

pub(super) fn normalize_path_win<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    normalize(input, true)
}

fn normalize(input: &[u8], win: bool) -> Cow<'_, [u8]> {
    normalize_runs::<true>(input, win)
}

/// With `RUNS`, plain runs are copied at once; without, byte by byte as ModSecurity does
/// (kept for the test that compares the two).
fn normalize_runs<const RUNS: bool>(input: &[u8], win: bool) -> Cow<'_, [u8]> {
    let Some(end) = input.len().checked_sub(1) else {
        return Cow::Borrowed(input);
    };
    let is_separator = |b: u8| b == b'/' || (win && b == b'\\');
    let relative = !is_separator(at(input, 0));
    let trailing = is_separator(at(input, end));

    let mut out = Output::new(input);
    let mut src = 0;
    let mut hit_root = false;
    let mut done = false;

    while !done && src <= end && out.len() <= end {
        // Bytes other than separators and dots followed by more of them are copied as they
        // are; the last of a run takes the full step, as it may end a segment.
        let rest = input.get(src..).unwrap_or_default();
        let run = if win {
            memchr::memchr3(b'/', b'.', b'\\', rest)
        } else {
            memchr::memchr2(b'/', b'.', rest)
        }
        .unwrap_or(rest.len());
        if RUNS && run > 1 {
            out.extend(rest.get(..run - 1).unwrap_or_default());
            src += run - 1;
            continue;
        }
        // ModSecurity rewrites `\` to `/` at the cursor and the byte after it, in place.
        let step_start = src;
        let byte_at = |p: usize| {
            let b = at(input, p);
            if win && b == b'\\' && (p == step_start || p == step_start + 1) {
                b'/'
            } else {
                b
            }
        };

        let end_of_segment = if src == end {
            done = true;
            true
        } else {
            byte_at(src + 1) == b'/'
        };

        let mut copy = true;
        if end_of_segment {
            let c = byte_at(src);
            let dst = out.len();
            if src != end && c == b'/' {
                // An empty segment: the copy below skips the extra slashes.
            } else if c == b'.' {
                if dst > 0 && out.get(dst - 1) == Some(b'.') {
                    if relative && (hit_root || dst <= 2) {
                        // Nothing to go back over: keep the `..`.
                        hit_root = true;
                    } else {
                        // Drop the `..` and the segment before it.
                        let mut d = dst as isize - 3;
                        while d > 0 && out.get(d as usize) != Some(b'/') {
                            d -= 1;
                        }
                        if d <= 0 {
                            hit_root = true;
                            d = if !relative && src == end { 1 } else { 0 };
                        }
                        out.truncate(d as usize);
                        if done {
                            copy = false;
                        } else {
                            src += 1;
                        }
                    }
                } else if dst == 0 {
                    // A leading `./`.
                    if done {
                        copy = false;
                    } else {
                        src += 1;
                    }
                } else if out.get(dst - 1) == Some(b'/') {
                    // `/./`
                    if done {
                        copy = false;
                    } else {
                        out.truncate(dst - 1);
                        src += 1;
                    }
                }
            } else if dst > 0 {
                hit_root = false;
            }
        }

        if copy {
            if byte_at(src) == b'/' {
                while src < end && is_separator(at(input, src + 1)) {
                    src += 1;
                }
                if relative && out.len() == 0 {
                    // A relative path does not start with the slash.
                    src += 1;
                    continue;
                }
            }
            out.push(byte_at(src));
            src += 1;
        }
    }

    if !trailing && out.last() == Some(b'/') {
        out.truncate(out.len() - 1);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(input: &[u8]) -> Vec<u8> {
        normalize(input, false).into_owned()
    }

    fn win(input: &[u8]) -> Vec<u8> {
        normalize(input, true).into_owned()
    }

    /// Copying plain runs at once changes nothing: every string of up to nine bytes over
    /// separators, dots and a letter normalizes as it does byte by byte.
    #[test]
    fn runs_copied_at_once_answer_as_byte_by_byte() {
        let alphabet = b"/.\\a";
        for len in 0..=9u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let input: Vec<u8> = (0..len)
                    .map(|_| {
                        let byte = alphabet[n % alphabet.len()];
                        n /= alphabet.len();
                        byte
                    })
                    .collect();
                for win in [false, true] {
                    assert_eq!(
                        normalize_runs::<true>(&input, win),
                        normalize_runs::<false>(&input, win),
                        "{:?} (win: {win})",
                        String::from_utf8_lossy(&input)
                    );
                }
            }
        }
    }

    #[test]
    fn already_normal_paths_are_unchanged() {
        for path in [
            &b""[..],
            b"x",
            b"/",
            b"/foo/bar/baz",
            b"foo/",
            b"..",
            b"../",
            b"../..",
            b"/foo/bar\0/baz",
        ] {
            assert!(
                matches!(normalize(path, false), Cow::Borrowed(p) if p == path),
                "{path:?}"
            );
        }
    }

    #[test]
    fn self_references() {
        assert_eq!(unix(b"."), b"");
        assert_eq!(unix(b"./"), b"");
        assert_eq!(unix(b"./.."), b"..");
        assert_eq!(unix(b"./../"), b"../");
        assert_eq!(unix(b"../."), b"..");
        assert_eq!(unix(b".././"), b"../");
        assert_eq!(unix(b"./a"), b"a");
        assert_eq!(unix(b"/a/./b/."), b"/a/b");
    }

    #[test]
    fn back_references() {
        assert_eq!(unix(b"dir/../foo"), b"foo");
        assert_eq!(unix(b"dir/../../foo"), b"../foo");
        assert_eq!(unix(b"a/.."), b"");
        assert_eq!(unix(b"dir/./.././../../foo/bar"), b"../../foo/bar");
        assert_eq!(unix(b"dir/./.././../../foo/bar/."), b"../../foo/bar");
        assert_eq!(unix(b"dir/./.././../../foo/bar/./"), b"../../foo/bar/");
        assert_eq!(unix(b"dir/./.././../../foo/bar/.."), b"../../foo");
        assert_eq!(unix(b"dir/./.././../../foo/bar/../"), b"../../foo/");
        assert_eq!(unix(b"dir/subdir/subsubdir/subsubsubdir/../../.."), b"dir");
        assert_eq!(
            unix(b"dir/./subdir/../subsubdir/../subsubsubdir/.."),
            b"dir"
        );
        assert_eq!(
            unix(b"/dir/./subdir/../subsubdir/../subsubsubdir/../"),
            b"/dir/"
        );
    }

    #[test]
    fn absolute_paths_stop_at_the_root() {
        assert_eq!(unix(b"/../etc"), b"/etc");
        assert_eq!(unix(b"/../"), b"/");
        // The root slash kept for a final `..` is then dropped as a trailing slash the input
        // did not have.
        assert_eq!(unix(b"/.."), b"");
        assert_eq!(
            unix(b"/./.././../../../../../../../\0/../etc/./passwd"),
            b"/etc/passwd"
        );
    }

    #[test]
    fn repeated_slashes() {
        assert_eq!(unix(b"/dir/foo//bar"), b"/dir/foo/bar");
        assert_eq!(unix(b"dir/foo//bar/"), b"dir/foo/bar/");
        assert_eq!(unix(b"dir//.//..//.//..//..//foo//bar"), b"../../foo/bar");
        assert_eq!(
            unix(b"dir//.//..//.//..//..//foo//bar//"),
            b"../../foo/bar/"
        );
        assert_eq!(unix(b"//a"), b"/a");
        assert_eq!(unix(b"a//"), b"a/");
        // Backslashes are ordinary bytes in the Unix form.
        assert_eq!(unix(b"a\\..\\b"), b"a\\..\\b");
    }

    #[test]
    fn windows_separators() {
        assert_eq!(win(b"\\foo\\bar\\baz"), b"/foo/bar/baz");
        assert_eq!(win(b"\\foo\\bar\0\\baz"), b"/foo/bar\0/baz");
        assert_eq!(win(b".\\"), b"");
        assert_eq!(win(b".\\.."), b"..");
        assert_eq!(win(b"..\\"), b"../");
        assert_eq!(win(b"..\\..\\"), b"../../");
        assert_eq!(win(b"\\dir\\foo\\\\bar"), b"/dir/foo/bar");
        assert_eq!(win(b"dir\\..\\..\\foo"), b"../foo");
        assert_eq!(
            win(b"dir\\\\.\\\\..\\\\.\\\\..\\\\..\\\\foo\\\\bar\\\\"),
            b"../../foo/bar/"
        );
        assert_eq!(
            win(b"\\dir\\.\\subdir\\..\\subsubdir\\..\\subsubsubdir\\..\\"),
            b"/dir/"
        );
        assert_eq!(
            win(b"\\.\\..\\.\\..\\..\\..\\..\\..\\..\\..\\\\0\\..\\etc\\.\\passwd"),
            b"/etc/passwd"
        );
    }

    #[test]
    fn windows_keeps_an_unvisited_backslash() {
        // The cursor converts the byte it is on and the next one; the skip over repeated
        // separators then lands on the third, which was never converted.
        assert_eq!(win(b"a\\\\\\b"), b"a\\b");
        assert_eq!(win(b"a\\/b"), b"a/b");
    }
}
