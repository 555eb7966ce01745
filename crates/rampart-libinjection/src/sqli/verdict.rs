//! Is a fingerprint SQL injection: the blacklist of fingerprints, then libinjection 3.9.2's
//! second look at the short ones, which are too common in ordinary text to trust alone.

use super::keywords::lookup;
use super::token::kind;
use super::Analysis;

pub(super) fn is_injection(analysis: &Analysis<'_>) -> bool {
    is_blacklisted(analysis.fingerprint.as_bytes()) && survives_whitelist(analysis)
}

/// Fingerprints are stored among the keywords as `0` followed by the fingerprint upper-cased.
fn is_blacklisted(fingerprint: &[u8]) -> bool {
    if fingerprint.is_empty() {
        return false;
    }
    let mut key = [0u8; 8];
    let Some(slot) = key.get_mut(1..=fingerprint.len()) else {
        return false;
    };
    slot.copy_from_slice(fingerprint);
    slot.make_ascii_uppercase();
    key[0] = b'0';
    let key = key.get(..=fingerprint.len()).unwrap_or(&[]);
    lookup(key) == kind::FINGERPRINT
}

/// False for the shapes libinjection lets through although blacklisted.
fn survives_whitelist(analysis: &Analysis<'_>) -> bool {
    let fingerprint = analysis.fingerprint.as_bytes();
    let input = analysis.input;
    let tokens = &analysis.tokens;

    // SQL Server's audit log leaves out statements mentioning sp_password.
    if fingerprint.len() > 1
        && fingerprint.last() == Some(&kind::COMMENT)
        && input.windows(11).any(|w| w == b"sp_password")
    {
        return true;
    }

    match fingerprint.len() {
        2 => {
            let first = tokens.get(0);
            let second = tokens.get(1);
            if fingerprint.get(1) == Some(&kind::UNION) {
                // "1 union" alone is common text; folded or commented, it is not.
                return analysis.tokens_seen != 2;
            }
            if second.first_byte() == b'#' {
                return false;
            }
            if first.kind == kind::BAREWORD
                && second.kind == kind::COMMENT
                && second.first_byte() != b'/'
            {
                return false;
            }
            if first.kind == kind::NUMBER && second.kind == kind::COMMENT {
                if second.first_byte() == b'/' || analysis.tokens_seen > 2 {
                    return true;
                }
                // Base64-like "1234-ABC--" is "1c" too: only a number that the comment follows
                // directly (white space, `/*`, `--`) counts. The C reads the input at the
                // number's length, not its position, and compares a signed char.
                let byte_at = |index: usize| input.get(index).copied().unwrap_or(0);
                let after = byte_at(first.len());
                let following = byte_at(first.len() + 1);
                return (after as i8) <= 32
                    || (after == b'/' && following == b'*')
                    || (after == b'-' && following == b'-');
            }
            // "foo-- bar": a `--` comment with text after it is too common in prose.
            !(second.len() > 2 && second.first_byte() == b'-')
        }
        3 => {
            if fingerprint == b"sos" || fingerprint == b"s&s" {
                // Only `…foo' + 'bar…` with neither outer quote is injection.
                let first = tokens.get(0);
                let third = tokens.get(2);
                return first.str_open == 0
                    && third.str_close == 0
                    && first.str_close == third.str_open;
            }
            if matches!(fingerprint, b"s&n" | b"n&1" | b"1&1" | b"1&v" | b"1&s") {
                // "sexy and 17" is text, "sexy and 17<18" is not.
                return analysis.tokens_seen != 3;
            }
            let second = tokens.get(1);
            if second.kind == kind::KEYWORD {
                // Only MySQL's INTO OUTFILE / INTO DUMPFILE.
                let into = second
                    .value()
                    .get(..4)
                    .is_some_and(|head| head.eq_ignore_ascii_case(b"INTO"));
                return second.len() >= 5 && into;
            }
            true
        }
        _ => true,
    }
}
