//! A browser and system named from a `User-Agent` header, for people looking at their own
//! sessions ("Chrome on Windows"). A few common families by hand; anything else is
//! unknown. Order matters: Edge and Opera say "Chrome", Chrome says "Safari", iPads and
//! iPhones say "Mac OS X", Android says "Linux".

/// The families found, each `None` when not recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agent {
    pub browser: Option<&'static str>,
    pub system: Option<&'static str>,
}

const BROWSERS: [(&str, &str); 9] = [
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
];

const SYSTEMS: [(&str, &str); 8] = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
];

/// What `user_agent` says, as far as this list knows.
pub fn parse(user_agent: &str) -> Agent {
    let find = |table: &[(&str, &'static str)]| {
        table.iter().find(|(needle, _)| user_agent.contains(needle)).map(|(_, name)| *name)
    };
    let mut browser = find(&BROWSERS);
    // Command-line clients name themselves first: "curl/8.5.0".
    if browser.is_none() {
        browser = ["curl/", "Wget/"]
            .into_iter()
            .find(|p| user_agent.starts_with(p))
            .map(|p| if p == "curl/" { "curl" } else { "Wget" });
    }
    Agent { browser, system: find(&SYSTEMS) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_families() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
                Some("Chrome"),
                Some("Windows"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                Some("Safari"),
                Some("iPhone"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                Some("Edge"),
                Some("macOS"),
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                Some("Firefox"),
                Some("Linux"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                Some("Chrome"),
                Some("Android"),
            ),
            ("curl/8.5.0", Some("curl"), None),
            ("", None, None),
            ("something else entirely", None, None),
        ];
        for (ua, browser, system) in cases {
            assert_eq!(parse(ua), Agent { browser, system }, "{ua}");
        }
    }
}
