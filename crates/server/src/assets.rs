//! Static files compiled into the binary. URLs carry a content hash (`?v=…`), so files can be
//! cached for a year; pages link them through [`url`], and `routes::assets` serves them.

use std::sync::LazyLock;

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const ASSETS: [Asset; 4] = [
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../../web/static/app.css"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/static/htmx.min.js"),
    },
    Asset {
        name: "copy.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/static/copy.js"),
    },
    Asset {
        name: "zone.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../web/static/zone.js"),
    },
];

/// FNV-1a: a stable fingerprint of the content for cache busting (not security).
const fn fingerprint(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The URL of each asset, in `ASSETS` order. Every page links two assets, and hashing them
/// (htmx alone is ~50 kB) on each render cost more than the rest of the layout.
static URLS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| format!("/static/{}?v={:012x}", a.name, fingerprint(a.bytes) >> 16))
        .collect()
});

/// `/static/<name>?v=<hash>` for templates.
pub fn url(name: &str) -> String {
    match ASSETS.iter().position(|a| a.name == name) {
        Some(i) => URLS[i].clone(),
        None => format!("/static/{name}"),
    }
}

/// The asset called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}
