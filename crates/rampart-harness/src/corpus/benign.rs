//! Benign traffic: browsing, API calls, form posts, uploads, and odd but legal HTTP.

use serde_json::{json, Value};

use super::clients::{self, browser_headers, tool_headers, Browser, Ctx, Dest, Tool};
use super::text::{self, *};
use super::{
    boundary, multipart, pct_all, pct_form, pct_path, query_string, Collector, Family, Part, Req,
    Rng,
};

pub(crate) fn families() -> Vec<Family> {
    vec![browser(), api(), form(), upload(), odd()]
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn site_host(rng: &mut Rng) -> &'static str {
    rng.pick_str(&HOSTS[..10])
}

fn external_referer(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => "https://www.google.com/".to_string(),
        1 => format!(
            "https://www.bing.com/search?q={}&form=QBLH",
            pct_form(rng.pick(SEARCHES).as_bytes())
        ),
        2 => "https://duckduckgo.com/".to_string(),
        3 => format!("https://t.co/{}", rng.alnum(10)),
        4 => "https://news.ycombinator.com/".to_string(),
        _ => format!(
            "https://www.reddit.com/r/{}/comments/{}/",
            rng.pick(WORDS),
            rng.alnum(6).to_lowercase()
        ),
    }
}

fn tracking(rng: &mut Rng) -> Vec<(String, String)> {
    match rng.below(5) {
        0 => pairs(&[
            (
                "utm_source",
                (*rng.pick(&["newsletter", "google", "facebook", "partner_site"])).to_string(),
            ),
            (
                "utm_medium",
                (*rng.pick(&["email", "cpc", "social", "referral"])).to_string(),
            ),
            (
                "utm_campaign",
                (*rng.pick(&[
                    "spring_sale_2024",
                    "black-friday",
                    "welcome series",
                    "q3+promo",
                ]))
                .to_string(),
            ),
        ]),
        1 => pairs(&[("gclid", format!("Cj0KCQjw{}", rng.alnum(60)))]),
        2 => pairs(&[("fbclid", format!("IwAR{}", rng.alnum(58)))]),
        3 => pairs(&[(
            "ref",
            (*rng.pick(&["homepage", "nav", "footer", "related"])).to_string(),
        )]),
        _ => Vec::new(),
    }
}

fn page_path(rng: &mut Rng) -> (String, &'static str) {
    let path = match rng.below(16) {
        0 => "/".to_string(),
        1 => format!("/products/{}", rng.pick(PRODUCTS)),
        2 => format!(
            "/category/{}?page={}&sort={}",
            rng.pick(CATEGORIES),
            rng.range(1, 12),
            rng.pick(&["price_asc", "price_desc", "newest", "rating", "relevance"])
        ),
        3 => format!(
            "/blog/{}/{:02}/{}",
            rng.range(2019, 2024),
            rng.range(1, 12),
            rng.pick(SLUGS)
        ),
        4 => (*rng.pick(&[
            "/account/orders",
            "/account/settings",
            "/help/returns",
            "/about",
            "/contact",
            "/cart",
            "/checkout/shipping",
            "/login",
            "/signup",
            "/wishlist",
            "/stores",
            "/careers",
        ]))
        .to_string(),
        5 => format!("/p/{}", rng.digits(8)),
        6 => format!(
            "/{}/stores/{}",
            rng.pick(&["en-us", "de-de", "fr-fr", "ja-jp", "pt-br"]),
            pct_path(rng.pick(CITIES).to_lowercase().replace(' ', "-").as_bytes())
        ),
        7 => format!(
            "/wiki/{}",
            pct_path(
                rng.pick(&[
                    "Café",
                    "Zürich",
                    "São_Paulo",
                    "Ærøskøbing",
                    "東京",
                    "Москва",
                    "Crème_brûlée",
                    "C++",
                    "Rock_&_roll"
                ])
                .as_bytes()
            )
        ),
        8 => format!(
            "/products/{}?variant={}&color={}",
            rng.pick(PRODUCTS),
            rng.range(1000, 99999),
            rng.pick(&["blue", "black", "forest-green", "off%20white", "rose+gold"])
        ),
        9 => format!("/tags/{}", pct_path(rng.pick(TAGS).as_bytes())),
        10 => format!(
            "/u/{}",
            pct_path(rng.pick(FIRST_NAMES).to_lowercase().as_bytes())
        ),
        11 => format!(
            "/docs/v{}/{}",
            rng.range(1, 4),
            rng.pick(&[
                "getting-started",
                "api/authentication",
                "guides/webhooks",
                "faq",
                "changelog"
            ])
        ),
        12 => format!("/orders/{}/invoice", rng.range(100_000, 999_999)),
        13 => format!("/events/{}-{}", rng.range(2024, 2025), rng.pick(SLUGS)),
        14 => format!(
            "/compare?ids={},{},{}",
            rng.range(100, 999),
            rng.range(100, 999),
            rng.range(100, 999)
        ),
        _ => format!(
            "/index.php?option=com_content&view=article&id={}&Itemid={}",
            rng.range(1, 500),
            rng.range(1, 120)
        ),
    };
    let variant = if path.contains('?') {
        "page-query"
    } else {
        "page"
    };
    (path, variant)
}

fn add_query(path: &str, extra: &[(String, String)]) -> String {
    if extra.is_empty() {
        return path.to_string();
    }
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{}", query_string(extra))
}

fn browser() -> Family {
    let mut rng = Rng::new("benign-browser");
    let mut out = Collector::new("benign-browser", false);
    while out.len() < 250 {
        let host = site_host(&mut rng);
        let b = Browser::any(&mut rng);
        let kind = *rng.weighted(&[
            (30, "page"),
            (12, "search"),
            (10, "image"),
            (7, "script"),
            (5, "style"),
            (3, "font"),
            (12, "xhr"),
            (3, "head"),
            (6, "conditional"),
            (3, "range"),
            (3, "frame"),
        ]);
        let cookie = if rng.chance(70) {
            Some(text::cookies(&mut rng))
        } else {
            None
        };
        let page = format!("https://{host}{}", page_path(&mut rng).0);
        let (req, variant) = match kind {
            "page" | "conditional" | "head" => {
                let (mut path, variant) = page_path(&mut rng);
                let (site, referer) = match rng.below(3) {
                    0 => ("none", None),
                    1 => ("same-origin", Some(page.clone())),
                    _ => ("cross-site", Some(external_referer(&mut rng))),
                };
                if site == "cross-site" {
                    path = add_query(&path, &tracking(&mut rng));
                }
                let ctx = Ctx {
                    host,
                    referer,
                    cookie,
                    site,
                };
                let mut req = Req::new(if kind == "head" { "HEAD" } else { "GET" }, path);
                req.headers(browser_headers(&mut rng, b, Dest::Document, &ctx));
                if kind == "conditional" {
                    req.header(
                        "If-None-Match",
                        format!("W/\"{}-{}\"", rng.hex(4), rng.hex(27)),
                    );
                    if rng.chance(50) {
                        req.header(
                            "If-Modified-Since",
                            format!(
                                "{}, {:02} {} 2024 {:02}:{:02}:{:02} GMT",
                                rng.pick(&["Mon", "Tue", "Wed", "Thu", "Fri"]),
                                rng.range(1, 28),
                                rng.pick(&["Jan", "Feb", "Mar", "Apr", "May", "Jun"]),
                                rng.range(0, 23),
                                rng.range(0, 59),
                                rng.range(0, 59)
                            ),
                        );
                    }
                    req.set_header("Cache-Control", "max-age=0");
                }
                (req, if kind == "page" { variant } else { kind })
            }
            "search" => {
                let mut params = pairs(&[("q", (*rng.pick(SEARCHES)).to_string())]);
                if rng.chance(50) {
                    params.push(("page".into(), rng.range(2, 9).to_string()));
                }
                if rng.chance(30) {
                    params.push((
                        "sort".into(),
                        (*rng.pick(&["relevance", "price-low-high", "newest"])).to_string(),
                    ));
                }
                if rng.chance(20) {
                    params.push(("category".into(), (*rng.pick(CATEGORIES)).to_string()));
                }
                let query = if rng.chance(70) {
                    query_string(&params)
                } else {
                    // Some sites use %20 and keep a few punctuation characters.
                    params
                        .iter()
                        .map(|(k, v)| {
                            format!(
                                "{k}={}",
                                super::pct_except(v.as_bytes(), |b| b.is_ascii_alphanumeric()
                                    || b"-_.~!*'(),".contains(&b))
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("&")
                };
                let ctx = Ctx {
                    host,
                    referer: Some(format!("https://{host}/")),
                    cookie,
                    site: "same-origin",
                };
                let mut req = Req::new("GET", format!("/search?{query}"));
                req.headers(browser_headers(&mut rng, b, Dest::Document, &ctx));
                (req, "search")
            }
            "image" | "script" | "style" | "font" => {
                let (path, dest) = match kind {
                    "image" => (
                        match rng.below(4) {
                            0 => format!(
                                "/images/products/{}-{}x{}.{}",
                                rng.pick(PRODUCTS),
                                rng.pick(&[320, 640, 1280]),
                                rng.pick(&[240, 480, 960]),
                                rng.pick(&["jpg", "webp", "png", "avif"])
                            ),
                            1 => format!("/media/cache/{}/{}.jpg", rng.hex(2), rng.hex(32)),
                            2 => format!(
                                "/_next/image?url=%2Fimages%2F{}.png&w={}&q=75",
                                rng.pick(WORDS),
                                rng.pick(&[640, 750, 1080, 1920])
                            ),
                            _ => (*rng.pick(&[
                                "/favicon.ico",
                                "/apple-touch-icon.png",
                                "/static/img/logo.svg",
                                "/static/img/sprite@2x.png",
                            ]))
                            .to_string(),
                        },
                        Dest::Image,
                    ),
                    "script" => (
                        match rng.below(3) {
                            0 => format!("/static/js/main.{}.js", rng.hex(8)),
                            1 => format!(
                                "/_next/static/chunks/pages/{}-{}.js",
                                rng.pick(&["index", "_app", "products/[slug]", "account"])
                                    .replace('[', "%5B")
                                    .replace(']', "%5D"),
                                rng.hex(16)
                            ),
                            _ => {
                                format!("/assets/vendor-{}.js?v={}", rng.alnum(8), rng.range(1, 40))
                            }
                        },
                        Dest::Script,
                    ),
                    "style" => (
                        format!(
                            "/static/css/{}.{}.css",
                            rng.pick(&["main", "app", "theme-dark", "print"]),
                            rng.hex(8)
                        ),
                        Dest::Style,
                    ),
                    _ => (
                        format!(
                            "/fonts/{}.woff2",
                            rng.pick(&[
                                "Inter-var",
                                "roboto-v30-latin-regular",
                                "NotoSansJP-Regular",
                                "icons"
                            ])
                        ),
                        Dest::Font,
                    ),
                };
                let site = if rng.chance(75) {
                    "same-origin"
                } else {
                    "same-site"
                };
                let ctx = Ctx {
                    host,
                    referer: Some(page.clone()),
                    cookie,
                    site,
                };
                let mut req = Req::new("GET", path);
                req.headers(browser_headers(&mut rng, b, dest, &ctx));
                (req, kind)
            }
            "xhr" => {
                let path = match rng.below(6) {
                    0 => "/api/cart".to_string(),
                    1 => format!("/api/recommendations?product_id={}&limit={}", rng.range(1000, 9999), rng.pick(&[4, 8, 12])),
                    2 => format!("/api/search/suggest?q={}", pct_form(rng.pick(SEARCHES).split(' ').next().unwrap_or("a").as_bytes())),
                    3 => "/api/me".to_string(),
                    4 => format!("/api/notifications?unread=true&since={}", rng.range(1_700_000_000, 1_720_000_000)),
                    _ => format!("/graphql?operationName=ProductCard&variables=%7B%22id%22%3A%22{}%22%7D&extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%22{}%22%7D%7D", rng.range(100, 999), rng.hex(64)),
                };
                let ctx = Ctx {
                    host,
                    referer: Some(page.clone()),
                    cookie,
                    site: "same-origin",
                };
                let mut req = Req::new("GET", path);
                req.headers(browser_headers(&mut rng, b, Dest::Fetch, &ctx));
                if rng.chance(40) {
                    req.header("X-Requested-With", "XMLHttpRequest");
                }
                (req, "xhr")
            }
            "range" => {
                let ctx = Ctx {
                    host,
                    referer: Some(page.clone()),
                    cookie,
                    site: "same-origin",
                };
                let mut req = Req::new("GET", format!("/media/video/{}.mp4", rng.pick(SLUGS)));
                let mut headers = browser_headers(&mut rng, b, Dest::Image, &ctx);
                for (name, value) in &mut headers {
                    if name == "Accept" {
                        *value = b"*/*".to_vec();
                    }
                    if name == "Sec-Fetch-Dest" {
                        *value = b"video".to_vec();
                    }
                }
                req.headers(headers);
                let start = rng.range(0, 5) * 1_048_576;
                if rng.chance(50) {
                    req.header("Range", format!("bytes={start}-"));
                } else {
                    req.header(
                        "Range",
                        format!("bytes={start}-{}", start + rng.range(65_535, 2_097_151)),
                    );
                }
                (req, "range")
            }
            _ => {
                let ctx = Ctx {
                    host,
                    referer: Some(page.clone()),
                    cookie,
                    site: "same-site",
                };
                let mut req = Req::new(
                    "GET",
                    format!(
                        "/embed/video/{}?autoplay=0&start={}",
                        rng.alnum(11),
                        rng.range(0, 300)
                    ),
                );
                req.headers(browser_headers(&mut rng, b, Dest::Frame, &ctx));
                (req, "frame")
            }
        };
        out.add_req(variant, &req);
    }
    out.finish()
}

// ---------------------------------------------------------------------------------------------
// REST/JSON APIs.

const RESOURCES: &[&str] = &[
    "users",
    "orders",
    "products",
    "invoices",
    "comments",
    "projects",
    "tickets",
    "customers",
    "subscriptions",
    "webhooks",
    "articles",
    "inventory",
];

fn api_base(rng: &mut Rng) -> String {
    format!(
        "/{}",
        rng.pick(&["api/v1", "api/v2", "v1", "api", "rest/v3"])
    )
}

fn api_client(rng: &mut Rng, host: &str, accept: &str) -> Vec<(String, Vec<u8>)> {
    if rng.chance(30) {
        let b = Browser::any(rng);
        let cookie = if rng.chance(60) {
            Some(text::cookies(rng))
        } else {
            None
        };
        let ctx = Ctx {
            host,
            referer: Some(format!(
                "https://{}/app/dashboard",
                host.split(':').next().unwrap_or(host)
            )),
            cookie,
            site: if rng.chance(70) {
                "same-origin"
            } else {
                "same-site"
            },
        };
        browser_headers(rng, b, Dest::Fetch, &ctx)
    } else {
        let tool = Tool::any(rng);
        tool_headers(rng, tool, host, accept)
    }
}

fn auth(rng: &mut Rng, req: &mut Req) {
    match rng.below(5) {
        0 | 1 => {
            let token = text::jwt(rng);
            req.header("Authorization", format!("Bearer {token}"));
        }
        2 => {
            req.header("X-API-Key", format!("sk_live_{}", rng.alnum(24)));
        }
        3 => {
            use base64::Engine as _;
            let creds = format!("{}:{}", rng.pick(WORDS), rng.alnum(12));
            req.header(
                "Authorization",
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(creds)
                ),
            );
        }
        _ => {}
    }
    if rng.chance(40) {
        req.header("X-Request-ID", rng.uuid());
    }
}

fn iso_time(rng: &mut Rng) -> String {
    format!(
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.range(0, 23),
        rng.range(0, 59),
        rng.range(0, 59),
        rng.pick(&["Z", ".123Z", "+02:00", "-05:00"])
    )
}

fn json_user(rng: &mut Rng) -> Value {
    json!({
        "name": text::name(rng),
        "email": text::email(rng),
        "age": rng.range(18, 90),
        "phone": text::phone(rng),
        "tags": [rng.pick(TAGS), rng.pick(TAGS)],
        "address": {
            "street": rng.pick(STREETS),
            "city": rng.pick(CITIES),
            "zip": rng.digits(5),
            "country": rng.pick(&["DE", "US", "FR", "BR", "JP", "PL"]),
        },
        "preferences": {"newsletter": rng.chance(50), "theme": rng.pick(&["dark", "light", "system"])},
        "metadata": Value::Null,
    })
}

fn json_order(rng: &mut Rng) -> Value {
    let items: Vec<Value> = (0..rng.range(1, 4))
        .map(|_| {
            json!({
                "sku": format!("{}-{}", rng.alnum(3).to_uppercase(), rng.digits(4)),
                "quantity": rng.range(1, 5),
                "unit_price": (rng.range(199, 99_999) as f64) / 100.0,
                "options": {"color": rng.pick(&["red", "blue", "noir", "grün"]), "gift_wrap": rng.chance(20)},
            })
        })
        .collect();
    json!({
        "customer_id": rng.range(1000, 99999),
        "currency": rng.pick(&["EUR", "USD", "JPY", "BRL"]),
        "items": items,
        "coupon": if rng.chance(30) { Value::from("SPRING-10") } else { Value::Null },
        "notes": text::sentence(rng),
        "shipping": {"method": rng.pick(&["standard", "express", "pickup"]), "address": rng.pick(STREETS)},
        "created_at": iso_time(rng),
    })
}

fn json_comment(rng: &mut Rng) -> Value {
    json!({
        "post_id": rng.range(1, 5000),
        "parent_id": if rng.chance(50) { Value::from(rng.range(1, 90000)) } else { Value::Null },
        "author": text::name(rng),
        "body": format!("{} {}", text::sentence(rng), text::sentence(rng)),
        "rating": rng.range(1, 5),
    })
}

fn json_event(rng: &mut Rng) -> Value {
    json!({
        "event": rng.pick(&["page_view", "add_to_cart", "checkout_started", "video_play", "search"]),
        "timestamp": rng.range(1_700_000_000_000, 1_720_000_000_000),
        "session": rng.uuid(),
        "properties": {
            "path": page_path(rng).0,
            "screen": {"w": rng.pick(&[390, 1280, 1440, 1920]), "h": rng.pick(&[844, 720, 900, 1080]), "dpr": rng.pick(&[1.0, 2.0, 3.0])},
            "locale": rng.pick(&["en-US", "de-DE", "ja-JP", "pt-BR"]),
            "value": (rng.range(0, 100_000) as f64) / 100.0,
        },
    })
}

fn json_search(rng: &mut Rng) -> Value {
    json!({
        "query": rng.pick(SEARCHES),
        "filters": {
            "price": {"min": rng.range(0, 50), "max": rng.range(51, 2000)},
            "brands": [rng.pick(WORDS), rng.pick(WORDS)],
            "in_stock": true,
            "rating_gte": 4,
        },
        "sort": [{"field": "price", "order": "asc"}, {"field": "_score", "order": "desc"}],
        "page": {"number": rng.range(1, 20), "size": rng.pick(&[10, 25, 50])},
    })
}

fn json_tree(rng: &mut Rng, depth: u64) -> Value {
    if depth == 0 {
        return json!({"leaf": rng.pick(WORDS), "n": rng.range(0, 100)});
    }
    json!({
        "name": rng.pick(WORDS),
        "children": [json_tree(rng, depth - 1), json_tree(rng, depth - 1)],
    })
}

fn json_misc(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => {
            json!({"numbers": [0, -1, 3.5, 1e-7, 6.02e23, 9_007_199_254_740_993u64], "flags": [true, false, null], "empty_obj": {}, "empty_arr": []})
        }
        1 => {
            json!({"title": "Markdown **notes**", "content": "# Heading\n\n- item one\n- item two\n\n```\nlet x = 1;\n```\n\n> quote"})
        }
        2 => {
            json!({"greeting": {"en": "Hello", "de": "Grüß Gott", "ja": "こんにちは", "ar": "مرحبا", "ru": "Привет", "emoji": "👋🏽", "zh": "你好"}})
        }
        3 => {
            let depth = rng.range(2, 4);
            json!({"tree": json_tree(rng, depth)})
        }
        4 => {
            json!({"avatar": format!("data:image/png;base64,{}", { use base64::Engine as _; base64::engine::general_purpose::STANDARD.encode(rng.bytes(48)) }), "filename": "me.png"})
        }
        5 => {
            json!({"url": format!("https://www.example.org/articles/{}?ref=share", rng.pick(SLUGS)), "redirect_uri": "https://app.example.org/oauth/callback", "state": rng.alnum(16)})
        }
        6 => {
            json!({"ids": (0..rng.range(3, 30)).map(|_| rng.range(1, 99999)).collect::<Vec<_>>(), "action": "archive"})
        }
        _ => {
            json!({"text": format!("{} {} {}", text::sentence(rng), text::sentence(rng), text::sentence(rng)), "lang": "auto"})
        }
    }
}

fn escape_non_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn render_json(rng: &mut Rng, value: &Value) -> String {
    let text = if rng.chance(25) {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .unwrap_or_default();
    if rng.chance(20) {
        escape_non_ascii(&text)
    } else {
        text
    }
}

fn json_ct(rng: &mut Rng) -> &'static str {
    rng.pick_str(&[
        "application/json",
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
    ])
}

fn api() -> Family {
    let mut rng = Rng::new("benign-api");
    let mut out = Collector::new("benign-api", false);
    while out.len() < 230 {
        let host = *rng.pick(API_HOSTS);
        let base = api_base(&mut rng);
        let resource = *rng.pick(RESOURCES);
        let kind = *rng.weighted(&[
            (26, "list"),
            (12, "get"),
            (22, "post"),
            (6, "put"),
            (6, "patch"),
            (5, "delete"),
            (6, "graphql"),
            (4, "batch"),
            (3, "xml"),
            (3, "jsonrpc"),
            (4, "options"),
        ]);
        let mut variant = kind;
        let mut req;
        match kind {
            "list" => {
                let mut params: Vec<(String, String)> = Vec::new();
                params.push(("limit".into(), rng.pick(&[10, 20, 50, 100]).to_string()));
                if rng.chance(60) {
                    params.push(("offset".into(), (rng.range(0, 20) * 20).to_string()));
                }
                if rng.chance(50) {
                    params.push((
                        "sort".into(),
                        (*rng.pick(&["-created_at", "name", "price,-rating", "updated_at:desc"]))
                            .to_string(),
                    ));
                }
                if rng.chance(40) {
                    params.push((
                        "filter[status]".into(),
                        (*rng.pick(&["active", "pending", "shipped", "archived"])).to_string(),
                    ));
                }
                if rng.chance(30) {
                    params.push(("fields".into(), "id,name,email,created_at".into()));
                }
                if rng.chance(25) {
                    params.push(("include".into(), "author,comments.author".into()));
                }
                if rng.chance(25) {
                    params.push(("since".into(), iso_time(&mut rng)));
                }
                if rng.chance(20) {
                    params.push(("q".into(), (*rng.pick(SEARCHES)).to_string()));
                }
                if rng.chance(20) {
                    for _ in 0..rng.range(2, 4) {
                        params.push(("ids[]".into(), rng.range(1, 9999).to_string()));
                    }
                }
                if rng.chance(15) {
                    params.push(("cursor".into(), {
                        use base64::Engine as _;
                        base64::engine::general_purpose::STANDARD.encode(format!(
                            "{{\"id\":{},\"ts\":{}}}",
                            rng.range(1, 99999),
                            rng.range(1_700_000_000, 1_720_000_000)
                        ))
                    }));
                }
                req = Req::new(
                    "GET",
                    format!("{base}/{resource}?{}", query_string(&params)),
                );
                req.headers(api_client(&mut rng, host, "application/json"));
            }
            "get" => {
                let id = if rng.chance(50) {
                    rng.uuid()
                } else {
                    rng.range(1, 999_999).to_string()
                };
                let sub =
                    *rng.pick(&["", "", "/orders", "/comments?page=2", "/history", "/avatar"]);
                req = Req::new("GET", format!("{base}/{resource}/{id}{sub}"));
                req.headers(api_client(&mut rng, host, "application/json"));
            }
            "post" | "put" | "patch" => {
                let value = match rng.below(7) {
                    0 => json_user(&mut rng),
                    1 => json_order(&mut rng),
                    2 => json_comment(&mut rng),
                    3 => json_event(&mut rng),
                    4 => json_search(&mut rng),
                    _ => json_misc(&mut rng),
                };
                let (method, target, body) = match kind {
                    "post" => (
                        "POST",
                        format!("{base}/{resource}"),
                        render_json(&mut rng, &value),
                    ),
                    "put" => (
                        "PUT",
                        format!("{base}/{resource}/{}", rng.range(1, 99999)),
                        render_json(&mut rng, &value),
                    ),
                    _ => {
                        if rng.chance(40) {
                            variant = "patch-jsonpatch";
                            let patch = json!([
                                {"op": "replace", "path": "/name", "value": text::name(&mut rng)},
                                {"op": "add", "path": "/tags/-", "value": rng.pick(TAGS)},
                                {"op": "remove", "path": "/metadata/legacy_id"},
                            ]);
                            (
                                "PATCH",
                                format!("{base}/{resource}/{}", rng.range(1, 99999)),
                                render_json(&mut rng, &patch),
                            )
                        } else {
                            let patch = json!({"status": rng.pick(&["active", "paused"]), "note": text::sentence(&mut rng)});
                            (
                                "PATCH",
                                format!("{base}/{resource}/{}", rng.range(1, 99999)),
                                render_json(&mut rng, &patch),
                            )
                        }
                    }
                };
                req = Req::new(method, target);
                req.headers(api_client(&mut rng, host, "application/json"));
                let ct = if variant == "patch-jsonpatch" {
                    "application/json-patch+json"
                } else {
                    json_ct(&mut rng)
                };
                req.body(Some(ct), body.into_bytes());
            }
            "delete" => {
                req = Req::new(
                    "DELETE",
                    format!("{base}/{resource}/{}", rng.range(1, 99999)),
                );
                req.headers(api_client(&mut rng, host, "application/json"));
            }
            "graphql" => {
                let value = match rng.below(3) {
                    0 => {
                        json!({"operationName": "GetUser", "query": "query GetUser($id: ID!) {\n  user(id: $id) {\n    id\n    name\n    email\n    orders(first: 5) { edges { node { id total } } }\n  }\n}", "variables": {"id": rng.range(1, 9999).to_string()}})
                    }
                    1 => {
                        json!({"operationName": "AddToCart", "query": "mutation AddToCart($sku: String!, $qty: Int!) { addToCart(sku: $sku, quantity: $qty) { cart { id itemCount } errors { message } } }", "variables": {"sku": rng.alnum(8), "qty": rng.range(1, 3)}})
                    }
                    _ => {
                        json!({"query": "{ products(filter: {category: \"books\", priceLt: 20}) { id title price } }"})
                    }
                };
                req = Req::new("POST", "/graphql");
                req.headers(api_client(&mut rng, host, "application/json"));
                let body = render_json(&mut rng, &value);
                req.body(Some("application/json"), body.into_bytes());
            }
            "batch" => {
                let items: Vec<Value> = (0..rng.range(2, 6))
                    .map(|_| json_comment(&mut rng))
                    .collect();
                req = Req::new("POST", format!("{base}/{resource}/batch"));
                req.headers(api_client(&mut rng, host, "application/json"));
                let body = render_json(&mut rng, &Value::Array(items));
                req.body(Some(json_ct(&mut rng)), body.into_bytes());
            }
            "jsonrpc" => {
                let value = json!({"jsonrpc": "2.0", "method": rng.pick(&["account.getBalance", "inventory.reserve", "user.lookup"]), "params": {"account": rng.digits(10), "currency": "EUR"}, "id": rng.range(1, 1000)});
                req = Req::new("POST", "/rpc");
                req.headers(api_client(&mut rng, host, "application/json"));
                let body = render_json(&mut rng, &value);
                req.body(Some("application/json"), body.into_bytes());
            }
            "xml" => {
                let body = if rng.chance(50) {
                    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:m=\"http://www.example.org/stock\">\n  <soap:Header/>\n  <soap:Body>\n    <m:GetStockPrice>\n      <m:StockName>{}</m:StockName>\n    </m:GetStockPrice>\n  </soap:Body>\n</soap:Envelope>\n", rng.alnum(4).to_uppercase())
                } else {
                    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<order id=\"{}\"><customer>{}</customer><item sku=\"{}\" qty=\"{}\"/><note>{}</note></order>", rng.range(1, 9999), super::xml_text(&text::name(&mut rng)), rng.alnum(6), rng.range(1, 4), super::xml_text(text::sentence(&mut rng)))
                };
                req = Req::new(
                    "POST",
                    if body.contains("soap") {
                        "/services/StockQuote"
                    } else {
                        "/api/v1/orders.xml"
                    },
                );
                req.headers(api_client(&mut rng, host, "application/xml"));
                if body.contains("soap") {
                    req.header(
                        "SOAPAction",
                        "\"http://www.example.org/stock/GetStockPrice\"",
                    );
                }
                let ct = if body.contains("soap") {
                    "text/xml; charset=utf-8"
                } else {
                    "application/xml"
                };
                req.body(Some(ct), body.into_bytes());
            }
            _ => {
                // CORS preflight.
                let method = *rng.pick(&["POST", "PUT", "DELETE", "PATCH"]);
                req = Req::new(
                    "OPTIONS",
                    format!("{base}/{resource}/{}", rng.range(1, 999)),
                );
                let b = Browser::any(&mut rng);
                let ua = clients::user_agent(&mut rng, b);
                req.header("Host", host)
                    .header("Accept", "*/*")
                    .header("Access-Control-Request-Method", method)
                    .header(
                        "Access-Control-Request-Headers",
                        *rng.pick(&[
                            "content-type",
                            "authorization,content-type",
                            "content-type,x-request-id",
                        ]),
                    )
                    .header("Origin", "https://app.example.org")
                    .header("User-Agent", ua)
                    .header("Sec-Fetch-Mode", "cors")
                    .header("Sec-Fetch-Site", "same-site")
                    .header("Sec-Fetch-Dest", "empty")
                    .header("Referer", "https://app.example.org/")
                    .header("Accept-Encoding", "gzip, deflate, br")
                    .header("Accept-Language", *rng.pick(clients::LANGUAGES));
                variant = "preflight";
            }
        }
        if variant != "preflight" {
            auth(&mut rng, &mut req);
        }
        out.add_req(variant, &req);
    }
    out.finish()
}

// ---------------------------------------------------------------------------------------------
// Form posts.

fn password(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("{}{}!", rng.alnum(10), rng.digits(2)),
        1 => format!("correct horse {} staple", rng.pick(WORDS)),
        2 => format!("P@ss{}#{}", rng.digits(4), rng.alnum(3)),
        _ => format!("{}&{}={}", rng.alnum(5), rng.alnum(4), rng.alnum(3)),
    }
}

fn form_fields(rng: &mut Rng) -> (&'static str, &'static str, Vec<(String, String)>) {
    let csrf = rng.alnum(40);
    match rng.below(10) {
        0 => (
            "/login",
            "login",
            pairs(&[
                ("csrfmiddlewaretoken", csrf),
                ("username", text::email(rng)),
                ("password", password(rng)),
                ("remember", "on".into()),
            ]),
        ),
        1 => (
            "/signup",
            "signup",
            pairs(&[
                ("authenticity_token", csrf),
                ("user[name]", text::name(rng)),
                ("user[email]", text::email(rng)),
                ("user[password]", password(rng)),
                (
                    "user[country]",
                    (*rng.pick(&["DE", "US", "BR"])).to_string(),
                ),
                ("terms", "1".into()),
            ]),
        ),
        2 => (
            "/contact",
            "contact",
            pairs(&[
                ("name", text::name(rng)),
                ("email", text::email(rng)),
                (
                    "subject",
                    (*rng.pick(&[
                        "Question about my order",
                        "Partnership",
                        "Bug report: page won't load",
                        "Réclamation",
                    ]))
                    .to_string(),
                ),
                (
                    "message",
                    format!("{}\r\n\r\n{}", text::sentence(rng), text::sentence(rng)),
                ),
            ]),
        ),
        3 => (
            "/checkout/address",
            "address",
            pairs(&[
                ("_token", csrf),
                ("full_name", text::name(rng)),
                ("street", (*rng.pick(STREETS)).to_string()),
                ("city", (*rng.pick(CITIES)).to_string()),
                ("zip", rng.digits(5)),
                ("phone", text::phone(rng)),
                ("instructions", String::new()),
            ]),
        ),
        4 => (
            "/comments",
            "comment",
            pairs(&[
                ("post_id", rng.range(1, 999).to_string()),
                ("author", text::name(rng)),
                ("comment", text::sentence(rng).to_string()),
                ("notify", "1".into()),
            ]),
        ),
        5 => (
            "/newsletter",
            "newsletter",
            pairs(&[
                ("email", text::email(rng)),
                ("lists", "weekly".into()),
                ("lists", "offers".into()),
                ("source", "footer".into()),
            ]),
        ),
        6 => (
            "/account/settings",
            "settings",
            pairs(&[
                ("_method", "PUT".into()),
                ("display_name", text::name(rng)),
                ("bio", text::sentence(rng).to_string()),
                ("notify", "email".into()),
                ("notify", "sms".into()),
                (
                    "website",
                    format!("https://{}.example.org/", rng.pick(WORDS)),
                ),
                ("timezone", "Europe/Berlin".into()),
            ]),
        ),
        7 => ("/cart/update", "cart", {
            let mut v = Vec::new();
            for i in 0..rng.range(1, 4) {
                v.push((format!("items[{i}][sku]"), rng.alnum(8)));
                v.push((format!("items[{i}][qty]"), rng.range(1, 9).to_string()));
            }
            v.push(("coupon".into(), String::new()));
            v
        }),
        8 => (
            "/search",
            "search",
            pairs(&[
                ("q", (*rng.pick(SEARCHES)).to_string()),
                ("in", "all".into()),
            ]),
        ),
        _ => (
            "/feedback",
            "feedback",
            pairs(&[
                ("rating", rng.range(1, 10).to_string()),
                (
                    "comment",
                    format!("{} {}", text::sentence(rng), text::sentence(rng)),
                ),
                (
                    "would_recommend",
                    (*rng.pick(&["yes", "no", "maybe"])).to_string(),
                ),
                ("page", "/checkout/done".into()),
            ]),
        ),
    }
}

fn form() -> Family {
    let mut rng = Rng::new("benign-form");
    let mut out = Collector::new("benign-form", false);
    while out.len() < 130 {
        let host = site_host(&mut rng);
        let (path, variant, fields) = form_fields(&mut rng);
        let body = if rng.chance(80) {
            query_string(&fields)
        } else {
            // curl --data-urlencode style: %20 for spaces.
            fields
                .iter()
                .map(|(k, v)| format!("{}={}", pct_all(k.as_bytes()), pct_all(v.as_bytes())))
                .collect::<Vec<_>>()
                .join("&")
        };
        let mut req = Req::new("POST", path);
        if rng.chance(80) {
            let b = Browser::any(&mut rng);
            let cookie = Some(text::cookies(&mut rng));
            let ctx = Ctx {
                host,
                referer: Some(format!("https://{host}{path}")),
                cookie,
                site: "same-origin",
            };
            req.headers(browser_headers(&mut rng, b, Dest::FormPost, &ctx));
        } else {
            let tool = Tool::any(&mut rng);
            req.headers(tool_headers(&mut rng, tool, host, "*/*"));
        }
        let ct = *rng.pick(&[
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=UTF-8",
        ]);
        req.body(Some(ct), body.into_bytes());
        out.add_req(variant, &req);
    }
    out.finish()
}

// ---------------------------------------------------------------------------------------------
// Multipart uploads.

/// Random bytes for a binary file: no line may start with `--` (a boundary could not be told
/// apart), as real encoders' boundaries are chosen not to occur in the data.
fn binary(rng: &mut Rng, magic: &[u8], n: usize) -> Vec<u8> {
    let mut data = magic.to_vec();
    data.extend(rng.bytes(n));
    for i in 1..data.len() {
        if data[i] == b'-' && (data[i - 1] == b'\n' || data[i - 1] == b'-') {
            data[i] = b'_';
        }
    }
    data
}

fn png(rng: &mut Rng) -> Vec<u8> {
    let mut magic = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
    magic.extend_from_slice(&[0, 0, 0, 64, 0, 0, 0, 64, 8, 6, 0, 0, 0]);
    let n = rng.range(80, 700) as usize;
    let mut data = binary(rng, &magic, n);
    data.extend_from_slice(b"\x00\x00\x00\x00IEND\xaeB`\x82");
    data
}

fn jpeg(rng: &mut Rng) -> Vec<u8> {
    let n = rng.range(100, 900) as usize;
    let mut data = binary(
        rng,
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
        n,
    );
    data.extend_from_slice(b"\xff\xd9");
    data
}

fn pdf(rng: &mut Rng) -> Vec<u8> {
    let mut data = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n3 0 obj\n<< /Length 44 /Filter /FlateDecode >>\nstream\n".to_vec();
    let n = rng.range(60, 400) as usize;
    data.extend(binary(rng, b"x\x9c", n));
    data.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    data
}

fn csv(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::from("id,name,email,city,amount\n");
    for i in 1..rng.range(3, 12) {
        s.push_str(&format!(
            "{i},\"{}\",{},\"{}\",{}.{:02}\n",
            text::name(rng).replace('"', "\"\""),
            text::email(rng),
            rng.pick(CITIES),
            rng.range(1, 999),
            rng.range(0, 99)
        ));
    }
    s.into_bytes()
}

fn text_file(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::new();
    for _ in 0..rng.range(2, 8) {
        s.push_str(text::sentence(rng));
        s.push('\n');
    }
    s.into_bytes()
}

fn upload() -> Family {
    let mut rng = Rng::new("benign-upload");
    let mut out = Collector::new("benign-upload", false);
    while out.len() < 100 {
        let host = site_host(&mut rng);
        let kind = *rng.weighted(&[
            (20, "avatar"),
            (20, "document"),
            (12, "multi"),
            (10, "fields"),
            (8, "empty-file"),
            (10, "csv"),
            (8, "unicode-name"),
            (6, "json-part"),
        ]);
        let csrf = rng.alnum(32);
        let (path, parts) = match kind {
            "avatar" => {
                let (name, ct, data) = if rng.chance(50) {
                    (
                        *rng.pick(&[
                            "avatar.png",
                            "profile-pic.png",
                            "Screenshot 2024-03-02 at 10.15.33.png",
                        ]),
                        "image/png",
                        png(&mut rng),
                    )
                } else {
                    (
                        *rng.pick(&["IMG_20240511_093012.jpg", "photo.jpeg", "DSC01234.JPG"]),
                        "image/jpeg",
                        jpeg(&mut rng),
                    )
                };
                (
                    "/account/avatar",
                    vec![
                        Part::field("_token", csrf),
                        Part::file("avatar", name, ct, data),
                    ],
                )
            }
            "document" => {
                let (name, ct, data) = match rng.below(3) {
                    0 => (
                        *rng.pick(&[
                            "invoice-2024-03.pdf",
                            "contract_signed.pdf",
                            "CV Maria Silva.pdf",
                        ]),
                        "application/pdf",
                        pdf(&mut rng),
                    ),
                    1 => ("notes.txt", "text/plain", text_file(&mut rng)),
                    _ => (
                        "cover-letter.docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        {
                            let n = rng.range(200, 800) as usize;
                            binary(
                                &mut rng,
                                b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
                                n,
                            )
                        },
                    ),
                };
                (
                    "/applications",
                    vec![
                        Part::field(
                            "position",
                            (*rng.pick(&["Backend Engineer", "Designer (m/w/d)", "Support"]))
                                .to_string(),
                        ),
                        Part::field("name", text::name(&mut rng)),
                        Part::field("email", text::email(&mut rng)),
                        Part::file("attachment", name, ct, data),
                    ],
                )
            }
            "multi" => {
                let mut parts = vec![Part::field("album", (*rng.pick(SLUGS)).to_string())];
                for i in 0..rng.range(2, 4) {
                    let data = if rng.chance(50) {
                        png(&mut rng)
                    } else {
                        jpeg(&mut rng)
                    };
                    let ct = if data.starts_with(b"\x89PNG") {
                        "image/png"
                    } else {
                        "image/jpeg"
                    };
                    let ext = if ct == "image/png" { "png" } else { "jpg" };
                    parts.push(Part::file(
                        "files[]",
                        &format!("holiday_{i:02}.{ext}"),
                        ct,
                        data,
                    ));
                }
                ("/albums/upload", parts)
            }
            "fields" => (
                "/profile",
                vec![
                    Part::field("display_name", text::name(&mut rng)),
                    Part::field(
                        "bio",
                        format!(
                            "{}\r\n{}",
                            text::sentence(&mut rng),
                            text::sentence(&mut rng)
                        ),
                    ),
                    Part::field("location", (*rng.pick(CITIES)).to_string()),
                    Part::field("website", String::new()),
                ],
            ),
            "empty-file" => (
                "/support/ticket",
                vec![
                    Part::field("subject", "Printer not working".to_string()),
                    Part::field("message", text::sentence(&mut rng).to_string()),
                    Part::file("attachment", "", "application/octet-stream", Vec::new()),
                ],
            ),
            "csv" => (
                "/import/contacts",
                vec![
                    Part::field("list_id", rng.range(1, 99).to_string()),
                    Part::field("has_header", "true".to_string()),
                    Part::file("file", "contacts.csv", "text/csv", csv(&mut rng)),
                ],
            ),
            "unicode-name" => {
                let name = *rng.pick(&[
                    "Übersicht März.pdf",
                    "résumé.pdf",
                    "見積書.pdf",
                    "отчёт.txt",
                    "naïve café menu.txt",
                ]);
                let data = if name.ends_with("pdf") {
                    pdf(&mut rng)
                } else {
                    text_file(&mut rng)
                };
                let ct = if name.ends_with("pdf") {
                    "application/pdf"
                } else {
                    "text/plain"
                };
                (
                    "/files",
                    vec![
                        Part::field("folder", "/Documents/2024".to_string()),
                        Part::file("file", name, ct, data),
                    ],
                )
            }
            _ => {
                let meta = serde_json::to_string(&json!({"title": text::sentence(&mut rng), "visibility": "private", "tags": [rng.pick(TAGS)]})).unwrap_or_default();
                let mut part = Part::field("metadata", meta);
                part.content_type = Some("application/json".to_string());
                (
                    "/api/v1/media",
                    vec![
                        part,
                        Part::file("media", "clip.png", "image/png", png(&mut rng)),
                    ],
                )
            }
        };
        let boundary = boundary(&mut rng);
        let body = multipart(&boundary, &parts);
        let mut req = Req::new("POST", path);
        if rng.chance(75) {
            let b = Browser::any(&mut rng);
            let cookie = Some(text::cookies(&mut rng));
            let ctx = Ctx {
                host,
                referer: Some(format!("https://{host}{path}")),
                cookie,
                site: "same-origin",
            };
            let dest = if path.starts_with("/api") {
                Dest::Fetch
            } else {
                Dest::FormPost
            };
            req.headers(browser_headers(&mut rng, b, dest, &ctx));
        } else {
            let tool = Tool::any(&mut rng);
            req.headers(tool_headers(&mut rng, tool, host, "*/*"));
        }
        req.body(
            Some(&format!("multipart/form-data; boundary={boundary}")),
            body,
        );
        out.add_req(kind, &req);
    }
    out.finish()
}

// ---------------------------------------------------------------------------------------------
// Odd but legal HTTP.

fn odd() -> Family {
    let mut rng = Rng::new("benign-odd");
    let mut out = Collector::new("benign-odd", false);
    let kinds: &[(u32, &str)] = &[
        (8, "http10"),
        (6, "absolute-form"),
        (4, "options-star"),
        (8, "repeated-keys"),
        (8, "empty-values"),
        (6, "long-headers"),
        (8, "utf8-path"),
        (8, "plus-query"),
        (10, "chunked"),
        (4, "expect-continue"),
        (5, "header-case"),
        (4, "forwarded"),
        (4, "long-url"),
        (4, "semicolon-query"),
        (4, "lf-only"),
        (3, "ipv6-host"),
        (4, "no-accept"),
        (3, "zero-length"),
        (3, "trailing-slash"),
    ];
    while out.len() < 150 {
        let host = site_host(&mut rng);
        let kind = *rng.weighted(kinds);
        let tool = Tool::any(&mut rng);
        let mut req;
        let mut bytes: Option<Vec<u8>> = None;
        match kind {
            "http10" => {
                req = Req::new(
                    if rng.chance(80) { "GET" } else { "HEAD" },
                    page_path(&mut rng).0,
                );
                req.version = "HTTP/1.0".into();
                req.headers(tool_headers(&mut rng, tool, host, "*/*"));
                req.remove_header("Connection");
                if rng.chance(40) {
                    req.header("Connection", "keep-alive");
                }
                if rng.chance(25) {
                    req.method = "POST".into();
                    let body = query_string(&pairs(&[
                        ("a", rng.alnum(6)),
                        ("b", (*rng.pick(SEARCHES)).to_string()),
                    ]));
                    req.body(Some("application/x-www-form-urlencoded"), body.into_bytes());
                }
            }
            "absolute-form" => {
                let (path, _) = page_path(&mut rng);
                let scheme = if rng.chance(70) { "http" } else { "https" };
                req = Req::new("GET", format!("{scheme}://{host}{path}"));
                req.headers(tool_headers(&mut rng, tool, host, "*/*"));
                if rng.chance(40) {
                    req.header("Proxy-Connection", "keep-alive");
                }
            }
            "options-star" => {
                req = Req::new("OPTIONS", "*");
                req.header("Host", host)
                    .header(
                        "User-Agent",
                        format!("curl/{}", rng.pick(&["8.5.0", "7.88.1"])),
                    )
                    .header("Accept", "*/*");
                if rng.chance(30) {
                    req.header("Max-Forwards", "0");
                }
            }
            "repeated-keys" => {
                let key = *rng.pick(&["tag", "color", "id", "filter", "category[]", "size"]);
                let mut params = Vec::new();
                for _ in 0..rng.range(2, 6) {
                    params.push((key.to_string(), (*rng.pick(WORDS)).to_string()));
                }
                params.push(("page".into(), "1".into()));
                req = Req::new("GET", format!("/items?{}", query_string(&params)));
                req.headers(api_client(&mut rng, host, "*/*"));
            }
            "empty-values" => {
                let target = *rng.pick(&[
                    "/list?a=&b=&c=1",
                    "/search?q=&page=1",
                    "/items?flag",
                    "/items?debug&verbose&page=2",
                    "/report?from=&to=&format=csv",
                    "/x?=",
                    "/feed?",
                    "/a?b=1&&c=2",
                    "/go?next=",
                ]);
                req = Req::new("GET", target);
                req.headers(api_client(&mut rng, host, "*/*"));
            }
            "long-headers" => {
                let (path, _) = page_path(&mut rng);
                req = Req::new("GET", path);
                let b = Browser::any(&mut rng);
                let mut cookie = text::cookies(&mut rng);
                for i in 0..rng.range(20, 60) {
                    cookie.push_str(&format!("; pref_{i}={}", rng.alnum(40)));
                }
                let ctx = Ctx {
                    host,
                    referer: Some(format!("https://{host}/")),
                    cookie: Some(cookie),
                    site: "same-origin",
                };
                req.headers(browser_headers(&mut rng, b, Dest::Document, &ctx));
                if rng.chance(50) {
                    let langs: Vec<String> = [
                        "en-US", "en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "fi", "no",
                        "pl", "cs", "hu", "ro", "el", "tr", "ru", "uk", "ja", "ko", "zh-CN",
                        "zh-TW", "ar", "he", "hi", "th", "vi", "id",
                    ]
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        if i == 0 {
                            (*l).to_string()
                        } else {
                            format!("{l};q=0.{}", 9 - (i * 8 / 30))
                        }
                    })
                    .collect();
                    req.set_header("Accept-Language", langs.join(","));
                }
                req.header(
                    "X-Client-Trace",
                    (0..rng.range(10, 30))
                        .map(|_| rng.hex(16))
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            "utf8-path" => {
                let seg = *rng.pick(&[
                    "Ünïcödé",
                    "日本語のページ",
                    "Привет мир",
                    "مرحبا",
                    "naïve-café",
                    "emoji-🎉",
                    "Ελληνικά",
                    "한국어",
                    "ǅemal",
                ]);
                let q = *rng.pick(&["köln", "東京", "€100", "señor", "çà"]);
                req = Req::new(
                    "GET",
                    format!(
                        "/wiki/{}?lang={}&q={}",
                        pct_path(seg.as_bytes()),
                        rng.pick(&["de", "ja", "ru"]),
                        pct_form(q.as_bytes())
                    ),
                );
                let b = Browser::any(&mut rng);
                let ctx = Ctx {
                    host,
                    referer: None,
                    cookie: None,
                    site: "none",
                };
                req.headers(browser_headers(&mut rng, b, Dest::Document, &ctx));
            }
            "plus-query" => {
                let target = match rng.below(4) {
                    0 => format!("/search?q={}", pct_form(rng.pick(SEARCHES).as_bytes())),
                    1 => "/calc?expr=1%2B2&q=one+plus+two".to_string(),
                    2 => format!("/phone?number=%2B49+30+{}", rng.digits(7)),
                    _ => "/tz?zone=UTC+02:00&label=summer+time".to_string(),
                };
                req = Req::new("GET", target);
                req.headers(api_client(&mut rng, host, "*/*"));
            }
            "chunked" => {
                req = Req::new("POST", format!("/api/v1/{}", rng.pick(RESOURCES)));
                req.headers(tool_headers(&mut rng, tool, host, "application/json"));
                let (ct, body) = match rng.below(3) {
                    0 => {
                        let order = json_order(&mut rng);
                        (
                            "application/json",
                            render_json(&mut rng, &order).into_bytes(),
                        )
                    }
                    1 => (
                        "application/x-www-form-urlencoded",
                        query_string(&pairs(&[
                            ("name", text::name(&mut rng)),
                            ("comment", text::sentence(&mut rng).to_string()),
                        ]))
                        .into_bytes(),
                    ),
                    _ => {
                        let items: Vec<serde_json::Value> =
                            (0..rng.range(2, 5)).map(|_| json_event(&mut rng)).collect();
                        (
                            "application/json; charset=utf-8",
                            render_json(&mut rng, &serde_json::Value::Array(items)).into_bytes(),
                        )
                    }
                };
                let sizes: Vec<usize> = (0..6).map(|_| rng.range(1, 64) as usize).collect();
                let upper = rng.chance(30);
                req.chunked(Some(ct), &body, &sizes, upper);
                if rng.chance(30) {
                    // A chunk extension on the first chunk: legal, and ignored.
                    if let Some(pos) = req.body.windows(2).position(|w| w == b"\r\n") {
                        let mut body = req.body[..pos].to_vec();
                        body.extend_from_slice(b";name=ext");
                        body.extend_from_slice(&req.body[pos..]);
                        req.body = body;
                    }
                }
            }
            "expect-continue" => {
                // curl asks before sending a body over 1 KiB.
                req = Req::new("POST", "/api/v1/import");
                req.headers(tool_headers(&mut rng, Tool::Curl, host, "*/*"));
                req.header("Expect", "100-continue");
                let items: Vec<serde_json::Value> =
                    (0..rng.range(4, 8)).map(|_| json_user(&mut rng)).collect();
                let data = render_json(&mut rng, &serde_json::Value::Array(items));
                req.body(Some("application/json"), data.into_bytes());
            }
            "header-case" => {
                req = Req::new("GET", page_path(&mut rng).0);
                let headers = tool_headers(&mut rng, tool, host, "*/*");
                for (name, value) in headers {
                    let name = match rng.below(3) {
                        0 => name.to_lowercase(),
                        1 => name.to_uppercase(),
                        _ => name,
                    };
                    req.headers.push((name, value));
                }
                if rng.chance(50) {
                    req.method = "POST".into();
                    req.headers
                        .push(("content-type".into(), b"application/json".to_vec()));
                    let body = br#"{"ping":true}"#.to_vec();
                    req.headers
                        .push(("CONTENT-LENGTH".into(), body.len().to_string().into_bytes()));
                    req.body = body;
                }
            }
            "forwarded" => {
                req = Req::new("GET", page_path(&mut rng).0);
                req.headers(tool_headers(&mut rng, tool, host, "*/*"));
                req.header(
                    "X-Forwarded-For",
                    format!(
                        "203.0.113.{}, 198.51.100.{}, 10.0.{}.{}",
                        rng.range(1, 254),
                        rng.range(1, 254),
                        rng.range(0, 9),
                        rng.range(1, 254)
                    ),
                )
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", host)
                .header(
                    "Forwarded",
                    format!(
                        "for=192.0.2.{};proto=https;by=\"[2001:db8::{}]\"",
                        rng.range(1, 254),
                        rng.range(1, 99)
                    ),
                )
                .header("Via", "1.1 varnish (Varnish/7.4), 1.1 edge-proxy");
            }
            "long-url" => {
                let mut params = Vec::new();
                for i in 0..rng.range(30, 80) {
                    let n = rng.range(5, 25) as usize;
                    params.push((format!("f{i}"), rng.alnum(n)));
                }
                req = Req::new("GET", format!("/report/export?{}", query_string(&params)));
                req.headers(api_client(&mut rng, host, "*/*"));
            }
            "semicolon-query" => {
                req = Req::new(
                    "GET",
                    *rng.pick(&[
                        "/cgi/list?a=1;b=2;c=3",
                        "/matrix;color=red;size=m/items",
                        "/path;v=1.2/resource?x=1",
                    ]),
                );
                req.headers(api_client(&mut rng, host, "*/*"));
            }
            "lf-only" => {
                req = Req::new("GET", page_path(&mut rng).0);
                req.headers(tool_headers(&mut rng, tool, host, "*/*"));
                // Bare LF line ends are legal for a recipient to accept (RFC 9112 §2.2).
                bytes = Some(
                    String::from_utf8_lossy(&req.to_bytes())
                        .replace("\r\n", "\n")
                        .into_bytes(),
                );
            }
            "ipv6-host" => {
                let h = *rng.pick(&["[2001:db8::1]", "[2001:db8::1]:8443", "[::1]:8080"]);
                req = Req::new("GET", "/healthz");
                req.headers(tool_headers(&mut rng, tool, h, "*/*"));
            }
            "no-accept" => {
                req = Req::new("GET", page_path(&mut rng).0);
                req.header("Host", host)
                    .header("User-Agent", "Wget/1.21.4")
                    .header("Accept-Encoding", "identity");
                if rng.chance(50) {
                    req.header("Connection", "Keep-Alive");
                }
            }
            "zero-length" => {
                req = Req::new(
                    "POST",
                    *rng.pick(&["/api/v1/ping", "/logout", "/cart/clear"]),
                );
                req.headers(tool_headers(&mut rng, tool, host, "*/*"));
                req.body(
                    if rng.chance(50) {
                        Some("application/x-www-form-urlencoded")
                    } else {
                        None
                    },
                    Vec::new(),
                );
            }
            _ => {
                req = Req::new(
                    "GET",
                    *rng.pick(&[
                        "/docs/",
                        "/blog/",
                        "/static/",
                        "/api/v1/users/",
                        "/a//b",
                        "/products/./blue-widget",
                    ]),
                );
                req.headers(api_client(&mut rng, host, "*/*"));
            }
        }
        let bytes = bytes.unwrap_or_else(|| req.to_bytes());
        out.add(kind, bytes);
    }
    out.finish()
}
