//! Every processor on a few thousand random and mutated inputs: nothing may panic, hang or
//! report something inconsistent. A deterministic generator keeps failures reproducible.

use super::test_sink::TestSink;
use super::{json, multipart, xml, BodyLimits};

/// xorshift64*: small, deterministic, good enough to shake parsers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Random bytes, biased towards the characters each grammar cares about.
    fn input(&mut self, seeds: &[&[u8]], alphabet: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if self.below(3) > 0 {
            if let Some(seed) = seeds.get(self.below(seeds.len())) {
                out.extend_from_slice(seed);
            }
        }
        let edits = self.below(12);
        for _ in 0..edits {
            let at = self.below(out.len() + 1);
            match self.below(4) {
                0 if !out.is_empty() && at < out.len() => {
                    out.remove(at);
                }
                1 => {
                    let byte = (self.next() & 0xff) as u8;
                    out.insert(at, byte);
                }
                2 if !out.is_empty() => {
                    let from = self.below(out.len());
                    let len = self.below(16).min(out.len() - from);
                    let piece: Vec<u8> = out.get(from..from + len).unwrap_or_default().to_vec();
                    for (i, b) in piece.into_iter().enumerate() {
                        out.insert((at + i).min(out.len()), b);
                    }
                }
                _ => {
                    let byte = alphabet
                        .get(self.below(alphabet.len()))
                        .copied()
                        .unwrap_or(b' ');
                    out.insert(at, byte);
                }
            }
        }
        out
    }
}

const ROUNDS: usize = 3000;

#[test]
fn json_survives_garbage() {
    let seeds: &[&[u8]] = &[
        br#"{"a":[1,{"b":"c\u00e9"},true,null,-1.5e3],"":{}}"#,
        br#"[[[[[]]]],{"x":"y"}]"#,
        b"\"str\\n\"",
    ];
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..ROUNDS {
        let body = rng.input(seeds, b"{}[]:,\"\\0123456789.eE+-tfnul ");
        let limits = BodyLimits {
            json_depth: rng.below(20) as u64,
            ..BodyLimits::default()
        };
        let mut sink = TestSink::with_argument_limit(rng.below(10));
        let result = json::process(&body, &limits, &mut sink);
        if let Err(message) = &result {
            assert!(message.contains(" error: "), "round {round}: {message:?}");
        }
    }
}

#[test]
fn multipart_survives_garbage() {
    let seeds: &[&[u8]] = &[
        b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\nContent-Type: text/plain\r\n\r\ndata\r\n--b--\r\n",
        b"--b\nContent-Disposition: form-data;\n name='a'\n\nv\n--b--",
    ];
    let content_types: &[&[u8]] = &[
        b"multipart/form-data; boundary=b",
        b"multipart/form-data; boundary=\"b\"",
        b"multipart/form-data boundary = b",
        b"multipart/form-data; boundary=\"\"",
    ];
    let mut rng = Rng(0x0fed_cba9_8765_4321);
    for round in 0..ROUNDS {
        let body = rng.input(seeds, b"-b\r\n:;=\"' \tContent-Disposition");
        let content_type = if rng.below(8) == 0 {
            rng.input(content_types, b"=;\" boundary")
        } else {
            content_types
                .get(rng.below(content_types.len()))
                .copied()
                .unwrap_or_default()
                .to_vec()
        };
        let limits = BodyLimits {
            json_depth: 0,
            upload_files: rng.below(3) as u64,
            file_content: rng.below(8),
        };
        let mut whole = TestSink::default();
        let whole_result = multipart::process(&content_type, &body, limits, &mut whole);
        // Streaming in random chunks gives the same answer.
        let mut sink = TestSink::default();
        let mut parser = multipart::Parser::new(&content_type, limits);
        let mut rest = body.as_slice();
        while !rest.is_empty() {
            let (chunk, after) = rest.split_at(1 + rng.below(rest.len()));
            parser.feed(chunk, &mut sink);
            rest = after;
        }
        assert_eq!(parser.finish(&mut sink), whole_result, "round {round}");
        assert_eq!(sink, whole, "round {round}");
    }
}

#[test]
fn xml_survives_garbage() {
    let seeds: &[&[u8]] = &[
        br#"<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE r [<!ENTITY e "x"><!ATTLIST r a CDATA "1">]><r xmlns:p="urn:p" p:a="1"><p:b>t&e;&amp;&#65;<![CDATA[c]]></p:b><!--c--><?pi x?></r>"#,
        b"<a><b/><c d='e'>f</c></a>",
    ];
    let mut rng = Rng(0x5555_aaaa_3333_cccc);
    for round in 0..ROUNDS {
        let body = rng.input(seeds, b"<>/=\"'&;#![]-?xa :");
        let (document, result) = xml::parse(&body);
        assert_eq!(result.is_ok(), document.well_formed(), "round {round}");
        for xpath in ["/*", "//@*", "//b", "//*/@a", "/", "//text()", "//node()"] {
            let _ = document.select(xpath);
        }
    }
}

/// Inputs built to hit quadratic paths finish quickly.
#[test]
fn adversarial_inputs_stay_linear() {
    let start = std::time::Instant::now();
    // A long boundary of dashes and lines full of dashes.
    let boundary = "-".repeat(1000);
    let content_type = format!("multipart/form-data; boundary={boundary}X");
    let mut body = Vec::new();
    for _ in 0..500 {
        body.extend_from_slice("-".repeat(4000).as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    let mut sink = TestSink::default();
    let _ = multipart::process(
        content_type.as_bytes(),
        &body,
        BodyLimits::default(),
        &mut sink,
    );
    // A part with very many headers.
    let mut body = b"--b\r\n".to_vec();
    for i in 0..100_000 {
        body.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    let mut sink = TestSink::default();
    let _ = multipart::process(
        b"multipart/form-data; boundary=b",
        &body,
        BodyLimits::default(),
        &mut sink,
    );
    // Nested elements queried with chained descendant steps.
    let xml = format!("{}{}", "<a>".repeat(250), "</a>".repeat(250)).repeat(200);
    let xml = format!("<r>{xml}</r>");
    let (document, result) = xml::parse(xml.as_bytes());
    assert_eq!(result, Ok(()));
    assert_eq!(document.select("//a//a").len(), 249 * 200);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}
