//! `lightdeck demo`, as a person runs it: the built binary with its own PostgreSQL folder.
//! The first run creates the users and prints their passwords; alice signs in and sees the
//! simulator's instances; Ctrl-C (SIGINT) stops the panel and PostgreSQL; the second run
//! reuses the data, prints no passwords, and alice's first password still works. The
//! simulated cloud is kept too: an instance stopped in one run is still stopped in the
//! next, and a reboot running when the demo is killed (SIGKILL) finishes after a restart.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use lightdeck::urls::encode_component;
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

    /// The stderr line containing `marker`, waiting a little for the reader to copy it.
    fn stderr_line(&self, marker: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.stderr().lines().find(|l| l.contains(marker)) {
                return line.to_owned();
            }
            assert!(std::time::Instant::now() < deadline, "no {marker:?} in {}", self.stderr());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// cloudsim's address, from "cloudsim (…) is on http://… with N instances".
    fn sim_url(&self) -> String {
        let line = self.stderr_line("cloudsim (the simulated Huawei Cloud) is on ");
        let rest = line.split(" is on ").nth(1).unwrap();
        rest.split_whitespace().next().unwrap().to_owned()
    }

    /// The database URL a reusing run prints for `lightdeck user passwd`.
    fn database_url(&self) -> String {
        let line = self.stderr_line("DATABASE_URL='");
        line.split("DATABASE_URL='").nth(1).unwrap().split('\'').next().unwrap().to_owned()
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

impl Drop for Demo {
    /// A failed assertion must not leave the demo (and its PostgreSQL) running: Ctrl-C it,
    /// as a person would. A demo that already exited is left alone.
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while matches!(self.child.try_wait(), Ok(None)) {
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The postmaster's pid, from the first line of postmaster.pid.
fn postgres_pid(dir: &Path) -> u32 {
    let text = std::fs::read_to_string(dir.join("postgres/postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

/// Running, not a zombie: a postmaster orphaned by a killed demo is reaped by whatever
/// adopted it, which in a container may be never.
fn alive(pid: u32) -> bool {
    lightdeck_domain::pg::process_alive(pid)
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

fn visitor_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("lightdeck_csrf="))
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
    // The form's token is the visitor's own, with its cookie (no session before sign-in).
    let cookie = visitor_cookie(&page).expect("GET /login sets the visitor's CSRF cookie");
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
    session_cookie(&resp).expect("signing in sets the session cookie")
}

async fn get_page(http: &reqwest::Client, base: &str, cookie: &str, path: &str) -> Html {
    let resp = http.get(format!("{base}{path}")).header(COOKIE, cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "GET {path}");
    Html::parse_document(&resp.text().await.unwrap())
}

/// The team's instance list (`/teams/{team}/instances`), from the dashboard's link to it.
async fn instances_path(http: &reqwest::Client, base: &str, cookie: &str) -> String {
    let links = Selector::parse("a[href]").unwrap();
    get_page(http, base, cookie, "/")
        .await
        .select(&links)
        .filter_map(|a| a.value().attr("href"))
        .find(|h| h.starts_with("/teams/") && h.trim_end_matches('/').ends_with("/instances"))
        .expect("the dashboard links to the Demo team's instances")
        .trim_end_matches('/')
        .to_owned()
}

/// The instance links of the first page of the team's instance list.
async fn instance_links(http: &reqwest::Client, base: &str, cookie: &str) -> BTreeSet<String> {
    let links = Selector::parse("a[href]").unwrap();
    let list = instances_path(http, base, cookie).await;
    let page = get_page(http, base, cookie, &list).await;
    let prefix = format!("{}/", list.trim_end_matches('/'));
    page.select(&links)
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| h.starts_with(&prefix) && !h[prefix.len()..].contains(['/', '?']))
        .map(str::to_owned)
        .collect()
}

/// Asks the panel for a power action on one instance, as the action form does; returns the
/// batch page it redirects to.
async fn act(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    action: &str,
    instance: &str,
) -> String {
    let list = instances_path(http, base, cookie).await;
    let team = list.trim_end_matches("/instances");
    let csrf = get_page(http, base, cookie, &list)
        .await
        .select(&Selector::parse("form[action='/logout'] input[name=csrf]").unwrap())
        .next()
        .and_then(|i| i.value().attr("value"))
        .expect("the page has a sign-out form")
        .to_owned();
    let key = format!("demo-cli-{action}-{instance}");
    let body = form(&[
        ("csrf", &csrf),
        ("action", action),
        ("type", "soft"),
        ("idempotency_key", &key),
        ("confirmed", "yes"),
        ("instance", instance),
    ]);
    let resp = http
        .post(format!("{base}{team}/actions"))
        .header(COOKIE, cookie)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{action} refused: {:?}", resp.text().await);
    resp.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// cloudsim's instances (`GET /_sim/state`).
async fn sim_instances(http: &reqwest::Client, sim: &str) -> Vec<Value> {
    let state: Value =
        http.get(format!("{sim}/_sim/state")).send().await.unwrap().json().await.unwrap();
    state["instances"].as_array().unwrap().clone()
}

/// The ECS status of `instance` in cloudsim.
async fn sim_status(http: &reqwest::Client, sim: &str, instance: &str) -> String {
    let all = sim_instances(http, sim).await;
    let inst = all.iter().find(|i| i["id"] == instance).expect("the instance is in cloudsim");
    inst["server"]["status"].as_str().unwrap().to_owned()
}

/// The id of a running instance.
async fn active_instance(http: &reqwest::Client, sim: &str) -> String {
    let all = sim_instances(http, sim).await;
    let inst = all.iter().find(|i| i["server"]["status"] == "ACTIVE").expect("a running instance");
    inst["id"].as_str().unwrap().to_owned()
}

/// The status of `instance` in the saved snapshot, if the file is there.
fn saved_status(dir: &Path, instance: &str) -> Option<String> {
    let bytes = std::fs::read(dir.join("cloudsim.json")).ok()?;
    let snap: Value = serde_json::from_slice(&bytes).ok()?;
    let inst = snap["instances"].as_array()?.iter().find(|i| i["id"] == instance)?.clone();
    inst["server"]["status"].as_str().map(str::to_owned)
}

async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + timeout;
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    first.stderr_line("The simulated cloud starts fresh");
    let sim = first.sim_url();
    let stopped = active_instance(&http, &sim).await;
    act(&http, &base, &cookie, "stop", &stopped).await;
    wait_for("the stop to end", Duration::from_secs(30), || async {
        sim_status(&http, &sim, &stopped).await == "SHUTOFF"
    })
    .await;

    let pg = postgres_pid(&dir.0);
    assert!(alive(pg));
    let out = first.interrupt();
    assert!(!alive(pg), "Ctrl-C stops PostgreSQL");
    nothing_failed_while_stopping(&out);
    assert!(!dir.0.join("postgres/postmaster.pid").exists());

    let second = Demo::start(&dir.0);
    for u in second.line["users"].as_array().unwrap() {
        assert!(u["password"].is_null(), "no password on a second run: {u}");
    }
    assert!(second.stderr().contains("Reusing the demo data"), "{}", second.stderr());
    second.stderr_line("The simulated cloud is restored from");
    let base = second.url();
    let cookie = sign_in(&http, &base, "alice", &alice_pw).await;
    assert_eq!(instance_links(&http, &base, &cookie).await, seen, "same instances again");
    assert_eq!(sim_status(&http, &second.sim_url(), &stopped).await, "SHUTOFF", "still stopped");
    let pg = postgres_pid(&dir.0);
    let out = second.interrupt();
    assert!(!alive(pg), "Ctrl-C stops PostgreSQL: {out}");
    nothing_failed_while_stopping(&out);
    assert!(!out.contains("Updated the stored credentials"), "same seed, same keys: {out}");
}

/// The workers have stopped before PostgreSQL does, so none of their queries fails under it.
fn nothing_failed_while_stopping(out: &str) {
    let (_, stopping) = out.split_once("Stopping PostgreSQL").expect("the demo says it stops");
    assert!(!stopping.contains("ERROR"), "an error while the demo stopped: {out}");
}

/// Where the demo's PostgreSQL data lives: the folder `postgres-location` records (a root run
/// from a folder the `postgres` user cannot enter), else `<dir>/postgres`.
fn pg_data_dir(dir: &Path) -> PathBuf {
    match std::fs::read_to_string(dir.join("postgres-location")) {
        Ok(record) => PathBuf::from(record.lines().next().expect("a recorded path").trim()),
        Err(_) => dir.join("postgres"),
    }
}

fn postmaster_pid(data: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(data.join("postmaster.pid")).ok()?;
    text.lines().next()?.trim().parse().ok()
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    match std::fs::metadata("/proc/self") {
        Ok(m) => m.uid() == 0,
        Err(_) => {
            let out = Command::new("id").arg("-u").output().expect("run id -u");
            String::from_utf8_lossy(&out.stdout).trim() == "0"
        }
    }
}

/// Whatever a failed run of the home-folder test leaves: demo processes, relocated clusters
/// (stopped before they are removed) and the folder itself.
struct HomeDemoLeftovers {
    folder: PathBuf,
    demos: Vec<u32>,
    clusters: BTreeSet<PathBuf>,
}

impl Drop for HomeDemoLeftovers {
    fn drop(&mut self) {
        for pid in &self.demos {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        for data in &self.clusters {
            if let Some(pid) = postmaster_pid(data) {
                let _ = Command::new("kill")
                    .args(["-INT", &pid.to_string()])
                    .stderr(Stdio::null())
                    .status();
                for _ in 0..100 {
                    if !alive(pid) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            let _ = std::fs::remove_dir_all(data);
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// The first run on a fresh cloud VM: root, in a 0700 folder under $HOME, which the `postgres`
/// user PostgreSQL runs as cannot enter. The data then lives under /var/lib/lightdeck; the demo
/// finds it again on the next run, reuses the postmaster a killed run left behind, and starts
/// from scratch (stopping and removing the old cluster) once its folder is deleted. Not as
/// root, the same steps check the plain case, data in the folder itself.
#[tokio::test]
async fn demo_runs_from_a_private_folder_in_home() {
    use std::os::unix::fs::DirBuilderExt;
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME is set"));
    let folder = home.join(format!(".ld-demo-home-{}", std::process::id()));
    std::fs::DirBuilder::new().mode(0o700).create(&folder).unwrap();
    let mut leftovers = HomeDemoLeftovers { folder, demos: vec![], clusters: BTreeSet::new() };
    let dir = leftovers.folder.join(".lightdeck");
    let root = running_as_root();
    if !root {
        eprintln!(
            "not running as root: checking the demo with its data in {}/postgres; the move to \
             /var/lib/lightdeck is only tested as root",
            dir.display()
        );
    }
    let http = client();

    let first = Demo::start(&dir);
    leftovers.demos.push(first.child.id());
    let users = first.line["users"].as_array().expect("users").clone();
    assert!(users.iter().all(|u| u["password"].is_string()), "passwords on the first run");
    let alice_pw = users[0]["password"].as_str().unwrap().to_owned();
    let data = pg_data_dir(&dir);
    leftovers.clusters.insert(data.clone());
    if root {
        assert!(data.starts_with("/var/lib/lightdeck"), "moved out of $HOME: {}", data.display());
        assert!(first.stderr().contains(&data.display().to_string()), "{}", first.stderr());
    } else {
        assert_eq!(data, dir.join("postgres"));
    }
    let base = first.url();
    let cookie = sign_in(&http, &base, "alice", &alice_pw).await;
    let seen = instance_links(&http, &base, &cookie).await;
    assert!(seen.len() >= 20, "alice sees the simulator's instances, got {seen:?}");
    let pg = postmaster_pid(&data).expect("postgres runs");
    assert!(alive(pg));
    let out = first.interrupt();
    assert!(!alive(pg), "Ctrl-C stops PostgreSQL");
    nothing_failed_while_stopping(&out);

    let mut second = Demo::start(&dir);
    leftovers.demos.push(second.child.id());
    assert!(second.stderr().contains("Reusing the demo data"), "{}", second.stderr());
    assert_eq!(pg_data_dir(&dir), data, "the same cluster again");
    let base = second.url();
    let cookie = sign_in(&http, &base, "alice", &alice_pw).await;
    assert_eq!(instance_links(&http, &base, &cookie).await, seen);
    // A demo killed outright leaves its postmaster running; the next run takes it over.
    let pg = postmaster_pid(&data).expect("postgres runs");
    second.child.kill().unwrap();
    second.child.wait().unwrap();
    assert!(alive(pg), "kill -9 of the demo leaves PostgreSQL running");
    let mut third = Demo::start(&dir);
    leftovers.demos.push(third.child.id());
    assert!(third.stderr().contains("Reusing the demo data"), "{}", third.stderr());
    assert_eq!(postmaster_pid(&data), Some(pg), "the running postmaster is reused");
    third.child.kill().unwrap();
    third.child.wait().unwrap();

    // Deleting the folder starts from scratch, and the old postmaster does not linger.
    std::fs::remove_dir_all(&dir).unwrap();
    let fresh = Demo::start(&dir);
    leftovers.demos.push(fresh.child.id());
    assert!(!fresh.stderr().contains("Reusing"), "{}", fresh.stderr());
    let users = fresh.line["users"].as_array().unwrap();
    assert!(users.iter().all(|u| u["password"].is_string()), "new passwords: {users:?}");
    assert!(!alive(pg), "the old postmaster was stopped");
    let new_data = pg_data_dir(&dir);
    leftovers.clusters.insert(new_data.clone());
    let new_pg = postmaster_pid(&new_data).expect("postgres runs");
    assert_ne!(new_pg, pg);
    let new_pw = users[0]["password"].as_str().unwrap();
    let base = fresh.url();
    let cookie = sign_in(&http, &base, "alice", new_pw).await;
    assert!(instance_links(&http, &base, &cookie).await.len() >= 20);
    let out = fresh.interrupt();
    assert!(!alive(new_pg), "Ctrl-C stops PostgreSQL: {out}");
}

#[tokio::test]
async fn a_reboot_cut_short_by_a_kill_finishes_after_a_restart() {
    let dir = TempDir(std::env::temp_dir().join(format!("ld-demo-kill-{}", std::process::id())));
    let http = client();

    let mut first = Demo::start(&dir.0);
    let alice_pw = first.line["users"][0]["password"].as_str().unwrap().to_owned();
    let base = first.url();
    let cookie = sign_in(&http, &base, "alice", &alice_pw).await;
    let rebooted = active_instance(&http, &first.sim_url()).await;
    act(&http, &base, &cookie, "reboot", &rebooted).await;
    // The kill must come while the snapshot holds the reboot as running (the job takes 4 s).
    wait_for("the snapshot of the running reboot", Duration::from_secs(20), || async {
        saved_status(&dir.0, &rebooted).as_deref() == Some("REBOOT")
    })
    .await;
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let second = Demo::start(&dir.0);
    second.stderr_line("The simulated cloud is restored from");
    let database_url = second.database_url();
    let pool = sqlx::PgPool::connect(&database_url).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let (state, error) = loop {
        let row: Option<(String, Option<String>)> = sqlx::query_as(
            "SELECT state, error_code FROM actions WHERE kind = 'reboot' AND $1 = ANY(instance_ids)",
        )
        .bind(&rebooted)
        .fetch_optional(&pool)
        .await
        .unwrap();
        match row {
            Some((state, error)) if state != "requested" && state != "accepted" => {
                break (state, error);
            }
            other => assert!(
                std::time::Instant::now() < deadline,
                "the reboot did not end: {other:?}; stderr:\n{}",
                second.stderr()
            ),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(state, "succeeded", "error code {error:?}; stderr:\n{}", second.stderr());
    assert_eq!(sim_status(&http, &second.sim_url(), &rebooted).await, "ACTIVE");
    pool.close().await;

    let verify = Command::new(env!("CARGO_BIN_EXE_lightdeck"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &database_url)
        .env_remove("LIGHTDECK_MASTER_KEY")
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "audit verify: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    second.interrupt();
}
