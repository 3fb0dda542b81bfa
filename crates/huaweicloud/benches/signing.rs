//! How long `SDK-HMAC-SHA256` signing and verifying take for a typical ECS call
//! (BatchRebootServers with two servers). Target: well under 5 µs per signature.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderName, HeaderValue};
use lightdeck_huaweicloud::signing::{ReceivedRequest, SignableRequest, sign, verify};
use secrecy::SecretString;
use time::Duration;
use time::macros::datetime;

const AK: &str = "AKTESTEXAMPLE00000000";
const SK: &str = "SKTESTEXAMPLE0000000000000000000000000000";
const PATH: &str = "/v1/0123456789abcdef0123456789abcdef/cloudservers/action";
const BODY: &str = r#"{"reboot": {"type": "SOFT", "servers": [{"id": "72a270de-665a-4f46-8d64-24ad6edccdd1"}, {"id": "72a270de-665a-4f46-8d64-24ad6edccdd2"}]}}"#;

fn headers() -> Vec<(String, String)> {
    [
        ("Content-Type", "application/json;charset=utf-8"),
        ("User-Agent", "huaweicloud-usdk-python/3.0; lightdeck/0.1"),
        ("X-Project-Id", "0123456789abcdef0123456789abcdef"),
        ("X-Sdk-Date", "20240416T095341Z"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect()
}

fn request(headers: Vec<(String, String)>) -> SignableRequest<'static> {
    SignableRequest {
        method: "POST",
        host: "ecs.cn-north-4.myhuaweicloud.com",
        path: PATH,
        query: &[],
        headers,
        body: BODY.as_bytes(),
    }
}

fn bench_signing(c: &mut Criterion) {
    let now = datetime!(2024-04-16 09:53:41 UTC);
    let template = headers();
    // The header list is cloned per iteration: a caller builds a fresh one for every request.
    c.bench_function("sign typical ECS request", |b| {
        b.iter(|| sign(request(black_box(template.clone())), AK, SK.as_bytes(), now))
    });

    let signed = sign(request(headers()), AK, SK.as_bytes(), now);
    let mut received = HeaderMap::new();
    for (name, value) in &signed.headers {
        received.append(
            HeaderName::from_bytes(name.as_bytes()).expect("valid header name"),
            HeaderValue::from_bytes(value.as_bytes()).expect("valid header value"),
        );
    }
    let req = ReceivedRequest {
        method: "POST",
        raw_path: PATH,
        raw_query: "",
        headers: &received,
        body: BODY.as_bytes(),
    };
    c.bench_function("verify typical ECS request", |b| {
        b.iter(|| {
            verify(black_box(&req), now, Duration::minutes(15), |_| Some(SecretString::from(SK)))
                .expect("bench request verifies")
        })
    });
}

criterion_group!(benches, bench_signing);
criterion_main!(benches);
