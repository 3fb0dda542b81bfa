//! The 11 `SDK-HMAC-SHA256` vectors produced by Huawei's Python SDK (huaweicloudsdkcore
//! 3.1.219): our signer must reproduce every recorded output byte for byte, and our verifier
//! must accept every signed request.

use std::collections::BTreeMap;

use http::{HeaderMap, HeaderName, HeaderValue};
use lightdeck_huaweicloud::signing::{
    self, ReceivedRequest, SignableRequest, Signed, Verified, parse_sdk_date, sign, verify,
};
use secrecy::SecretString;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

const FIXTURE: &str = include_str!("../fixtures/signing-vectors.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn vector(id: &str) -> Value {
    let all = fixture();
    let found = all["vectors"].as_array().unwrap().iter().find(|v| v["id"] == id).cloned();
    found.unwrap_or_else(|| panic!("no vector {id}"))
}

fn text<'v>(v: &'v Value, field: &str) -> &'v str {
    v[field].as_str().unwrap_or_else(|| panic!("{field} is not a string"))
}

/// The SDK gets query values as Python objects; our API takes them already as strings.
fn query_pairs(v: &Value) -> Vec<(String, String)> {
    let to_text = |value: &Value| match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("unexpected query value {other}"),
    };
    let pairs = v["query_params_before_signing"].as_array().unwrap();
    pairs.iter().map(|pair| (pair[0].as_str().unwrap().to_owned(), to_text(&pair[1]))).collect()
}

fn header_map(v: &Value, field: &str) -> BTreeMap<String, String> {
    let object = v[field].as_object().unwrap();
    object.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect()
}

fn credentials() -> (String, String) {
    let all = fixture();
    (text(&all, "ak").to_owned(), text(&all, "sk").to_owned())
}

fn vector_date() -> OffsetDateTime {
    parse_sdk_date(text(&fixture(), "x_sdk_date")).unwrap()
}

fn sign_vector(v: &Value, headers: Vec<(String, String)>, now: OffsetDateTime) -> Signed {
    let (ak, sk) = credentials();
    let query = query_pairs(v);
    sign(
        SignableRequest {
            method: text(v, "method"),
            host: text(v, "host"),
            path: text(v, "resource_path_on_wire"),
            query: &query,
            headers,
            body: text(v, "body").as_bytes(),
        },
        &ak,
        sk.as_bytes(),
        now,
    )
}

fn check_vector(id: &str) {
    let v = vector(id);
    let headers_before: Vec<(String, String)> =
        header_map(&v, "headers_before_signing").into_iter().collect();
    // A `now` far from the vector's date proves the X-Sdk-Date header is what gets signed.
    let signed = sign_vector(&v, headers_before, OffsetDateTime::UNIX_EPOCH);

    assert_eq!(signed.canonical_query, text(&v, "canonical_query_string"), "canonical query");
    assert_eq!(signed.canonical_request, text(&v, "canonical_request"), "canonical request");
    assert_eq!(signed.string_to_sign, text(&v, "string_to_sign"), "string to sign");
    assert_eq!(signed.signed_headers, text(&v, "signed_headers"), "signed headers");
    assert_eq!(signed.signature, text(&v, "signature"), "signature");
    let expected_headers = header_map(&v, "headers_after_signing");
    assert_eq!(signed.authorization, expected_headers["Authorization"], "authorization");
    let got_headers: BTreeMap<String, String> = signed.headers.iter().cloned().collect();
    assert_eq!(got_headers.len(), signed.headers.len(), "a header name appears twice");
    assert_eq!(got_headers, expected_headers, "headers after signing");
    let final_url = format!("https://{}{}", text(&v, "host"), signed.path_and_query);
    assert_eq!(final_url, text(&v, "final_url"), "final URL");
    if let Some(body_hash) = v["body_sha256_hex"].as_str()
        && !expected_headers.contains_key("X-Sdk-Content-Sha256")
    {
        assert!(signed.canonical_request.ends_with(body_hash), "payload hash");
    }

    let verified = verify_vector(&v).unwrap_or_else(|e| panic!("verify: {e}"));
    let (ak, _) = credentials();
    assert_eq!(
        verified,
        Verified {
            ak,
            signed_headers: text(&v, "signed_headers").split(';').map(str::to_owned).collect(),
            date: vector_date(),
        }
    );
}

/// Verifies the vector's recorded request as a server would receive it: the recorded headers,
/// wire path and query, not our signer's output.
fn verify_vector(v: &Value) -> Result<Verified, signing::Rejection> {
    let mut headers = HeaderMap::new();
    for (name, value) in header_map(v, "headers_after_signing") {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let (ak, sk) = credentials();
    verify(
        &ReceivedRequest {
            method: text(v, "method"),
            raw_path: text(v, "resource_path_on_wire"),
            raw_query: text(v, "canonical_query_string"),
            headers: &headers,
            body: text(v, "body").as_bytes(),
        },
        vector_date(),
        Duration::minutes(15),
        |key| (key == ak).then(|| SecretString::from(sk)),
    )
}

macro_rules! vector_tests {
    ($($name:ident => $id:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_vector($id);
            }
        )*

        #[test]
        fn fixture_holds_exactly_these_vectors() {
            let all = fixture();
            let ids: Vec<&str> =
                all["vectors"].as_array().unwrap().iter().map(|v| text(v, "id")).collect();
            assert_eq!(ids, [$($id),*]);
        }
    };
}

vector_tests! {
    vector_a_ecs_show_server => "a",
    vector_b_ecs_batch_start_with_body => "b",
    vector_c_rms_list_with_query => "c",
    vector_d_query_special_characters => "d",
    vector_e_bss_renew => "e",
    vector_f_path_parameter_special_characters => "f",
    vector_f2_path_parameter_with_slash => "f2",
    vector_g_minimal_seed_style => "g",
    vector_h_unsigned_payload => "h",
    vector_i_trimming_underscore_and_query_types => "i",
    vector_j_chinese_body => "j",
}

#[test]
fn missing_date_is_filled_from_now() {
    let v = vector("b");
    let mut headers: Vec<(String, String)> =
        header_map(&v, "headers_before_signing").into_iter().collect();
    headers.retain(|(name, _)| name != "X-Sdk-Date");
    let signed = sign_vector(&v, headers, vector_date());
    assert_eq!(signed.signature, text(&v, "signature"));
    let got: BTreeMap<String, String> = signed.headers.into_iter().collect();
    assert_eq!(got, header_map(&v, "headers_after_signing"));
}
