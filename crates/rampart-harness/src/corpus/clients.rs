//! Header sets of real clients: the major browsers (per kind of fetch) and common API clients.

use super::Rng;

pub(crate) type Headers = Vec<(String, Vec<u8>)>;

fn h(headers: &mut Headers, name: &str, value: impl Into<String>) {
    headers.push((name.to_string(), value.into().into_bytes()));
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Browser {
    Chrome,
    Edge,
    Firefox,
    Safari,
    ChromeAndroid,
    SafariIos,
}

impl Browser {
    pub(crate) fn any(rng: &mut Rng) -> Browser {
        *rng.weighted(&[
            (40, Browser::Chrome),
            (8, Browser::Edge),
            (14, Browser::Firefox),
            (10, Browser::Safari),
            (16, Browser::ChromeAndroid),
            (12, Browser::SafariIos),
        ])
    }

    fn chromium(self) -> bool {
        matches!(
            self,
            Browser::Chrome | Browser::Edge | Browser::ChromeAndroid
        )
    }
}

/// What the browser is fetching; decides Accept and the Sec-Fetch-* headers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dest {
    /// A top-level navigation.
    Document,
    Image,
    Script,
    Style,
    Font,
    /// fetch()/XMLHttpRequest.
    Fetch,
    /// A form submission (navigation with a body).
    FormPost,
    /// An iframe navigation.
    Frame,
}

/// Where the request comes from, as far as headers tell.
pub(crate) struct Ctx<'a> {
    pub host: &'a str,
    pub referer: Option<String>,
    pub cookie: Option<String>,
    /// `none`, `same-origin`, `same-site` or `cross-site`.
    pub site: &'static str,
}

struct Version {
    major: u64,
    os: usize,
}

fn grease(major: u64) -> (&'static str, &'static str) {
    match major % 4 {
        0 => ("Not-A.Brand", "99"),
        1 => ("Not/A)Brand", "8"),
        2 => ("Not A(Brand", "24"),
        _ => ("Not)A;Brand", "99"),
    }
}

pub(crate) fn user_agent(rng: &mut Rng, browser: Browser) -> String {
    let v = version(rng, browser);
    ua_for(browser, &v)
}

fn version(rng: &mut Rng, browser: Browser) -> Version {
    let major = match browser {
        Browser::Chrome | Browser::Edge | Browser::ChromeAndroid => rng.range(116, 127),
        Browser::Firefox => rng.range(115, 128),
        Browser::Safari | Browser::SafariIos => rng.range(15, 17),
    };
    Version {
        major,
        os: rng.below(4),
    }
}

fn ua_for(browser: Browser, v: &Version) -> String {
    let m = v.major;
    match browser {
        Browser::Chrome => {
            let os = [
                "Windows NT 10.0; Win64; x64",
                "Macintosh; Intel Mac OS X 10_15_7",
                "X11; Linux x86_64",
                "Windows NT 10.0; Win64; x64",
            ][v.os];
            format!("Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{m}.0.0.0 Safari/537.36")
        }
        Browser::Edge => format!(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{m}.0.0.0 Safari/537.36 Edg/{m}.0.0.0"
        ),
        Browser::Firefox => {
            let os = [
                "Windows NT 10.0; Win64; x64",
                "Macintosh; Intel Mac OS X 10.15",
                "X11; Linux x86_64",
                "X11; Ubuntu; Linux x86_64",
            ][v.os];
            format!("Mozilla/5.0 ({os}; rv:{m}.0) Gecko/20100101 Firefox/{m}.0")
        }
        Browser::Safari => {
            let minor = v.os;
            format!("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{m}.{minor} Safari/605.1.15")
        }
        Browser::ChromeAndroid => format!(
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{m}.0.0.0 Mobile Safari/537.36"
        ),
        Browser::SafariIos => {
            let minor = v.os + 1;
            let device = if v.os == 3 { "iPad; CPU OS" } else { "iPhone; CPU iPhone OS" };
            format!("Mozilla/5.0 ({device} {m}_{minor} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{m}.{minor} Mobile/15E148 Safari/604.1")
        }
    }
}

fn platform(browser: Browser, v: &Version) -> &'static str {
    match browser {
        Browser::ChromeAndroid => "\"Android\"",
        Browser::Edge => "\"Windows\"",
        _ => ["\"Windows\"", "\"macOS\"", "\"Linux\"", "\"Windows\""][v.os],
    }
}

pub(crate) const LANGUAGES: &[&str] = &[
    "en-US,en;q=0.9",
    "en-US,en;q=0.9",
    "en-US,en;q=0.9",
    "en-GB,en-US;q=0.9,en;q=0.8",
    "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "es-ES,es;q=0.9",
    "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7",
    "ja,en-US;q=0.9,en;q=0.8",
    "zh-CN,zh;q=0.9,en;q=0.8",
    "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7",
    "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7",
    "it-IT,it;q=0.9,en-US;q=0.8,en;q=0.7",
    "pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7",
    "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7",
    "tr-TR,tr;q=0.9,en-US;q=0.8,en;q=0.7",
    "sv-SE,sv;q=0.9,en-US;q=0.8,en;q=0.7",
];

const FIREFOX_LANGUAGES: &[&str] = &[
    "en-US,en;q=0.5",
    "en-US,en;q=0.5",
    "en-GB,en;q=0.5",
    "de,en-US;q=0.7,en;q=0.3",
    "fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3",
    "es-ES,es;q=0.8,en-US;q=0.5,en;q=0.3",
    "cs,sk;q=0.8,en-US;q=0.5,en;q=0.3",
];

fn accept(browser: Browser, dest: Dest) -> &'static str {
    match dest {
        Dest::Document | Dest::FormPost | Dest::Frame => match browser {
            Browser::Firefox => "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
            Browser::Safari | Browser::SafariIos => {
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
            }
            _ => "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
        },
        Dest::Image => match browser {
            Browser::Firefox => "image/avif,image/webp,*/*",
            Browser::Safari | Browser::SafariIos => {
                "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
            }
            _ => "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
        },
        Dest::Style => match browser {
            Browser::Firefox => "text/css,*/*;q=0.1",
            _ => "text/css,*/*;q=0.1",
        },
        Dest::Script | Dest::Font => "*/*",
        Dest::Fetch => "application/json, text/plain, */*",
    }
}

fn fetch_names(dest: Dest) -> (&'static str, &'static str) {
    match dest {
        Dest::Document | Dest::FormPost => ("navigate", "document"),
        Dest::Frame => ("navigate", "iframe"),
        Dest::Image => ("no-cors", "image"),
        Dest::Script => ("no-cors", "script"),
        Dest::Style => ("no-cors", "style"),
        Dest::Font => ("cors", "font"),
        Dest::Fetch => ("cors", "empty"),
    }
}

/// A browser's headers for a request (without the body headers), in the browser's order.
pub(crate) fn browser_headers(rng: &mut Rng, browser: Browser, dest: Dest, ctx: &Ctx) -> Headers {
    let v = version(rng, browser);
    let ua = ua_for(browser, &v);
    let navigation = matches!(dest, Dest::Document | Dest::FormPost | Dest::Frame);
    let (mode, fetch_dest) = fetch_names(dest);
    let encoding = if browser.chromium() && v.major >= 123 {
        "gzip, deflate, br, zstd"
    } else {
        "gzip, deflate, br"
    };
    let origin_needed = matches!(dest, Dest::FormPost)
        || (matches!(dest, Dest::Fetch | Dest::Font) && ctx.site != "same-origin")
        || (matches!(dest, Dest::Fetch) && rng.chance(30));
    let origin = format!("https://{}", ctx.host);
    let mut out = Headers::new();
    if browser.chromium() {
        h(&mut out, "Host", ctx.host);
        h(&mut out, "Connection", "keep-alive");
        if navigation && ctx.site == "none" && rng.chance(30) {
            h(&mut out, "Cache-Control", "max-age=0");
        }
        let (g, gv) = grease(v.major);
        let brand = if browser == Browser::Edge {
            "Microsoft Edge"
        } else {
            "Google Chrome"
        };
        let m = v.major;
        h(
            &mut out,
            "sec-ch-ua",
            format!("\"Chromium\";v=\"{m}\", \"{brand}\";v=\"{m}\", \"{g}\";v=\"{gv}\""),
        );
        h(
            &mut out,
            "sec-ch-ua-mobile",
            if browser == Browser::ChromeAndroid {
                "?1"
            } else {
                "?0"
            },
        );
        h(&mut out, "sec-ch-ua-platform", platform(browser, &v));
        if navigation {
            h(&mut out, "Upgrade-Insecure-Requests", "1");
        }
        if origin_needed {
            h(&mut out, "Origin", origin.as_str());
        }
        h(&mut out, "User-Agent", ua);
        h(&mut out, "Accept", accept(browser, dest));
        h(&mut out, "Sec-Fetch-Site", ctx.site);
        h(&mut out, "Sec-Fetch-Mode", mode);
        if navigation && ctx.site != "cross-site" || matches!(dest, Dest::Document) {
            h(&mut out, "Sec-Fetch-User", "?1");
        }
        h(&mut out, "Sec-Fetch-Dest", fetch_dest);
        if let Some(referer) = &ctx.referer {
            h(&mut out, "Referer", referer.as_str());
        }
        h(&mut out, "Accept-Encoding", encoding);
        h(
            &mut out,
            "Accept-Language",
            *rng.pick(super::clients::LANGUAGES),
        );
        if let Some(cookie) = &ctx.cookie {
            h(&mut out, "Cookie", cookie.as_str());
        }
    } else if browser == Browser::Firefox {
        h(&mut out, "Host", ctx.host);
        h(&mut out, "User-Agent", ua);
        h(&mut out, "Accept", accept(browser, dest));
        h(&mut out, "Accept-Language", *rng.pick(FIREFOX_LANGUAGES));
        h(&mut out, "Accept-Encoding", encoding);
        if origin_needed {
            h(&mut out, "Origin", origin.as_str());
        }
        h(&mut out, "Connection", "keep-alive");
        if let Some(referer) = &ctx.referer {
            h(&mut out, "Referer", referer.as_str());
        }
        if let Some(cookie) = &ctx.cookie {
            h(&mut out, "Cookie", cookie.as_str());
        }
        if navigation {
            h(&mut out, "Upgrade-Insecure-Requests", "1");
        }
        h(&mut out, "Sec-Fetch-Dest", fetch_dest);
        h(&mut out, "Sec-Fetch-Mode", mode);
        h(&mut out, "Sec-Fetch-Site", ctx.site);
        if navigation {
            h(&mut out, "Sec-Fetch-User", "?1");
        }
        if v.major >= 124 {
            h(
                &mut out,
                "Priority",
                if navigation { "u=0, i" } else { "u=4" },
            );
        }
        if rng.chance(10) {
            h(&mut out, "DNT", "1");
            h(&mut out, "Sec-GPC", "1");
        }
    } else {
        // Safari: its own order, fewer headers.
        h(&mut out, "Host", ctx.host);
        h(&mut out, "Accept", accept(browser, dest));
        h(&mut out, "Sec-Fetch-Site", ctx.site);
        if let Some(cookie) = &ctx.cookie {
            h(&mut out, "Cookie", cookie.as_str());
        }
        h(&mut out, "Sec-Fetch-Dest", fetch_dest);
        h(
            &mut out,
            "Accept-Language",
            *rng.pick(&[
                "en-US,en;q=0.9",
                "en-GB,en;q=0.9",
                "fr-FR,fr;q=0.9",
                "de-DE,de;q=0.9",
                "ja-JP,ja;q=0.9",
            ]),
        );
        h(&mut out, "Sec-Fetch-Mode", mode);
        if origin_needed {
            h(&mut out, "Origin", origin.as_str());
        }
        h(&mut out, "User-Agent", ua);
        if let Some(referer) = &ctx.referer {
            h(&mut out, "Referer", referer.as_str());
        }
        h(&mut out, "Accept-Encoding", "gzip, deflate, br");
        h(&mut out, "Connection", "keep-alive");
    }
    out
}

/// Non-browser HTTP clients.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Curl,
    PythonRequests,
    GoHttp,
    OkHttp,
    Axios,
    Postman,
    JavaHttp,
    MobileApp,
}

impl Tool {
    pub(crate) fn any(rng: &mut Rng) -> Tool {
        *rng.pick(&[
            Tool::Curl,
            Tool::Curl,
            Tool::PythonRequests,
            Tool::GoHttp,
            Tool::OkHttp,
            Tool::Axios,
            Tool::Postman,
            Tool::JavaHttp,
            Tool::MobileApp,
        ])
    }
}

/// A tool's headers, in its order, for a request with `accept` (when the tool lets the caller
/// choose one).
pub(crate) fn tool_headers(rng: &mut Rng, tool: Tool, host: &str, accept: &str) -> Headers {
    let mut out = Headers::new();
    match tool {
        Tool::Curl => {
            h(&mut out, "Host", host);
            let version = *rng.pick(&[
                "7.68.0", "7.81.0", "7.88.1", "8.4.0", "8.5.0", "8.7.1", "8.9.1",
            ]);
            h(&mut out, "User-Agent", format!("curl/{version}"));
            h(
                &mut out,
                "Accept",
                if accept == "*/*" || rng.chance(40) {
                    "*/*"
                } else {
                    accept
                },
            );
        }
        Tool::PythonRequests => {
            h(&mut out, "Host", host);
            h(
                &mut out,
                "User-Agent",
                format!(
                    "python-requests/2.{}.{}",
                    rng.range(25, 32),
                    rng.range(0, 3)
                ),
            );
            h(&mut out, "Accept-Encoding", "gzip, deflate");
            h(&mut out, "Accept", accept);
            h(&mut out, "Connection", "keep-alive");
        }
        Tool::GoHttp => {
            h(&mut out, "Host", host);
            h(&mut out, "User-Agent", "Go-http-client/1.1");
            if accept != "*/*" {
                h(&mut out, "Accept", accept);
            }
            h(&mut out, "Accept-Encoding", "gzip");
        }
        Tool::OkHttp => {
            h(&mut out, "Host", host);
            h(&mut out, "Accept", accept);
            h(&mut out, "Connection", "Keep-Alive");
            h(&mut out, "Accept-Encoding", "gzip");
            h(
                &mut out,
                "User-Agent",
                format!("okhttp/4.{}.{}", rng.range(9, 12), rng.range(0, 3)),
            );
        }
        Tool::Axios => {
            h(&mut out, "Host", host);
            h(&mut out, "Accept", "application/json, text/plain, */*");
            h(
                &mut out,
                "User-Agent",
                format!("axios/1.{}.{}", rng.range(4, 7), rng.range(0, 8)),
            );
            h(&mut out, "Accept-Encoding", "gzip, compress, deflate, br");
            h(&mut out, "Connection", "keep-alive");
        }
        Tool::Postman => {
            h(&mut out, "Host", host);
            h(
                &mut out,
                "User-Agent",
                format!("PostmanRuntime/7.{}.{}", rng.range(32, 39), rng.range(0, 3)),
            );
            h(&mut out, "Accept", "*/*");
            let token = rng.uuid();
            h(&mut out, "Postman-Token", token);
            h(&mut out, "Accept-Encoding", "gzip, deflate, br");
            h(&mut out, "Connection", "keep-alive");
        }
        Tool::JavaHttp => {
            h(&mut out, "Host", host);
            h(
                &mut out,
                "User-Agent",
                format!(
                    "Java-http-client/{}.0.{}",
                    *rng.pick(&[11u64, 17, 21]),
                    rng.range(1, 12)
                ),
            );
            h(&mut out, "Accept", accept);
        }
        Tool::MobileApp => {
            h(&mut out, "Host", host);
            h(&mut out, "Accept", accept);
            let app = *rng.pick(&["ShopMate", "Trailhead", "Ledgerly", "FitTrack"]);
            let ver = format!(
                "{}.{}.{}",
                rng.range(2, 9),
                rng.range(0, 30),
                rng.range(0, 9)
            );
            if rng.chance(50) {
                h(
                    &mut out,
                    "User-Agent",
                    format!(
                        "{app}/{ver} (iPhone; iOS 17.{}; Scale/3.00)",
                        rng.range(0, 5)
                    ),
                );
                h(&mut out, "Accept-Language", "en-US;q=1, de-US;q=0.9");
            } else {
                h(
                    &mut out,
                    "User-Agent",
                    format!("{app}/{ver} (Android 14; Pixel 8; Build/UQ1A.240205.004)"),
                );
                h(&mut out, "Accept-Language", "en-US");
            }
            h(&mut out, "Accept-Encoding", "gzip, deflate, br");
            h(&mut out, "Connection", "keep-alive");
        }
    }
    out
}
