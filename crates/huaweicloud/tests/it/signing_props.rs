//! Property tests: whatever we sign, our verifier accepts; whatever an attacker changes in a
//! signed request, it refuses, for the right reason.
//!
//! Mutations are chosen to change the request's meaning. Changes that do not (lowercase hex in
//! a `%xx` escape, another order of query pairs, whitespace around a header value, an extra
//! unsigned header) are canonicalised away by design and must still verify; a separate
//! property checks exactly that.

use http::{HeaderMap, HeaderName, HeaderValue};
use lightdeck_huaweicloud::signing::{
    ReceivedRequest, Rejection, SignableRequest, Signed, Verified, canonical_query,
    encode_path_param, sign, verify,
};
use proptest::prelude::*;
use proptest::sample::Index;
use secrecy::SecretString;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const AK: &str = "AKPROPTEST0000000000";
const SK: &str = "SK-prop-test-secret-0000000000000000000000";
const SKEW: Duration = Duration::minutes(15);
const BASE: OffsetDateTime = datetime!(2024-04-16 09:53:41 UTC);
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];

#[derive(Debug, Clone)]
struct Req {
    method: &'static str,
    host: &'static str,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    unsigned_payload: bool,
}

/// A received request, owned so that tests can change any part of it.
#[derive(Debug, Clone)]
struct Wire {
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

fn header_name() -> impl Strategy<Value = String> {
    // Underscore-free (those are never signed) and distinct from the names sign() manages.
    "x-[a-z0-9-]{1,10}".prop_filter("reserved name", |n| {
        !matches!(n.as_str(), "x-sdk-date" | "x-sdk-content-sha256")
    })
}

fn header_value() -> impl Strategy<Value = String> {
    // Inner spaces are kept, surrounding whitespace is stripped by the signer.
    "[ \t]{0,2}([a-zA-Z0-9;=,./服务器]([a-zA-Z0-9 ;=,./服务器]{0,10}[a-zA-Z0-9服])?)?[ \t]{0,2}"
}

fn query_key() -> impl Strategy<Value = String> {
    // A few fixed keys so that repeated keys are common.
    prop_oneof![Just("name".to_owned()), Just("tags".to_owned()), "[a-z 服+/~=%]{0,5}"]
}

fn request() -> impl Strategy<Value = Req> {
    let segments = prop::collection::vec("[a-zA-Z0-9 服务器测试+~:._-]{1,8}", 0..4);
    let query = prop::collection::vec((query_key(), "[a-zA-Z0-9 服务+/~=%&]{0,8}"), 0..6);
    let extra = prop::collection::btree_map(header_name(), header_value(), 0..4);
    let content_type = prop_oneof![
        Just(None),
        Just(Some("application/json")),
        Just(Some("application/json;charset=utf-8")),
        Just(Some("text/plain")),
    ];
    let token = prop::option::of("[A-Za-z0-9+/=]{8,24}");
    (
        prop::sample::select(&METHODS[..]),
        prop::sample::select(&["ecs.cn-north-4.myhuaweicloud.com", "127.0.0.1:18443"][..]),
        segments,
        any::<bool>(),
        query,
        (extra, content_type, token),
        prop::collection::vec(any::<u8>(), 0..48),
    )
        .prop_map(|(method, host, segments, trailing, query, (extra, ct, token), body)| {
            let mut path = String::from("/v1");
            for segment in &segments {
                path.push('/');
                path.push_str(&encode_path_param(segment));
            }
            if trailing {
                path.push('/');
            }
            let mut headers: Vec<(String, String)> = extra.into_iter().collect();
            if let Some(ct) = ct {
                headers.push(("Content-Type".to_owned(), ct.to_owned()));
            }
            headers.push(("User-Agent".to_owned(), "lightdeck-test/1.0; rust".to_owned()));
            if let Some(token) = token {
                headers.push(("X-Security-Token".to_owned(), token));
            }
            let unsigned_payload = ct == Some("text/plain");
            Req { method, host, path, query, headers, body, unsigned_payload }
        })
}

fn sign_req(r: &Req) -> Signed {
    let mut headers = r.headers.clone();
    headers.push(("X-Sdk-Date".to_owned(), "20240416T095341Z".to_owned()));
    let req = SignableRequest {
        method: r.method,
        host: r.host,
        path: &r.path,
        query: &r.query,
        headers,
        body: &r.body,
    };
    sign(req, AK, SK.as_bytes(), OffsetDateTime::UNIX_EPOCH)
}

fn wire(r: &Req, signed: &Signed) -> Wire {
    let mut headers = HeaderMap::new();
    for (name, value) in &signed.headers {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let (path, query) =
        signed.path_and_query.split_once('?').unwrap_or((&signed.path_and_query, ""));
    Wire {
        method: r.method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: r.body.clone(),
    }
}

fn check_at(w: &Wire, now: OffsetDateTime, ak: &str, sk: &str) -> Result<Verified, Rejection> {
    let received = ReceivedRequest {
        method: &w.method,
        raw_path: &w.path,
        raw_query: &w.query,
        headers: &w.headers,
        body: &w.body,
    };
    let result =
        verify(&received, now, SKEW, |key| (key == ak).then(|| SecretString::from(sk.to_owned())));
    if let Err(rejection) = &result {
        let message = rejection.to_string();
        assert!(!message.contains(SK) && !message.contains(AK), "secret in {message:?}");
    }
    result
}

fn check(w: &Wire) -> Result<Verified, Rejection> {
    check_at(w, BASE, AK, SK)
}

/// Names of the headers the signature covers, as sent (original case).
fn signed_names(signed: &Signed) -> Vec<String> {
    let list: Vec<&str> = signed.signed_headers.split(';').collect();
    signed
        .headers
        .iter()
        .map(|(n, _)| n.to_owned())
        .filter(|n| list.contains(&n.to_lowercase().as_str()))
        .collect()
}

fn set_header(w: &mut Wire, name: &str, value: &str) {
    let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
    w.headers.insert(name, HeaderValue::from_bytes(value.as_bytes()).unwrap());
}

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(128)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn signed_requests_verify(r in request()) {
        let signed = sign_req(&r);
        let verified = check(&wire(&r, &signed)).unwrap();
        prop_assert_eq!(verified.ak, AK);
        prop_assert_eq!(verified.date, BASE);
        let list: Vec<String> = signed.signed_headers.split(';').map(str::to_owned).collect();
        prop_assert_eq!(verified.signed_headers, list);
    }

    #[test]
    fn equivalent_encodings_still_verify(r in request(), choice in 0..4u8, at in any::<Index>()) {
        let signed = sign_req(&r);
        let mut w = wire(&r, &signed);
        match choice {
            // Query pairs in the caller's order instead of sorted.
            0 => {
                let encode = |s: &str| encode_path_param(s);
                let pairs: Vec<String> =
                    r.query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
                w.query = pairs.join("&");
            }
            // Lowercase hex digits in every escape of the path.
            1 => {
                let mut out = String::new();
                let mut rest = w.path.as_str();
                while let Some(i) = rest.find('%') {
                    out.push_str(&rest[..=i]);
                    out.push_str(&rest[i + 1..i + 3].to_ascii_lowercase());
                    rest = &rest[i + 3..];
                }
                out.push_str(rest);
                w.path = out;
            }
            // Whitespace around a signed header's value.
            2 => {
                let names = signed_names(&signed);
                let name = &names[at.index(names.len())];
                let mut padded = b" \t".to_vec();
                padded.extend_from_slice(w.headers[name.as_str()].as_bytes());
                padded.extend_from_slice(b"  ");
                let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
                w.headers.insert(name, HeaderValue::from_bytes(&padded).unwrap());
            }
            // A header added on the way (by a proxy) that the signature does not cover.
            _ => set_header(&mut w, "x-forwarded-for", "203.0.113.9"),
        }
        prop_assert!(check(&w).is_ok(), "{:?}", check(&w));
    }

    #[test]
    fn changed_method_is_refused(r in request(), other in prop::sample::select(&METHODS[..])) {
        prop_assume!(other != r.method);
        let mut w = wire(&r, &sign_req(&r));
        w.method = other.to_owned();
        prop_assert_eq!(check(&w), Err(Rejection::SignatureMismatch));
    }

    #[test]
    fn changed_path_is_refused(r in request(), at in any::<Index>()) {
        let mut w = wire(&r, &sign_req(&r));
        // Only literal alphanumerics are candidates: the hex digits of an escape could be
        // changed in case without changing the path (see equivalent_encodings_still_verify).
        let bytes = w.path.as_bytes();
        let candidates: Vec<usize> = (0..bytes.len())
            .filter(|&i| bytes[i].is_ascii_alphanumeric())
            .filter(|&i| !bytes[i.saturating_sub(2)..i].contains(&b'%'))
            .collect();
        let i = candidates[at.index(candidates.len())];
        let replacement = if bytes[i] == b'q' { "r" } else { "q" };
        w.path.replace_range(i..=i, replacement);
        prop_assert_eq!(check(&w), Err(Rejection::SignatureMismatch));
    }

    #[test]
    fn changed_query_is_refused(r in request(), how in 0..3u8, at in any::<Index>()) {
        let mut w = wire(&r, &sign_req(&r));
        let mut pairs = r.query.clone();
        match how {
            _ if pairs.is_empty() => pairs.push(("limit".to_owned(), "1".to_owned())),
            0 => pairs[at.index(r.query.len())].1.push('x'),
            1 => pairs[at.index(r.query.len())].0.push('x'),
            _ => {
                pairs.remove(at.index(r.query.len()));
            }
        }
        w.query = canonical_query(&pairs);
        prop_assert_eq!(check(&w), Err(Rejection::SignatureMismatch));
    }

    #[test]
    fn changed_signed_header_is_refused(r in request(), at in any::<Index>()) {
        let signed = sign_req(&r);
        let mut w = wire(&r, &signed);
        let names: Vec<String> =
            signed_names(&signed).into_iter().filter(|n| n != "X-Sdk-Date").collect();
        let name = &names[at.index(names.len())];
        let value = signed.headers.iter().find(|(n, _)| n == name).unwrap().1.clone();
        set_header(&mut w, name, &format!("{value}x"));
        prop_assert_eq!(check(&w), Err(Rejection::SignatureMismatch));
    }

    #[test]
    fn removed_signed_header_is_refused(r in request(), at in any::<Index>()) {
        let signed = sign_req(&r);
        let mut w = wire(&r, &signed);
        let names = signed_names(&signed);
        let name = &names[at.index(names.len())];
        w.headers.remove(name.as_str());
        let expected = if name == "X-Sdk-Date" {
            Rejection::MissingDate
        } else {
            Rejection::MissingSignedHeader(name.to_lowercase())
        };
        prop_assert_eq!(check(&w), Err(expected));
    }

    #[test]
    fn changed_body_is_refused(r in request(), at in any::<Index>(), bits in 1..=255u8) {
        let mut w = wire(&r, &sign_req(&r));
        if w.body.is_empty() {
            w.body.push(bits);
        } else {
            let i = at.index(w.body.len());
            w.body[i] ^= bits;
        }
        if r.unsigned_payload && !r.body.is_empty() {
            // UNSIGNED-PAYLOAD (non-JSON content) means the body is not covered: that is the
            // protocol, and the reason our client only sends JSON.
            prop_assert!(check(&w).is_ok());
        } else {
            prop_assert_eq!(check(&w), Err(Rejection::SignatureMismatch));
        }
    }

    #[test]
    fn date_window_is_enforced(r in request(), secs in 0..=SKEW.whole_seconds(), late in any::<bool>()) {
        let w = wire(&r, &sign_req(&r));
        let sign = if late { 1 } else { -1 };
        prop_assert!(check_at(&w, BASE + Duration::seconds(sign * secs), AK, SK).is_ok());
        let outside = BASE + Duration::seconds(sign * (secs + SKEW.whole_seconds() + 1));
        prop_assert_eq!(check_at(&w, outside, AK, SK), Err(Rejection::StaleDate));
    }

    #[test]
    fn changed_date_is_refused(r in request(), secs in 1..=SKEW.whole_seconds()) {
        let mut w = wire(&r, &sign_req(&r));
        let date = lightdeck_huaweicloud::signing::format_sdk_date(BASE + Duration::seconds(secs));
        set_header(&mut w, "X-Sdk-Date", &date);
        prop_assert_eq!(check(&w), Err(Rejection::SignatureMismatch));
        set_header(&mut w, "X-Sdk-Date", "2024-04-16T09:53:41Z");
        prop_assert_eq!(check(&w), Err(Rejection::MalformedDate));
    }

    #[test]
    fn wrong_credentials_are_refused(r in request()) {
        let w = wire(&r, &sign_req(&r));
        prop_assert_eq!(check_at(&w, BASE, "AKOTHER", SK), Err(Rejection::UnknownAccessKey));
        let wrong_sk = format!("{SK}x");
        prop_assert_eq!(check_at(&w, BASE, AK, &wrong_sk), Err(Rejection::SignatureMismatch));
    }

    #[test]
    fn tampered_signed_header_list_is_refused(r in request(), at in any::<Index>()) {
        let signed = sign_req(&r);
        let with_list = |list: &[&str]| {
            let mut w = wire(&r, &signed);
            let auth = format!(
                "SDK-HMAC-SHA256 Access={AK}, SignedHeaders={}, Signature={}",
                list.join(";"),
                signed.signature
            );
            set_header(&mut w, "Authorization", &auth);
            check(&w)
        };
        let list: Vec<&str> = signed.signed_headers.split(';').collect();
        let without = |drop: &str| list.iter().copied().filter(|n| *n != drop).collect::<Vec<_>>();
        prop_assert_eq!(with_list(&without("host")), Err(Rejection::HostNotSigned));
        prop_assert_eq!(with_list(&without("x-sdk-date")), Err(Rejection::DateNotSigned));
        // Dropping any other name (user-agent is always there) breaks the signature.
        let others: Vec<&str> =
            list.iter().copied().filter(|n| *n != "host" && *n != "x-sdk-date").collect();
        let dropped = others[at.index(others.len())];
        prop_assert_eq!(with_list(&without(dropped)), Err(Rejection::SignatureMismatch));
    }
}
