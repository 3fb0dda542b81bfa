//! Headless Chromium through chromedriver (Debian's `chromium` and `chromium-driver`),
//! spoken to with fantoccini over plain HTTP on loopback: nothing is downloaded.
//!
//! [`Browser::start`] runs chromedriver on a free port with a fresh profile directory;
//! dropping the [`Browser`] stops chromedriver and removes the profile (downloads included).
//!
//! axe-core (`tests/assets/axe.min.js`, Deque's unmodified build, MPL-2.0, from the npm
//! registry: `npm pack axe-core@4`, take `axe.min.js`) is compiled into the tests and injected
//! into pages by [`Browser::accessibility_violations`]: nothing is fetched at run time.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Set by CI: a missing browser is then a failure, not a skip.
pub const REQUIRE_VAR: &str = "LIGHTDECK_REQUIRE_BROWSER";
/// When set, the browser test saves `instances.png` and `instances-phone.png` there (the
/// README's come from `docs/screenshot.sh`, which shows the demo's data instead).
pub const SCREENSHOT_DIR_VAR: &str = "LIGHTDECK_SCREENSHOT_DIR";
pub const SKIP_MESSAGE: &str = "SKIPPED: browser test needs chromium and chromedriver";

const CHROMIUM_NAMES: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];
/// Bounded waits: long enough for a slow CI machine, short enough to fail visibly.
pub const WAIT: Duration = Duration::from_secs(15);
/// The desktop window; a phone is emulated inside it (see [`Browser::emulate_phone`]).
pub const DESKTOP: (u32, u32) = (1440, 900);
/// A common phone's viewport in CSS pixels (iPhone 12 to 15).
pub const PHONE: (u32, u32) = (390, 844);
/// The narrowest phone the panel is made for (iPhone SE, many Android phones): 375 px.
pub const SMALL_PHONE: (u32, u32) = (375, 667);

const AXE_SOURCE: &str = include_str!("../assets/axe.min.js");
/// The WCAG 2.1 A and AA rules; axe's best-practice and AAA rules are not the bar.
const AXE_RUN: &str = "const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
}).then(
  r => done(r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary),
  }))),
  e => done([{ id: 'axe-error', impact: 'error', help: String(e), nodes: [] }]),
);";

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
    /// chromedriver's address, for the Chrome-only commands fantoccini does not speak.
    driver_url: String,
    /// Where Chromium saves downloads (inside the profile).
    pub downloads: PathBuf,
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
        let downloads = profile.join("downloads");
        std::fs::create_dir_all(&downloads).expect("a profile directory");
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
                    format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                },
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("a Chromium session through chromedriver: {e}"));
        let driver = browser_guard.driver.take().expect("the driver is still ours");
        let browser = Browser { client, driver, profile, driver_url: url, downloads };
        // Headless Chromium refuses downloads unless told where they may go.
        let allowed = browser
            .cdp(
                "Browser.setDownloadBehavior",
                json!({ "behavior": "allow", "downloadPath": browser.downloads }),
            )
            .await;
        if let Err(e) = allowed {
            let _ = browser.client.clone().close().await;
            panic!("allowing downloads: {e}");
        }
        browser
    }

    /// Sends a Chrome DevTools command through chromedriver's `goog/cdp/execute`.
    pub async fn cdp(
        &self,
        cmd: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let session = self
            .client
            .session_id()
            .await
            .map_err(|e| format!("the session id: {e}"))?
            .ok_or("no WebDriver session")?;
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let reply = reqwest::Client::new()
            .post(&url)
            .json(&json!({ "cmd": cmd, "params": params }))
            .send()
            .await
            .map_err(|e| format!("{cmd}: {e}"))?;
        let ok = reply.status().is_success();
        let body: serde_json::Value = reply.json().await.map_err(|e| format!("{cmd}: {e}"))?;
        if !ok {
            return Err(format!("{cmd}: {}", body["value"]));
        }
        Ok(body["value"].clone())
    }

    /// A phone's viewport (touch and mobile viewport rules included) until
    /// [`Browser::emulate_desktop`]. Resizing the window would not do: Chromium keeps a
    /// headless window at least 500 px wide, whatever `--window-size` or WebDriver asks.
    pub async fn emulate_phone(&self) -> Result<(), String> {
        self.emulate_phone_of(PHONE).await
    }

    /// [`Browser::emulate_phone`] with a viewport of `(width, height)` CSS pixels.
    pub async fn emulate_phone_of(&self, (width, height): (u32, u32)) -> Result<(), String> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true }),
        )
        .await?;
        self.cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({ "enabled": true, "maxTouchPoints": 5 }),
        )
        .await
        .map(|_| ())
    }

    pub async fn emulate_desktop(&self) -> Result<(), String> {
        self.cdp("Emulation.setTouchEmulationEnabled", json!({ "enabled": false })).await?;
        self.cdp("Emulation.clearDeviceMetricsOverride", json!({})).await.map(|_| ())
    }

    /// Runs axe-core's WCAG 2.1 A/AA rules on the current page; one line per violation.
    pub async fn accessibility_violations(&self) -> Result<Vec<String>, String> {
        let present = self
            .client
            .execute("return typeof axe === 'object';", Vec::new())
            .await
            .map_err(|e| format!("looking for axe: {e}"))?;
        if present != json!(true) {
            self.client
                .execute(&format!("{AXE_SOURCE}\nreturn true;"), Vec::new())
                .await
                .map_err(|e| format!("injecting axe-core: {e}"))?;
        }
        let found = self
            .client
            .execute_async(AXE_RUN, Vec::new())
            .await
            .map_err(|e| format!("running axe-core: {e}"))?;
        let list = found.as_array().ok_or_else(|| format!("axe-core answered {found}"))?;
        Ok(list
            .iter()
            .map(|v| {
                format!(
                    "{} ({}): {} at {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or("?"),
                    v["nodes"]
                )
            })
            .collect())
    }

    /// Waits (bounded) for a finished download whose name ends in `suffix`: Chromium writes
    /// into `NAME.crdownload` and renames it at the end, so a file without that suffix and no
    /// `.crdownload` beside it is complete.
    pub async fn wait_for_download(&self, suffix: &str) -> Result<PathBuf, String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let names: Vec<PathBuf> = std::fs::read_dir(&self.downloads)
                .map_err(|e| format!("{}: {e}", self.downloads.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .collect();
            let partial = names.iter().any(|p| p.extension().is_some_and(|e| e == "crdownload"));
            let done = names.iter().find(|p| p.to_string_lossy().ends_with(suffix));
            if let (Some(path), false) = (done, partial) {
                return Ok(path.clone());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no finished *{suffix} download in {} after {WAIT:?}; it holds {names:?}",
                    self.downloads.display()
                ));
            }
            // A real browser writing a file: there is no clock to drive.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
