//! Headless Chromium through chromedriver (Debian's `chromium` and `chromium-driver`),
//! spoken to with fantoccini over plain HTTP on loopback: nothing is downloaded.
//!
//! [`Browser::start`] runs chromedriver on a free port with a fresh profile directory;
//! dropping the [`Browser`] stops chromedriver and removes the profile.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Set by CI: a missing browser is then a failure, not a skip.
pub const REQUIRE_VAR: &str = "LIGHTDECK_REQUIRE_BROWSER";
/// When set, the browser test saves `instances.png` there (the README's screenshot).
pub const SCREENSHOT_DIR_VAR: &str = "LIGHTDECK_SCREENSHOT_DIR";
pub const SKIP_MESSAGE: &str = "SKIPPED: browser test needs chromium and chromedriver";

const CHROMIUM_NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];
/// Bounded waits: long enough for a slow CI machine, short enough to fail visibly.
pub const WAIT: Duration = Duration::from_secs(15);

/// The two programs, when both are installed.
#[derive(Debug, Clone)]
pub struct Programs {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Programs {
    pub fn find() -> Option<Programs> {
        let chromium = CHROMIUM_NAMES.iter().find_map(|n| which(n))?;
        let chromedriver = which("chromedriver")?;
        Some(Programs { chromium, chromedriver })
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// Whether a missing browser must fail the test (CI) rather than skip it.
pub fn required() -> bool {
    std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// A running chromedriver with one Chromium session.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    pub async fn start(programs: &Programs) -> Browser {
        let port = free_port();
        let driver = Command::new(&programs.chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", programs.chromedriver.display()));
        let profile =
            std::env::temp_dir().join(format!("lightdeck-chromium-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&profile).expect("a profile directory");
        let url = format!("http://127.0.0.1:{port}");
        let mut browser_guard = DriverGuard { driver: Some(driver), profile: profile.clone() };
        wait_until_ready(&url).await;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": programs.chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                    "--disable-dev-shm-usage",
                    "--window-size=1440,900",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("a Chromium session through chromedriver: {e}"));
        let driver = browser_guard.driver.take().expect("the driver is still ours");
        Browser { client, driver, profile }
    }

    /// Waits (bounded) for an element.
    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element, String> {
        self.client
            .wait()
            .at_most(WAIT)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| format!("waiting for {css}: {e}"))
    }

    /// Saves a PNG screenshot to `path` (its directory is created).
    pub async fn screenshot_to(&self, path: &Path) -> Result<(), String> {
        let png = self.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Ends the Chromium session (chromedriver and the profile go when `self` drops).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Stops chromedriver and removes the profile if starting the session fails half-way.
struct DriverGuard {
    driver: Option<Child>,
    profile: PathBuf,
}

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut d) = self.driver.take() {
            let _ = d.kill();
            let _ = d.wait();
            let _ = std::fs::remove_dir_all(&self.profile);
        }
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

/// chromedriver answers `/status` with `ready: true` once it accepts sessions.
async fn wait_until_ready(url: &str) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(r) = http.get(format!("{url}/status")).send().await
            && let Ok(v) = r.json::<serde_json::Value>().await
            && v["value"]["ready"] == json!(true)
        {
            return;
        }
        assert!(Instant::now() < deadline, "chromedriver did not become ready at {url}");
        // A real process starting up: there is no clock to drive.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Where screenshots of failures go: `<target>/browser-failures/`.
pub fn failure_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        manifest.parent().unwrap_or(manifest).join("target")
    });
    target.join("browser-failures")
}
