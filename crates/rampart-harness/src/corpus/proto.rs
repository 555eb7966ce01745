//! Protocol violations and protocol attacks. Each id names the violation; these are the only
//! requests of the corpus whose framing may be wrong on purpose.

use super::text::HOSTS;
use super::{boundary, multipart, pct_form, Collector, Family, Part, Req, Rng};

fn host(rng: &mut Rng) -> &'static str {
    rng.pick_str(&HOSTS[..10])
}

/// An ordinary head: Host, a user agent, Accept.
fn head(rng: &mut Rng, method: &str, target: impl Into<Vec<u8>>) -> Req {
    let h = host(rng);
    let mut req = Req::new(method, target);
    req.header("Host", h);
    let ua = match rng.below(3) {
        0 => "curl/8.5.0".to_string(),
        1 => "python-requests/2.31.0".to_string(),
        _ => format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{}.0.0.0 Safari/537.36", rng.range(118, 126)),
    };
    req.header("User-Agent", ua);
    req.header("Accept", "*/*");
    req
}

fn form_body(rng: &mut Rng) -> Vec<u8> {
    format!(
        "name={}&qty={}&note={}",
        rng.alnum(6),
        rng.range(1, 9),
        pct_form(b"see you soon")
    )
    .into_bytes()
}

/// Sets headers and body without any framing header being added.
fn raw_body(req: &mut Req, headers: &[(&str, String)], body: &[u8]) {
    for (n, v) in headers {
        req.header(n, v.clone());
    }
    req.body = body.to_vec();
}

type Gen = fn(&mut Rng, usize) -> (&'static str, Vec<u8>);

/// The round's choice among fixed alternatives, so repeated rounds cover them all.
fn nth<T: Copy>(items: &[T], round: usize) -> T {
    items[round % items.len()]
}

const GENERATORS: &[Gen] = &[
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/comments");
        let body = form_body(rng);
        let declared = body.len() + rng.range(10, 500) as usize;
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Content-Length", declared.to_string()),
            ],
            &body,
        );
        ("cl-mismatch-short", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/login");
        let mut body = form_body(rng);
        let declared = body.len();
        body.extend_from_slice(b"GET /admin/delete?user=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Content-Length", declared.to_string()),
            ],
            &body,
        );
        ("cl-mismatch-trailing-request", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/search");
        let body = form_body(rng);
        let cl = match rng.below(4) {
            0 => format!("{}abc", body.len()),
            1 => format!("0x{:x}", body.len()),
            2 => format!("{}.0", body.len()),
            _ => format!("{} {}", body.len(), body.len()),
        };
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Content-Length", cl),
            ],
            &body,
        );
        ("cl-nonnumeric", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/search");
        let body = form_body(rng);
        let cl = if rng.chance(50) {
            "-1".to_string()
        } else {
            format!("+{}", body.len())
        };
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Content-Length", cl),
            ],
            &body,
        );
        ("cl-signed", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let body = form_body(rng);
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Content-Length", "184467440737095516160".into()),
            ],
            &body,
        );
        ("cl-overflow", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/cart");
        let body = form_body(rng);
        let other = if rng.chance(50) {
            body.len()
        } else {
            body.len() + 7
        };
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Content-Length", body.len().to_string()),
                ("Content-Length", other.to_string()),
            ],
            &body,
        );
        ("cl-duplicate", req.to_bytes())
    },
    |rng, r| {
        let method = nth(&["GET", "HEAD", "OPTIONS"], r);
        let mut req = head(rng, method, "/index.html");
        let body = form_body(rng);
        req.body(Some("application/x-www-form-urlencoded"), body);
        ("body-on-get", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/orders");
        let body = br#"{"item":"x","qty":1}"#;
        req.chunked(Some("application/json"), body, &[7, 5], false);
        req.header("Content-Length", rng.range(3, 40).to_string());
        ("te-cl-both", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/api/v1/orders");
        let te = nth(
            &["gzip", "xchunked", "chunked, gzip", "identity", "compress"],
            r,
        );
        let body = form_body(rng);
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Transfer-Encoding", te.into()),
                ("Content-Length", body.len().to_string()),
            ],
            &body,
        );
        ("te-unsupported", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/feedback");
        let body = form_body(rng);
        req.chunked(
            Some("application/x-www-form-urlencoded"),
            &body,
            &[4, 9],
            true,
        );
        req.header("Transfer-Encoding", "identity");
        ("te-duplicate", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/feedback");
        let body = form_body(rng);
        req.chunked(
            Some("application/x-www-form-urlencoded"),
            &body,
            &[6],
            false,
        );
        let value = nth(&["CHUNKED", "\tchunked", "chunked ", "Chunked"], r);
        req.set_header("Transfer-Encoding", value);
        ("te-odd-spelling", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/feedback");
        req.version = "HTTP/1.0".into();
        let body = form_body(rng);
        req.chunked(
            Some("application/x-www-form-urlencoded"),
            &body,
            &[5, 5],
            false,
        );
        ("te-in-http10", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/api/v1/notes");
        let bad = nth(&["zz", "-5", "0x10", "1 0", "ffffffffffffffffffff"], r);
        raw_body(
            &mut req,
            &[
                ("Content-Type", "text/plain".into()),
                ("Transfer-Encoding", "chunked".into()),
            ],
            format!("{bad}\r\nhello world\r\n0\r\n\r\n").as_bytes(),
        );
        ("chunk-bad-size", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/notes");
        let n = rng.range(3, 9) as usize;
        let data = "a".repeat(n);
        raw_body(
            &mut req,
            &[
                ("Content-Type", "text/plain".into()),
                ("Transfer-Encoding", "chunked".into()),
            ],
            format!("{n:x}\r\n{data}\r\n").as_bytes(),
        );
        ("chunk-no-last-chunk", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/notes");
        let h = host(rng);
        let smuggled = format!("0\r\n\r\nGET /admin HTTP/1.1\r\nHost: {h}\r\nX-Ignore: x");
        raw_body(
            &mut req,
            &[
                ("Content-Type", "application/x-www-form-urlencoded".into()),
                ("Transfer-Encoding", "chunked".into()),
            ],
            format!("5\r\na=1&b\r\n{smuggled}").as_bytes(),
        );
        ("chunk-smuggled-request", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/notes");
        raw_body(
            &mut req,
            &[
                ("Content-Type", "text/plain".into()),
                ("Transfer-Encoding", "chunked".into()),
            ],
            b"4\r\nabcdXX\r\n0\r\n\r\n",
        );
        let _ = rng;
        ("chunk-data-overrun", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/index.html");
        req.remove_header("Host");
        ("host-missing", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/");
        req.set_header("Host", "");
        ("host-empty", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/account");
        req.header("Host", "attacker.example");
        ("host-duplicate", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        let ip = nth(
            &[
                "203.0.113.10",
                "198.51.100.23:8080",
                "192.0.2.1",
                "[2001:db8::5]",
            ],
            r,
        );
        req.set_header("Host", ip);
        ("host-numeric-ip", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        let v = nth(
            &[
                "www.example.com/../admin",
                "www.example.com@attacker.example",
                "exa mple.com",
                "www.example.com:80:80",
                "localhost\t",
                "www.example.com;.attacker.example",
            ],
            r,
        );
        req.set_header("Host", v);
        ("host-malformed", req.to_bytes())
    },
    |rng, _r| {
        let mut req = Req::new("GET", "/products?id=3");
        let h = host(rng);
        req.header("Host", h);
        if rng.chance(50) {
            req.header("Accept", "*/*");
        } else {
            req.header("User-Agent", "curl/8.5.0");
        }
        ("header-missing-ua-or-accept", req.to_bytes())
    },
    |rng, r| {
        let m = nth(
            &[
                "FOOBAR", "TRACE", "TRACK", "PROPFIND", "DEBUG", "get", "MKCOL", "PATCHX",
                "SEARCH", "COPY",
            ],
            r,
        );
        let req = head(rng, m, "/index.html");
        ("method-unusual", req.to_bytes())
    },
    |rng, _r| {
        let req = head(rng, "CONNECT", "internal.example.test:22");
        ("method-connect", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/index.html");
        req.version = (nth(
            &[
                "HTTP/1.2",
                "HTTP/3.0",
                "HTTPS/1.1",
                "HTTP/1.1.1",
                "http/1.1",
                "HTTP/11",
                "HTTP/0.9",
            ],
            r,
        ))
        .into();
        ("version-invalid", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/index.html");
        req.version = String::new();
        ("version-missing", req.to_bytes())
    },
    |rng, _r| {
        let req = head(rng, "GET", "/search?q=shoes");
        let bytes = String::from_utf8_lossy(&req.to_bytes())
            .replacen(
                "GET /search?q=shoes HTTP/1.1",
                if rng.chance(50) {
                    "GET  /search?q=shoes   HTTP/1.1"
                } else {
                    "GET\t/search?q=shoes\tHTTP/1.1"
                },
                1,
            )
            .into_bytes();
        ("reqline-whitespace", bytes)
    },
    |rng, r| {
        let t = nth(
            &["/page#section-2", "/docs/#/settings?x=1", "/a?b=1#c=2"],
            r,
        );
        let req = head(rng, "GET", t);
        ("uri-fragment", req.to_bytes())
    },
    |rng, r| {
        let t = nth(
            &[
                "\\windows\\win.ini",
                "/static\\..\\..\\web.config",
                "/a\\b\\c",
            ],
            r,
        );
        let req = head(rng, "GET", t);
        ("uri-backslash", req.to_bytes())
    },
    |rng, r| {
        let t = nth(
            &[
                "/search?q=%zz",
                "/search?q=50%",
                "/search?q=%4",
                "/item?id=%%31",
                "/a%2",
                "/x?y=%u12",
                "/x?y=%uZZZZ",
            ],
            r,
        );
        let req = head(rng, "GET", t);
        ("uri-invalid-percent", req.to_bytes())
    },
    |rng, r| {
        let t = nth(
            &[
                "/file?name=report.pdf%00.php",
                "/search?q=abc%00def",
                "/view%00.jpg",
                "/x?%00=1",
            ],
            r,
        );
        let req = head(rng, "GET", t);
        ("uri-nul", req.to_bytes())
    },
    |rng, _r| {
        let c = rng.range(1, 31) as u8;
        let req = head(rng, "GET", format!("/search?q=a%{c:02X}b&page=1"));
        ("uri-control-char", req.to_bytes())
    },
    |rng, _r| {
        let mut target = b"/search?q=".to_vec();
        target.extend_from_slice(&[0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe]);
        if rng.chance(50) {
            target = b"/caf\xe9/menu".to_vec();
        }
        let mut req = head(rng, "GET", "/");
        req.target = target;
        ("uri-raw-non-utf8", req.to_bytes())
    },
    |rng, r| {
        let t = nth(
            &[
                "/search?q=%c0%ae%c0%ae%c0%af",
                "/a?b=%e0%80%af",
                "/x?y=%f0%80%80%af",
                "/x?y=%ed%a0%80",
            ],
            r,
        );
        let req = head(rng, "GET", t);
        ("uri-invalid-utf8", req.to_bytes())
    },
    |rng, r| {
        let t = nth(
            &[
                "/search?q=%uff1cscript%uff1e",
                "/x?y=%uff0e%uff0e%uff0f",
                "/x?y=%uFF41%uFF42",
            ],
            r,
        );
        let req = head(rng, "GET", t);
        ("uri-fullwidth-unicode", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        let c = nth(&[0x01u8, 0x07, 0x1b, 0x7f], r);
        let mut v = b"Mozilla/5.0 test".to_vec();
        v.insert(7, c);
        req.set_header("User-Agent", v);
        ("header-control-char", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/");
        let mut v = b"en-US".to_vec();
        v.push(0);
        req.header("Accept-Language", v);
        ("header-nul", req.to_bytes())
    },
    |rng, r| {
        let t = nth(&[
            "/redirect?url=/home%0d%0aSet-Cookie:%20admin=1",
            "/lang?set=en%0d%0aLocation:%20http://attacker.example/",
            "/page?x=1%0aX-Injected:%20yes",
            "/r?to=a%0d%0aContent-Length:%200%0d%0a%0d%0aHTTP/1.1%20200%20OK%0d%0aContent-Type:%20text/html",
        ], r);
        let req = head(rng, "GET", t);
        ("crlf-response-splitting", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/proxy");
        let v = "GET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n";
        let body = format!("next={}", pct_form(v.as_bytes()));
        req.body(Some("application/x-www-form-urlencoded"), body.into_bytes());
        let _ = rng;
        ("request-smuggling-in-arg", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/");
        let bytes = String::from_utf8_lossy(&req.to_bytes())
            .replacen(
                "\r\nAccept: */*",
                "\r\nAccept: text/html,\r\n application/json",
                1,
            )
            .into_bytes();
        let _ = &mut req;
        let _ = rng;
        ("header-obs-fold", bytes)
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        req.header(nth(&["X Custom", "Bad:Name", "X-Tab\tName"], r), "1");
        ("header-name-invalid", req.to_bytes())
    },
    |rng, _r| {
        let req = head(rng, "GET", "/");
        let bytes = String::from_utf8_lossy(&req.to_bytes())
            .replacen("\r\n\r\n", "\r\nThisHeaderHasNoColon\r\n\r\n", 1)
            .into_bytes();
        ("header-no-colon", bytes)
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/downloads/big.iso");
        let v = match rng.below(3) {
            0 => format!(
                "bytes={}",
                (0..rng.range(6, 40))
                    .map(|i| format!("{}-{}", i * 10, i * 10 + 5))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            1 => "bytes=500-100".to_string(),
            _ => "bytes=0-,1-,2-,3-,4-,5-,6-".to_string(),
        };
        req.header("Range", v);
        ("range-abuse", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/downloads/big.iso");
        req.header("Request-Range", "bytes=0-1,2-3");
        ("range-legacy-header", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/items");
        let body = form_body(rng);
        req.body(None, body);
        ("content-type-missing", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/api/v1/items");
        let ct = nth(
            &[
                "application/x-evil",
                "text/html",
                "image/svg+xml",
                "application/x-www-form-urlencoded-x",
                "application/vnd.custom+json",
            ],
            r,
        );
        req.body(Some(ct), form_body(rng));
        ("content-type-not-allowed", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/api/v1/items");
        let ct = nth(
            &[
                "application/x-www-form-urlencoded; charset=utf-7",
                "text/plain; charset=ibm037",
                "application/json; charset=utf-8; charset=utf-7",
                "application/x-www-form-urlencoded; charset=x-mac-farsi",
            ],
            r,
        );
        req.body(Some(ct), form_body(rng));
        ("content-type-charset", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/api/v1/items");
        req.header("Content-Encoding", nth(&["gzip", "deflate", "br"], r));
        req.body(Some("application/x-www-form-urlencoded"), form_body(rng));
        ("content-encoding-request", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let body = multipart(&b, &[Part::field("a", "1")]);
        req.body(Some("multipart/form-data"), body);
        ("multipart-no-boundary", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let body = multipart(&b, &[Part::field("a", "1"), Part::field("b", "2")]);
        req.body(
            Some("multipart/form-data; boundary=someotherboundary1234"),
            body,
        );
        ("multipart-boundary-mismatch", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let mut body = multipart(
            &b,
            &[Part::field("a", "1"), Part::field("comment", "no end")],
        );
        let cut = body.len() - (b.len() + 6);
        body.truncate(cut);
        req.body(Some(&format!("multipart/form-data; boundary={b}")), body);
        ("multipart-unterminated", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let body = String::from_utf8_lossy(&multipart(
            &b,
            &[Part::field("a", "1"), Part::field("b", "two")],
        ))
        .replace("\r\n", "\n")
        .into_bytes();
        req.body(Some(&format!("multipart/form-data; boundary={b}")), body);
        ("multipart-lf-line-endings", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let disposition = nth(
            &[
                "form-data; name=\"a",
                "form-data; name='a'",
                "form-data; name=a\"b\"",
                "form-data; name=\"a\"; filename=\"x.txt",
                "form-data; name=\"a\\\"b\"",
            ],
            r,
        );
        let body =
            format!("--{b}\r\nContent-Disposition: {disposition}\r\n\r\nvalue\r\n--{b}--\r\n");
        req.body(
            Some(&format!("multipart/form-data; boundary={b}")),
            body.into_bytes(),
        );
        ("multipart-bad-quoting", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let mut body = b"preamble text that should not be here\r\n".to_vec();
        body.extend(multipart(&b, &[Part::field("a", "1")]));
        if rng.chance(50) {
            body.extend_from_slice(b"epilogue: trailing junk after the closing boundary\r\n");
        }
        req.body(Some(&format!("multipart/form-data; boundary={b}")), body);
        ("multipart-data-outside", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let body = format!("--{b}\r\nContent-Disposition: form-data;\r\n name=\"folded\"\r\n\r\nvalue\r\n--{b}--\r\n");
        req.body(
            Some(&format!("multipart/form-data; boundary={b}")),
            body.into_bytes(),
        );
        ("multipart-header-folding", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let name = nth(
            &[
                "a;b.php",
                "x'.txt",
                "test\".jpg",
                "a=b.png",
                "..%2f..%2fshell.php",
            ],
            r,
        );
        let body = multipart(
            &b,
            &[Part::file("file", name, "text/plain", b"hello".to_vec())],
        );
        req.body(Some(&format!("multipart/form-data; boundary={b}")), body);
        ("multipart-filename-chars", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let body = multipart(&b, &[Part::field("a", "1")]);
        req.body(
            Some(&format!(
                "multipart/form-data; boundary={b}; boundary=other"
            )),
            body,
        );
        ("multipart-duplicate-boundary-param", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let body = format!("--{b}\r\nContent-Type: text/plain\r\n\r\norphan part\r\n--{b}--\r\n");
        req.body(
            Some(&format!("multipart/form-data; boundary={b}")),
            body.into_bytes(),
        );
        ("multipart-no-disposition", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = format!("\"{}\"", rng.alnum(20));
        let inner = b.trim_matches('"').to_string();
        let weird = if rng.chance(50) {
            format!("multipart/form-data; boundary={b}")
        } else {
            format!("multipart/form-data; boundary= {inner}")
        };
        let body = multipart(&inner, &[Part::field("a", "1")]);
        req.body(Some(&weird), body);
        ("multipart-boundary-quoted-or-spaced", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/upload");
        let b = boundary(rng);
        let body = format!("--{b}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--{b}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n--{b}x\r\n--{b}--\r\n");
        req.body(
            Some(&format!("multipart/form-data; boundary={b}")),
            body.into_bytes(),
        );
        ("multipart-unmatched-boundary", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/api/v1/items");
        let body = nth(
            &[
                "{\"a\": 1,",
                "{'single': 'quotes'}",
                "{\"a\":1}}",
                "[1,2,,3]",
                "{\"a\":\"unterminated}",
                "NaN",
                "{\"a\":01}",
            ],
            r,
        );
        req.body(Some("application/json"), body.as_bytes().to_vec());
        ("json-malformed", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "POST", "/api/v1/items");
        let depth = rng.range(600, 1200) as usize;
        let body = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        req.body(Some("application/json"), body.into_bytes());
        ("json-too-deep", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/services/soap");
        let body = nth(
            &[
                "<?xml version=\"1.0\"?><a><b></a>",
                "<?xml version=\"1.0\"?><a attr=\"x></a>",
                "not xml at all",
                "<?xml version=\"1.0\"?><a>&undefined;</a>",
            ],
            r,
        );
        req.body(Some("text/xml"), body.as_bytes().to_vec());
        ("xml-malformed", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "POST", "/form");
        let body = nth(&["a=%zz&b=2", "a=%&b=%4", "a=1&=&b", "a=%u00zz", "%=%"], r);
        req.body(
            Some("application/x-www-form-urlencoded"),
            body.as_bytes().to_vec(),
        );
        ("urlencoded-invalid-percent", req.to_bytes())
    },
    |rng, _r| {
        let n = rng.range(1000, 1300);
        let q: Vec<String> = (0..n).map(|i| format!("k{i}=v")).collect();
        let mut req = head(rng, "POST", "/api/v1/bulk");
        req.body(
            Some("application/x-www-form-urlencoded"),
            q.join("&").into_bytes(),
        );
        ("too-many-args", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/");
        req.header("Connection", "Upgrade, HTTP2-Settings")
            .header("Upgrade", "h2c")
            .header("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
        let _ = rng;
        ("h2c-upgrade", req.to_bytes())
    },
    |_rng, _r| {
        (
            "http2-preface",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
        )
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "http://attacker.example/steal");
        req.set_header("Host", "www.example.com");
        ("absolute-uri-host-mismatch", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        let (n, v) = nth(
            &[
                ("Proxy", "http://attacker.example:8080"),
                ("Lock-Token", "<opaquelocktoken:1234>"),
                ("Content-Range", "bytes 0-9/10"),
                ("If", "(<urn:uuid:1>)"),
                ("Translate", "f"),
                ("Back-End-Server", "10.0.0.1"),
            ],
            r,
        );
        req.header(n, v);
        ("restricted-header", req.to_bytes())
    },
    |rng, r| {
        let t = nth(
            &[
                "/backup/site.bak",
                "/db/users.sql",
                "/config.ini",
                "/logs/app.log",
                "/app.config",
                "/data.mdb",
                "/old/index.php.old",
                "/.htaccess",
                "/id_rsa.pub",
                "/install.sh",
            ],
            r,
        );
        let req = head(rng, "GET", t);
        ("restricted-extension", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/");
        let n = rng.range(9000, 20000) as usize;
        req.header("X-Padding", "A".repeat(n));
        ("header-very-long", req.to_bytes())
    },
    |rng, _r| {
        let mut req = head(rng, "GET", "/");
        for i in 0..rng.range(100, 160) {
            req.header(&format!("X-H{i}"), "1");
        }
        ("header-very-many", req.to_bytes())
    },
    |rng, _r| {
        let req = head(rng, "GET", "/");
        let bytes = String::from_utf8_lossy(&req.to_bytes())
            .replacen("\r\nAccept", "\r\nX-Bare: a\rb\r\nAccept", 1)
            .into_bytes();
        ("header-bare-cr", bytes)
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        req.header("Expect", nth(&["100-continue", "200-ok", "weird"], r));
        ("expect-unusual", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        req.header("Accept", nth(&["*/*; q=abc", "text/html;;;", ""], r));
        ("accept-malformed", req.to_bytes())
    },
    |rng, r| {
        let t = nth(&["/?a[=1", "/?=x&=y", "/?a=1&a[]=2&a[b]=3", "/?%=1"], r);
        let req = head(rng, "GET", t);
        ("argname-odd", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/api/v1/items");
        req.header(
            "X-HTTP-Method-Override",
            nth(&["DELETE", "PUT", "TRACE"], r),
        );
        ("method-override-header", req.to_bytes())
    },
    |rng, r| {
        let mut req = head(rng, "GET", "/");
        req.header(
            "Cookie",
            nth(
                &["a=1;;; b", "=nameless", "a=\"unterminated", "x y=1", ";"],
                r,
            ),
        );
        ("cookie-malformed", req.to_bytes())
    },
    |rng, _r| {
        let t = format!("/search?q={}", "A".repeat(rng.range(9000, 16000) as usize));
        let req = head(rng, "GET", t);
        ("uri-very-long", req.to_bytes())
    },
    |rng, _r| {
        let req = head(rng, "GET", "/index.html");
        let mut bytes = b"\r\n\r\n".to_vec();
        bytes.extend(req.to_bytes());
        ("leading-empty-lines", bytes)
    },
];

pub(crate) fn family() -> Family {
    let mut rng = Rng::new("proto");
    let mut out = Collector::new("proto", true);
    let mut round = 0;
    while out.len() < 170 && round < 10 {
        for generator in GENERATORS {
            if out.len() >= 170 {
                break;
            }
            let (variant, bytes) = generator(&mut rng, round);
            out.add(variant, bytes);
        }
        round += 1;
    }
    out.finish()
}
