//! XML bodies that declare internal entities and nest them: "billion laughs" and its smaller
//! cousins, entities holding markup, loops, and references from content and from attribute
//! values. libxml2 refuses some of them as amplification attacks by counting entity
//! references against the input read, even though ModSecurity never expands entities; which
//! ones depends on exactly how the counts grow, so this family walks the thresholds: fan-outs
//! and nesting depths around them, padding that moves the input position, and both places a
//! reference can stand.

use super::attacks::base_headers;
use super::text::HOSTS;
use super::{Collector, Family, Req, Rng};

const TARGETS: &[&str] = &["/api/xml", "/soap/orders", "/upload/feed.xml", "/rpc"];

/// What the first entity of a chain stands for.
const LEAVES: &[&str] = &[
    "",
    "a",
    "aaaaaaaaaa",
    "<i>x</i>",
    "<i>",
    "]]>",
    "&amp;",
    "&lt;",
    "&#38;#60;",
    "&#60;b/&#62;",
];

pub(super) fn family() -> Family {
    let mut rng = Rng::new("xml-entities");
    let mut out = Collector::new("xml-entities", true);
    while out.len() < 320 {
        let body = if rng.chance(50) {
            chain(&mut rng)
        } else {
            mixed(&mut rng)
        };
        let host = *rng.pick(HOSTS);
        let target = rng.pick_str(TARGETS);
        let mut req = Req::new("POST", target);
        req.headers(base_headers(&mut rng, host, true));
        req.body(Some("application/xml"), body.into_bytes());
        out.add_req("nested", &req);
    }
    out.finish()
}

/// Entity `k` references entity `k - 1` a few times: counts grow geometrically with depth.
fn chain(rng: &mut Rng) -> String {
    let depth = 1 + rng.below(12);
    let fan = 1 + rng.below(10);
    let mut declarations = String::new();
    for k in 0..depth {
        let mut value = String::new();
        if k == 0 {
            value.push_str(rng.pick_str(LEAVES));
        } else {
            for _ in 0..=rng.below(fan) {
                match rng.below(20) {
                    0 => value.push_str(&format!("&e{};", rng.below(depth))),
                    1 => value.push_str(&format!("<w>&e{};</w>", k - 1)),
                    2 => value.push_str(&"y".repeat(1 + rng.below(50))),
                    _ => value.push_str(&format!("&e{};", k - 1)),
                }
            }
        }
        declarations.push_str(&format!("<!ENTITY e{k} \"{value}\">"));
    }
    document(rng, &declarations, depth)
}

/// Entities referencing any earlier one, with text and markup between.
fn mixed(rng: &mut Rng) -> String {
    let count = 1 + rng.below(6);
    let mut declarations = String::new();
    for k in 0..count {
        let mut value = String::new();
        for _ in 0..rng.below(11) {
            match rng.below(20) {
                0..=9 if k > 0 => value.push_str(&format!("&e{};", rng.below(k))),
                10..=11 => value.push_str("&#60;b/&#62;"),
                12 => value.push_str(&format!("&e{};", rng.below(count))),
                _ => value.push_str(&"x".repeat(rng.below(31))),
            }
        }
        declarations.push_str(&format!("<!ENTITY e{k} \"{value}\">"));
    }
    document(rng, &declarations, count)
}

fn document(rng: &mut Rng, declarations: &str, entities: usize) -> String {
    let padding = "p".repeat(*rng.pick(&[0, 0, 10, 100, 1000, 5000]));
    let mut references = String::new();
    for _ in 0..=rng.below(6) {
        references.push_str(&format!("&e{};", rng.below(entities)));
    }
    let root = match rng.below(3) {
        0 => format!("<r a=\"{references}\">{padding}</r>"),
        1 => format!("<r>{references}{padding}</r>"),
        _ => format!("<r>{padding}<s>{references}</s></r>"),
    };
    format!("<?xml version=\"1.0\"?>\n<!DOCTYPE r [{declarations}]>\n{root}")
}
