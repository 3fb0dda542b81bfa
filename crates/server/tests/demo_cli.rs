//! `lightdeck demo`, as a person runs it: the built binary with its own PostgreSQL folder.
//! The first run creates the users and prints their passwords; alice signs in and sees the
//! simulator's instances; Ctrl-C (SIGINT) stops the panel and PostgreSQL; the second run
//! reuses the data, prints no passwords, and alice's first password still works.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use lightdeck::routes::auth::encode_component;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use scraper::{Html, Selector};
use serde_json::Value;

const START_TIMEOUT: Duration = Duration::from_secs(180);

struct Demo {
    child: Child,
    line: Value,
    stderr: Arc<Mutex<String>>,
}

impl Demo {
    fn start(dir: &Path) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lightdeck"))
            .args(["demo", "--listen", "127.0.0.1:0", "--json", "--dir"])
            .arg(dir)
            .env_remove("DATABASE_URL")
            .env_remove("LIGHTDECK_MASTER_KEY")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run lightdeck demo");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            let _ = tx.send(lines.next());
            // Keep draining so the demo never blocks on a full pipe.
            for _ in lines {}
        });
        let first = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = child.kill();
                panic!("the demo printed no line ({other:?}); stderr:\n{}", stderr.lock().unwrap());
            }
        };
        let line: Value = serde_json::from_str(&first)
            .unwrap_or_else(|e| panic!("stdout is not one JSON line ({e}): {first}"));
        Demo { child, line, stderr }
    }

    fn url(&self) -> String {
        self.line["url"].as_str().expect("url").to_owned()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Ctrl-C, as a terminal sends it; the demo must exit by itself, successfully.
    fn interrupt(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "demo exited with {status}: {}", self.stderr());
                break;
            }
            assert!(std::time::Instant::now() < deadline, "demo did not stop: {}", self.stderr());
            std::thread::sleep(Duration::from_millis(100));
        }
        // The stderr reader may still be copying the last lines.
        std::thread::sleep(Duration::from_millis(200));
        self.stderr()
    }
}

/// The postmaster's pid, from the first line of postmaster.pid.
fn postgres_pid(dir: &Path) -> u32 {
    let text = std::fs::read_to_string(dir.join("postgres/postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

fn alive(pid: u32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("lightdeck_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

fn form(fields: &[(&str, &str)]) -> String {
    let pairs: Vec<String> =
        fields.iter().map(|(k, v)| format!("{k}={}", encode_component(v))).collect();
    pairs.join("&")
}

/// Signs in through the login form; returns the session cookie.
async fn sign_in(http: &reqwest::Client, base: &str, login: &str, password: &str) -> String {
    let page = http.get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = session_cookie(&page).expect("GET /login sets a session cookie");
    let html = Html::parse_document(&page.text().await.unwrap());
    let csrf = html
        .select(&Selector::parse("form input[name=csrf]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value"))
        .expect("login form has a csrf field")
        .to_owned();
    let resp = http
        .post(format!("{base}/login"))
        .header(COOKIE, &cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form(&[("csrf", &csrf), ("login", login), ("password", password), ("next", "/")]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "sign-in of {login} refused");
    assert_eq!(resp.headers()[LOCATION], "/");
    session_cookie(&resp).unwrap_or(cookie)
}

/// The instance links of the first page of the team's instance list, found from the
/// dashboard's link to that list.
async fn instance_links(http: &reqwest::Client, base: &str, cookie: &str) -> BTreeSet<String> {
    let get = |path: String| async move {
        let resp = http.get(format!("{base}{path}")).header(COOKIE, cookie).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
        Html::parse_document(&resp.text().await.unwrap())
    };
    let links = Selector::parse("a[href]").unwrap();
    let dashboard = get("/".to_owned()).await;
    let list = dashboard
        .select(&links)
        .filter_map(|a| a.value().attr("href"))
        .find(|h| h.starts_with("/teams/") && h.trim_end_matches('/').ends_with("/instances"))
        .expect("the dashboard links to the Demo team's instances")
        .to_owned();
    let page = get(list.clone()).await;
    let prefix = format!("{}/", list.trim_end_matches('/'));
    page.select(&links)
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| h.starts_with(&prefix) && !h[prefix.len()..].contains(['/', '?']))
        .map(str::to_owned)
        .collect()
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn demo_first_run_then_reuse() {
    let dir = TempDir(std::env::temp_dir().join(format!("ld-demo-{}", std::process::id())));
    let http = client();

    let first = Demo::start(&dir.0);
    let users = first.line["users"].as_array().expect("users").clone();
    let roles: Vec<(&str, &str)> =
        users.iter().map(|u| (u["login"].as_str().unwrap(), u["role"].as_str().unwrap())).collect();
    assert_eq!(roles, [("alice", "owner"), ("bob", "operator"), ("carol", "viewer")]);
    for u in &users {
        let pw = u["password"].as_str().expect("first run prints every password");
        assert!(pw.len() >= 16, "a strong password for {}", u["login"]);
    }
    assert!(!first.stderr().contains("Reusing"));
    let alice_pw = users[0]["password"].as_str().unwrap().to_owned();
    let base = first.url();
    let cookie = sign_in(&http, &base, "alice", &alice_pw).await;
    let seen = instance_links(&http, &base, &cookie).await;
    assert!(seen.len() >= 20, "alice sees the simulator's instances, got {seen:?}");

    let pg = postgres_pid(&dir.0);
    assert!(alive(pg));
    first.interrupt();
    assert!(!alive(pg), "Ctrl-C stops PostgreSQL");
    assert!(!dir.0.join("postgres/postmaster.pid").exists());

    let second = Demo::start(&dir.0);
    for u in second.line["users"].as_array().unwrap() {
        assert!(u["password"].is_null(), "no password on a second run: {u}");
    }
    assert!(second.stderr().contains("Reusing the demo data"), "{}", second.stderr());
    let base = second.url();
    let cookie = sign_in(&http, &base, "alice", &alice_pw).await;
    assert_eq!(instance_links(&http, &base, &cookie).await, seen, "same instances again");
    let pg = postgres_pid(&dir.0);
    let out = second.interrupt();
    assert!(!alive(pg), "Ctrl-C stops PostgreSQL: {out}");
    assert!(!out.contains("Updated the stored credentials"), "same seed, same keys: {out}");
}
