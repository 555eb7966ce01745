//! Vocabulary for benign traffic: hosts, names, words, sentences, all made up for this corpus.

use super::Rng;

pub(crate) const HOSTS: &[&str] = &[
    "www.example.com",
    "shop.example.com",
    "api.example.com",
    "app.example.org",
    "portal.example.net",
    "blog.example.org",
    "example.com",
    "static.example.com",
    "accounts.example.net",
    "intranet.example.test",
    "docs.example.org",
    "m.example.com",
];

pub(crate) const API_HOSTS: &[&str] = &[
    "api.example.com",
    "api.example.org",
    "app.example.org",
    "backend.example.net",
    "api.staging.example.com",
    "svc.example.test:8443",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Alice",
    "Bob",
    "Chloé",
    "Dmitri",
    "Eve",
    "Fatima",
    "Giulia",
    "Hiroshi",
    "Ingrid",
    "José",
    "Kwame",
    "Léa",
    "Mateus",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Søren",
    "Tomás",
    "Ursula",
    "Vikram",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Łukasz",
    "Ngọc",
    "Ayşe",
    "Björn",
    "Мария",
    "Иван",
    "محمد",
    "فاطمة",
    "太郎",
    "花子",
    "민준",
    "Σοφία",
    "Ω mega",
    "Anne-Marie",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Müller",
    "García",
    "Nguyen",
    "Kowalski",
    "Rossi",
    "Tanaka",
    "Okafor",
    "Johansson",
    "Dubois",
    "Silva",
    "Novák",
    "Papadopoulos",
    "O'Connor",
    "van der Berg",
    "Sánchez-Pérez",
    "Иванова",
    "山田",
    "김",
    "Al-Sayed",
    "Smith Jr.",
    "MacLeod",
    "d'Artagnan",
    "Lefèvre",
];

pub(crate) const CITIES: &[&str] = &[
    "Berlin",
    "São Paulo",
    "Zürich",
    "New York",
    "Kraków",
    "Reykjavík",
    "Montréal",
    "Tokyo",
    "Düsseldorf",
    "Lagos",
    "Málaga",
    "Cape Town",
    "Łódź",
    "Ho Chi Minh City",
    "Athens",
    "Saint-Étienne",
    "Winston-Salem",
    "Milton Keynes",
    "Bengaluru",
    "Auckland",
];

pub(crate) const STREETS: &[&str] = &[
    "221B Baker Street",
    "Hauptstraße 5",
    "12 rue de la Paix",
    "1600 Amphitheatre Pkwy, Apt. #4",
    "Calle Mayor 10, 3º izq.",
    "Flat 2/1, 48 Hill St",
    "PO Box 123",
    "Ul. Długa 7/9",
    "742 Evergreen Terrace",
    "Via Roma 21, int. 5",
];

pub(crate) const PRODUCTS: &[&str] = &[
    "blue-widget",
    "wireless-headphones-x200",
    "organic-cotton-tshirt",
    "espresso-machine-pro",
    "trail-running-shoes",
    "mechanical-keyboard-tkl",
    "ceramic-mug-set-4",
    "usb-c-hub-7-in-1",
    "yoga-mat-extra-thick",
    "cast-iron-skillet-12in",
    "kids-rain-jacket",
    "noise-cancelling-earbuds",
    "standing-desk-frame",
    "led-desk-lamp",
    "leather-wallet-slim",
    "stainless-water-bottle",
];

pub(crate) const CATEGORIES: &[&str] = &[
    "electronics",
    "home-garden",
    "clothing",
    "sports-outdoors",
    "books",
    "toys-games",
    "kitchen",
    "beauty",
    "office",
    "pet-supplies",
];

pub(crate) const SEARCHES: &[&str] = &[
    "wireless headphones",
    "running shoes size 10",
    "how to reset my password",
    "café near me",
    "kids' rain boots",
    "usb-c charger 65w",
    "50% off sale",
    "tom & jerry dvd",
    "résumé template",
    "c++ tutorial for beginners",
    "what is 2+2",
    "best pizza in new york",
    "red dress",
    "gift ideas for dad",
    "return policy",
    "order status",
    "O'Reilly books",
    "4k monitor 27\"",
    "jeans 32/34",
    "bose vs sony",
    "how do I cancel my order?",
    "size chart (EU)",
    "Schuhe günstig",
    "ordinateur portable",
    "ノートパソコン",
    "смартфон",
    "mesa de jantar",
    "#1 bestseller",
    "email@example.com",
    "vitamin d3 + k2",
    "shipping to canada",
    "iphone 15 case",
    "select a gift card",
    "drop-off locations",
    "union square store hours",
    "where can i find the order history",
];

pub(crate) const WORDS: &[&str] = &[
    "alpha", "river", "garden", "orange", "summer", "copper", "window", "planet", "silver",
    "meadow", "harbor", "lantern", "maple", "cobalt", "quartz", "tundra", "velvet", "willow",
    "ember", "falcon", "glacier", "hazel", "indigo", "juniper", "kestrel", "lagoon", "marble",
    "nectar", "orchid", "pepper", "saffron", "thistle", "umber", "violet", "walnut", "zephyr",
];

pub(crate) const SENTENCES: &[&str] = &[
    "Great product, arrived two days early.",
    "The size runs small; order one size up.",
    "Works as described. Battery lasts ~8 hours.",
    "Would buy again! 5/5",
    "Not bad for the price, but the strap feels cheap.",
    "I ordered the blue one and got green - please advise.",
    "Can you ship to P.O. boxes?",
    "Thanks for the quick reply :)",
    "Meeting moved to 3pm (room 4.12).",
    "Please find attached the Q3 report & the invoice.",
    "Ich bin sehr zufrieden mit der Qualität.",
    "Très bon produit, je recommande.",
    "Muy buena calidad, llegó rápido.",
    "とても良い商品でした。",
    "Отличный товар, спасибо!",
    "It's \"okay\" - nothing special.",
    "Price was $49.99 + tax; coupon SAVE10 applied.",
    "Line one.\nLine two.\n\nRegards,\nSam",
    "The lid doesn't close properly after 2 weeks of use.",
    "Love it ❤️ 🎉",
    "Is this compatible with model A-1234/B?",
    "My order #10023 hasn't shipped yet.",
    "We'll select the venue next week and update everyone.",
    "Please update my address from the old one to the new one.",
    "Delivered to the wrong door, but the neighbour brought it over.",
    "I'd like to return item 3 of 4 from order 88812.",
    "5 stars. The colour is exactly like the picture.",
    "Update: after a month it still works fine.",
];

pub(crate) const TAGS: &[&str] = &[
    "news",
    "tech",
    "rust",
    "travel",
    "food",
    "diy",
    "health",
    "finance",
    "music",
    "photography",
    "c#",
    "node.js",
    "ux/ui",
    "q&a",
];

pub(crate) const SLUGS: &[&str] = &[
    "10-tips-for-better-sleep",
    "why-we-moved-to-rust",
    "a-weekend-in-lisbon",
    "the-best-budget-laptops-of-2024",
    "how-to-brew-cold-coffee",
    "release-notes-v3-2",
    "understanding-http-caching",
    "our-new-office",
    "spring-sale-announcement",
    "interview-with-our-ceo",
];

pub(crate) fn name(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
}

pub(crate) fn email(rng: &mut Rng) -> String {
    let user = format!(
        "{}.{}{}",
        rng.pick(WORDS),
        rng.pick(WORDS),
        if rng.chance(40) {
            rng.digits(2)
        } else {
            String::new()
        }
    );
    let user = if rng.chance(15) {
        format!("{user}+news")
    } else {
        user
    };
    format!(
        "{user}@{}",
        rng.pick(&[
            "example.com",
            "example.org",
            "mail.example.net",
            "example.co.uk"
        ])
    )
}

pub(crate) fn sentence(rng: &mut Rng) -> &'static str {
    rng.pick_str(SENTENCES)
}

pub(crate) fn phone(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!("+1 (555) {}-{}", rng.digits(3), rng.digits(4)),
        1 => format!("+49 30 {} {}", rng.digits(4), rng.digits(4)),
        _ => format!("0{} {} {}", rng.digits(3), rng.digits(3), rng.digits(3)),
    }
}

/// A cookie header as a site with analytics, consent and a session would set.
pub(crate) fn cookies(rng: &mut Rng) -> String {
    let mut parts: Vec<String> = Vec::new();
    if rng.chance(60) {
        parts.push(format!(
            "_ga=GA1.1.{}.{}",
            rng.digits(10),
            rng.range(1_690_000_000, 1_720_000_000)
        ));
    }
    if rng.chance(35) {
        parts.push(format!(
            "_ga_{}=GS1.1.{}.3.1.{}.0.0.0",
            rng.alnum(10).to_uppercase(),
            rng.range(1_700_000_000, 1_720_000_000),
            rng.range(1_700_000_000, 1_720_000_000)
        ));
    }
    match rng.below(5) {
        0 => parts.push(format!("sessionid={}", rng.alnum(32).to_lowercase())),
        1 => parts.push(format!(
            "PHPSESSID={}",
            rng.of_alphabet(b"abcdefghijklmnopqrstuv0123456789", 26)
        )),
        2 => parts.push(format!("JSESSIONID={}", rng.hex(32).to_uppercase())),
        3 => parts.push(format!(
            "connect.sid=s%3A{}.{}",
            rng.alnum(32),
            rng.alnum(43)
        )),
        _ => parts.push(format!("session={}", rng.alnum(40))),
    }
    if rng.chance(40) {
        parts.push(format!("csrftoken={}", rng.alnum(32)));
    }
    if rng.chance(40) {
        parts.push(
            (*rng.pick(&[
                "cookie_consent=accepted",
                "cookieconsent_status=dismiss",
                "OptanonAlertBoxClosed=2024-03-11T09:12:44.512Z",
                "consent=%7B%22analytics%22%3Atrue%2C%22ads%22%3Afalse%7D",
            ]))
            .to_string(),
        );
    }
    if rng.chance(30) {
        parts.push(
            (*rng.pick(&[
                "theme=dark",
                "theme=light",
                "lang=en-US",
                "lang=de",
                "currency=EUR",
                "tz=Europe%2FBerlin",
            ]))
            .to_string(),
        );
    }
    if rng.chance(20) {
        parts.push(format!("cart_count={}", rng.range(0, 9)));
    }
    if rng.chance(15) {
        parts.push(format!(
            "recently_viewed={}%2C{}%2C{}",
            rng.range(100, 999),
            rng.range(100, 999),
            rng.range(100, 999)
        ));
    }
    if rng.chance(10) {
        parts.push(format!("_fbp=fb.1.{}.{}", rng.digits(13), rng.digits(10)));
    }
    parts.join("; ")
}

/// A JSON Web Token shaped string (not a valid signature).
pub(crate) fn jwt(rng: &mut Rng) -> String {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = engine.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = format!(
        r#"{{"sub":"{}","name":"{}","iat":{},"scope":"read write"}}"#,
        rng.range(1000, 99999),
        rng.pick(WORDS),
        rng.range(1_700_000_000, 1_720_000_000)
    );
    let payload = engine.encode(claims.as_bytes());
    let sig = engine.encode(rng.bytes(32));
    format!("{header}.{payload}.{sig}")
}
