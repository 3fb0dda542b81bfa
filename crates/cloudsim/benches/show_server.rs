//! Throughput of signed ECS ShowServer requests against cloudsim over loopback, and the
//! time to seed 10,000 instances. Run: `cargo bench -p lightdeck-cloudsim --bench show_server`.
//!
//! Client and server share this machine, so the figure is a floor for the simulator alone:
//! every request is signed (client) and verified (server) with `SDK-HMAC-SHA256`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lightdeck_cloudsim::Config;
use lightdeck_huaweicloud::signing::{SignableRequest, sign};
use secrecy::ExposeSecret;

const REQUESTS: usize = 20_000;

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        seeding().await;
        for concurrency in [1, 8, 32, 128] {
            show_server(concurrency).await;
        }
    });
}

async fn seeding() {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let h = lightdeck_cloudsim::spawn(
            Config::builder().seed(7).accounts(10).instances_per_account(1000),
        )
        .await
        .expect("spawn");
        assert_eq!(h.instance_count(), 10_000);
        best = best.min(h.seeded_in());
        h.shutdown().await;
    }
    println!("seeding 10,000 instances: {:.1} ms (best of 3)", best.as_secs_f64() * 1e3);
}

async fn show_server(concurrency: usize) {
    let h =
        lightdeck_cloudsim::spawn(Config::builder().seed(7).accounts(1).instances_per_account(50))
            .await
            .expect("spawn");
    let a = h.accounts()[0].clone();
    let inst = h.instances().into_iter().find(|i| i.region.id() == "cn-north-4").expect("instance");
    let project = a.projects["cn-north-4"].clone();
    let path = format!("/v1/{project}/cloudservers/{}", inst.server.id);
    let host = h.addr().to_string();
    let base = h.base_url().to_owned();
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
    let shared = Arc::new((a, project, path, host, base, client));
    let per_task = REQUESTS / concurrency;
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let s = shared.clone();
            tokio::spawn(async move {
                let (a, project, path, host, base, client) = &*s;
                let mut failures = 0usize;
                for _ in 0..per_task {
                    let signed = sign(
                        SignableRequest {
                            method: "GET",
                            host,
                            path,
                            query: &[],
                            headers: vec![
                                ("Content-Type".into(), "application/json".into()),
                                ("X-Project-Id".into(), project.clone()),
                            ],
                            body: b"",
                        },
                        &a.ak,
                        a.sk.expose_secret().as_bytes(),
                        time::OffsetDateTime::now_utc(),
                    );
                    let mut rb = client.get(format!("{base}{}", signed.path_and_query));
                    for (k, v) in &signed.headers {
                        if !k.eq_ignore_ascii_case("host") {
                            rb = rb.header(k, v);
                        }
                    }
                    match rb.send().await {
                        Ok(r) if r.status() == 200 => {
                            let _ = r.bytes().await;
                        }
                        _ => failures += 1,
                    }
                }
                failures
            })
        })
        .collect();
    let mut failures = 0;
    for t in tasks {
        failures += t.await.expect("task");
    }
    let elapsed = started.elapsed();
    let total = per_task * concurrency;
    println!(
        "ShowServer, {concurrency:>3} concurrent: {total} requests in {:.2} s = {:.0} req/s ({failures} failures)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    h.shutdown().await;
}
