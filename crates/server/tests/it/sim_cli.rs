//! `lightdeck sim`: prints one JSON line with its credentials, serves, and exits 0 on Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn sim_json_prints_one_line_serves_and_stops_on_ctrl_c() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lightdeck"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--accounts",
            "3",
            "--instances",
            "4",
            "--seed",
            "7",
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    let url = v["url"].as_str().unwrap();
    let accounts = v["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);
    for a in accounts {
        for key in ["name", "domain_id", "ak", "sk", "iam_user", "iam_password"] {
            assert!(a[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {a}");
        }
        assert_eq!(a["projects"]["cn-north-4"].as_str().unwrap().len(), 32);
    }

    // It serves: the admin state lists 3 × 4 instances.
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET /_sim/state HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let body: serde_json::Value =
        serde_json::from_str(resp.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["instances"].as_array().unwrap().len(), 12);

    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(rest.is_empty(), "exactly one line on stdout, then: {rest:?}");
}

#[test]
fn sim_help_explains_itself() {
    let out =
        Command::new(env!("CARGO_BIN_EXE_lightdeck")).args(["sim", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for word in [
        "--listen",
        "--accounts",
        "--instances",
        "--seed",
        "--fault",
        "--json",
        "ShowServer:429:0.5",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_lightdeck"))
        .args(["sim", "--fault", "ShowServer:teapot:1"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown kind"));
}
