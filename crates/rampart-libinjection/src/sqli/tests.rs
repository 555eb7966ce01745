//! Expected values are the answers of the C libinjection inside libmodsecurity 3.0.9
//! (`libinjection_sqli` and `libinjection_sqli_fingerprint`), taken through the referee in
//! `crates/rampart-modsecurity/tests/libinjection_fidelity.rs`.

use super::*;

/// The contexts `libinjection_is_sqli` tries, in its order.
const CONTEXTS: [u32; 5] = [
    SqliFlags::QUOTE_NONE | SqliFlags::SQL_ANSI,
    SqliFlags::QUOTE_NONE | SqliFlags::SQL_MYSQL,
    SqliFlags::QUOTE_SINGLE | SqliFlags::SQL_ANSI,
    SqliFlags::QUOTE_SINGLE | SqliFlags::SQL_MYSQL,
    SqliFlags::QUOTE_DOUBLE | SqliFlags::SQL_MYSQL,
];

/// Input, `detect_sqli`'s fingerprint, the fingerprint of each context.
type Case = (&'static [u8], Option<&'static str>, [&'static str; 5]);

fn check(cases: &[Case]) {
    for &(input, verdict, contexts) in cases {
        let detected = detect_sqli(input);
        assert_eq!(
            detected.as_ref().map(Fingerprint::as_str),
            verdict,
            "verdict for {input:?}"
        );
        for (flags, expected) in CONTEXTS.into_iter().zip(contexts) {
            assert_eq!(
                sqli_fingerprint(input, SqliFlags(flags)).as_str(),
                expected,
                "flags {flags} for {input:?}"
            );
        }
    }
}

#[test]
fn classic_payloads_and_text() {
    check(&[
        (
            b"1' OR '1'='1",
            Some("s&sos"),
            ["1s1s1", "1s1s1", "s&sos", "s&sos", "s"],
        ),
        (
            b"-1 UNION SELECT 1,2,3",
            Some("1UE1"),
            ["1UE1", "1UE1", "s", "s", "s"],
        ),
        (b"admin'--", Some("sc"), ["ns", "ns", "sc", "sc", "s"]),
        (
            b"1; DROP TABLE users",
            Some("1;Tnn"),
            ["1;Tnn", "1;Tnn", "s", "s", "s"],
        ),
        (
            b"1 AND SLEEP(5)",
            Some("1&f(1"),
            ["1&f(1", "1&f(1", "s", "s", "s"],
        ),
        (
            b"' OR ''='",
            Some("s&sos"),
            ["s", "s", "s&sos", "s&sos", "s"],
        ),
        (
            b"1 /*!50000UNION*/ SELECT 1",
            Some("X"),
            ["X", "X", "s", "s", "s"],
        ),
        (b"/* /* */ 1", Some("X"), ["X", "X", "s", "s", "s"]),
        (b"1--", Some("1c"), ["1c", "1c", "s", "s", "s"]),
        (
            b"1 OR 1=1 -- sp_password",
            Some("1&1c"),
            ["1&1c", "1&1c", "s", "s", "s"],
        ),
        (b"1 UNION", None, ["1U", "1U", "s", "s", "s"]),
        (b"@@version", None, ["v", "v", "s", "s", "s"]),
        (b"hello world", None, ["nn", "nn", "s", "s", "s"]),
        (b"John O'Brien", None, ["nns", "nns", "sn", "sn", "s"]),
        (b"", None, ["", "", "", "", ""]),
    ]);
}

/// 3.9.2 treats NUL as a member of every `strchr` character set.
#[test]
fn nul_bytes() {
    check(&[
        // Ends a variable name.
        (
            b"@@versio\x00n UNION SELECT ",
            None,
            ["vnUE", "vnUE", "s", "s", "s"],
        ),
        (
            b"' UNION SELECT @@\x00version --",
            Some("sUEvf"),
            ["s", "s", "sUEvf", "sUEvf", "s"],
        ),
        (b"@@v\x00ersion", None, ["vn", "vn", "s", "s", "s"]),
        // A money digit.
        (b"$\x00", None, ["1", "1", "s", "s", "s"]),
        // A hex digit.
        (b"0x1\x00 OR 1", None, ["1&1", "1&1", "s", "s", "s"]),
        // A binary digit of b'…'.
        (
            b"b'0\x001' OR 1=1",
            Some("1&1"),
            ["1&1", "1&1", "s11s", "s11s", "s"],
        ),
        // White space after a number's `f` suffix.
        (
            b"1.2f\x00UNION SELECT 1",
            Some("1UE1"),
            ["1UE1", "1UE1", "s", "s", "s"],
        ),
        (b"1\x00 OR 1=1", Some("1&1"), ["1&1", "1&1", "s", "s", "s"]),
        // White space after `--`: a comment.
        (b"--\x001", None, ["", "", "s", "s", "s"]),
        // A letter of a `$tag$`.
        (
            b"$a\x00$ UNION SELECT 1 $a\x00$",
            None,
            ["s", "s", "s", "s", "s"],
        ),
        // But it ends the text a collation's `_` is looked for in.
        (
            b"1 COLLATE [a\x00_b] 1",
            None,
            ["1An1", "1An1", "s", "s", "s"],
        ),
        (
            b"1' OR 1=1\x00--",
            Some("s&1c"),
            ["1s", "1s", "s&1c", "s&1c", "s"],
        ),
    ]);
}

#[test]
fn tokenizer_corners() {
    check(&[
        // The closing `$tag$` is searched for after the opening one.
        (
            b"x'$ab$$ab$CHAR&& CHAR",
            None,
            ["ns", "ns", "sf&f", "sf&f", "s"],
        ),
        // "1e" without exponent digits is a word.
        (
            b"1e UNION SELECT 1",
            Some("nUE1"),
            ["nUE1", "nUE1", "s", "s", "s"],
        ),
        // `[name]` is a word in every dialect.
        (b"[a] OR 1=1", Some("n&1"), ["n&1", "n&1", "s", "s", "s"]),
    ]);
}

/// Arbitrary bytes must never panic, whatever the context.
#[test]
fn any_bytes_any_context() {
    const ALPHABET: &[u8] = b"'\"`$@0xX.e-#/*!(){}[];,\\N \0\xa0q1aUNION";
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut input = Vec::new();
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        input.clear();
        let len = (state % 48) as usize;
        let mut bits = state;
        for _ in 0..len {
            bits = bits.rotate_left(7) ^ 0x9E37_79B9_7F4A_7C15;
            input.push(ALPHABET[(bits % ALPHABET.len() as u64) as usize]);
        }
        let _ = detect_sqli(&input);
        for flags in 0..32 {
            let _ = sqli_fingerprint(&input, SqliFlags(flags));
        }
    }
}

/// Values of letters, digits and `_` only (`is_sqli_inert`): every keyword alone and after a
/// number, and the number forms that end in a letter. The exhaustive run, with the C
/// library's answers beside these, is `c_libinjection_flags_no_sqli_in_word_bytes_only` in
/// `rampart-modsecurity`'s fidelity test.
#[test]
fn values_of_word_bytes_only_are_never_injection() {
    use libinjectionrs::sqli::sqli_data::SQL_KEYWORDS;
    let words = SQL_KEYWORDS
        .iter()
        .map(|k| k.word.as_bytes())
        .filter(|w| w.iter().all(|&b| super::is_sqli_inert(b)));
    for word in words {
        for input in [word.to_vec(), [&b"1"[..], word].concat()] {
            assert_eq!(
                detect_sqli(&input),
                None,
                "{:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
    for input in [
        &b"0xunion"[..],
        b"1dunion",
        b"1e5select",
        b"1eunion",
        b"0b1or",
        b"_1",
    ] {
        assert_eq!(
            detect_sqli(input),
            None,
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
    // One byte more is enough.
    assert!(detect_sqli(b"1 union select 1").is_some());
}
