//! Encoding edge cases of §2.2/§2.3, and the SDK quirks the signer keeps on purpose.

use time::macros::datetime;

use super::canonical::{
    canonical_uri, constant_time_eq, parse_raw_query, percent_decode, python_strip,
};
use super::*;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn header<'s>(signed: &'s Signed, name: &str) -> Option<&'s str> {
    signed.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn sign_headers(headers: &[(&str, &str)], body: &[u8]) -> Signed {
    sign(
        SignableRequest {
            method: "POST",
            host: "ecs.cn-north-4.myhuaweicloud.com",
            path: "/v1/p/cloudservers/action",
            query: &[],
            headers: pairs(headers),
            body,
        },
        "AK",
        b"SK",
        datetime!(2024-04-16 09:53:41 UTC),
    )
}

#[test]
fn query_encoding_is_unreserved_only() {
    let q = canonical_query(&pairs(&[("k", "a b+c/d~e=f%g")]));
    assert_eq!(q, "k=a%20b%2Bc%2Fd~e%3Df%25g");
}

#[test]
fn chinese_is_utf8_with_uppercase_hex() {
    assert_eq!(
        canonical_query(&pairs(&[("名", "服务器")])),
        "%E5%90%8D=%E6%9C%8D%E5%8A%A1%E5%99%A8"
    );
    assert_eq!(encode_path_param("测试"), "%E6%B5%8B%E8%AF%95");
}

#[test]
fn query_sorts_by_key_then_raw_value_and_keeps_empty_values() {
    let q = canonical_query(&pairs(&[("name", "b"), ("empty", ""), ("name", "a"), ("A", "1")]));
    // Uppercase sorts before lowercase (byte order), repeated keys by value.
    assert_eq!(q, "A=1&empty=&name=a&name=b");
    // Sorting uses the raw values: "a" < "服" raw, although "%E6…" < "a" once encoded.
    assert_eq!(canonical_query(&pairs(&[("t", "服"), ("t", "a")])), "t=a&t=%E6%9C%8D");
}

#[test]
fn empty_query_gives_no_question_mark() {
    assert_eq!(canonical_query(&[]), "");
    let signed = sign_headers(&[], b"");
    assert_eq!(signed.path_and_query, "/v1/p/cloudservers/action");
    assert_eq!(signed.canonical_query, "");
}

#[test]
fn path_param_encoding_matches_python_quote_safe_empty() {
    assert_eq!(encode_path_param("srv 01:测试~x"), "srv%2001%3A%E6%B5%8B%E8%AF%95~x");
    assert_eq!(encode_path_param("a/b"), "a%2Fb");
    assert_eq!(encode_path_param("a+b"), "a%2Bb");
    assert_eq!(encode_path_param("Az09-_.~"), "Az09-_.~");
}

#[test]
fn canonical_uri_appends_trailing_slash_once() {
    assert_eq!(canonical_uri("/v1/abc/cloudservers/action"), "/v1/abc/cloudservers/action/");
    assert_eq!(canonical_uri("/v1/abc/"), "/v1/abc/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri(""), "/");
}

#[test]
fn canonical_uri_decodes_before_splitting_f2_gotcha() {
    // The wire keeps %2F inside the parameter, the canonical URI turns it into a separator.
    assert_eq!(canonical_uri("/v1/p/cloudservers/a%2Fb"), "/v1/p/cloudservers/a/b/");
}

#[test]
fn canonical_uri_normalises_escapes_like_python() {
    assert_eq!(canonical_uri("/a%7eb/%e6%b5%8b"), "/a~b/%E6%B5%8B/");
    // Not an escape: the `%` itself is encoded.
    assert_eq!(canonical_uri("/100%/x%zz"), "/100%25/x%25zz/");
    // Invalid UTF-8 becomes U+FFFD, as with unquote(errors='replace').
    assert_eq!(canonical_uri("/a%FF"), "/a%EF%BF%BD/");
    // Unencoded characters a client forgot to escape are encoded.
    assert_eq!(canonical_uri("/a b/服"), "/a%20b/%E6%9C%8D/");
}

#[test]
fn percent_decode_keeps_plus_and_bad_escapes() {
    assert_eq!(&*percent_decode(b"a+b%20c%2"), b"a+b c%2");
    assert_eq!(&*percent_decode(b"%41%4a%4A"), b"AJJ");
}

#[test]
fn raw_query_parsing() {
    let parsed = parse_raw_query("b=1+2&flag&&a=x%3Dy=z&=v");
    let parsed: Vec<(&[u8], &[u8])> = parsed.iter().map(|(k, v)| (&k[..], &v[..])).collect();
    let expected: Vec<(&[u8], &[u8])> =
        vec![(b"b", b"1+2"), (b"flag", b""), (b"a", b"x=y=z"), (b"", b"v")];
    assert_eq!(parsed, expected);
    assert!(parse_raw_query("").is_empty());
}

#[test]
fn strip_matches_python_isspace() {
    // Every code point for which Python 3's str.isspace() is true.
    let python: &[u32] = &[
        0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
        0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029,
        0x202f, 0x205f, 0x3000,
    ];
    for cp in 0..=0x10FFFFu32 {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let s = format!("{c}x{c}");
        let expect_stripped = python.contains(&cp);
        assert_eq!(python_strip(&s) == "x", expect_stripped, "U+{cp:04X}");
    }
    assert_eq!(python_strip("  a  b \t"), "a  b");
}

#[test]
fn dates_round_trip_in_utc() {
    let t = datetime!(2024-04-16 17:53:41 +08:00);
    assert_eq!(format_sdk_date(t), "20240416T095341Z");
    assert_eq!(parse_sdk_date("20240416T095341Z"), Some(datetime!(2024-04-16 09:53:41 UTC)));
    for bad in [
        "",
        "20240416T095341",
        "20240416t095341Z",
        "2024-04-16T09:53",
        "20241316T095341Z",
        "20240230T095341Z",
        "20240416T245341Z",
        " 20240416T09534Z",
        "2024041６T095341Z",
        "+2024041T095341Z",
    ] {
        assert_eq!(parse_sdk_date(bad), None, "{bad:?}");
    }
}

#[test]
fn non_json_content_type_is_unsigned_payload() {
    let signed = sign_headers(&[("Content-Type", "text/plain")], b"hello");
    assert_eq!(header(&signed, "X-Sdk-Content-Sha256"), Some("UNSIGNED-PAYLOAD"));
    assert!(signed.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
    // application/json and application/bson prefixes hash the body.
    for ct in ["application/json;charset=utf-8", "application/bson"] {
        let signed = sign_headers(&[("Content-Type", ct)], b"{}");
        assert_eq!(header(&signed, "X-Sdk-Content-Sha256"), None, "{ct}");
    }
}

#[test]
fn content_type_lookup_is_case_sensitive_like_the_sdk() {
    // The SDK reads header_params["Content-Type"] literally; a lowercase name means the body
    // is hashed. Either way the signature is valid, since the gateway follows the header.
    let signed = sign_headers(&[("content-type", "text/plain")], b"hello");
    assert_eq!(header(&signed, "X-Sdk-Content-Sha256"), None);
}

#[test]
fn repeated_exact_header_name_keeps_last_value_in_first_place() {
    let signed = sign_headers(&[("X-A", "1"), ("X-B", "2"), ("X-A", " 3 ")], b"");
    let names: Vec<&str> = signed.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["X-A", "X-B", "X-Sdk-Date", "Host", "Authorization"]);
    assert_eq!(header(&signed, "X-A"), Some("3"));
    assert!(signed.canonical_request.contains("\nx-a:3\nx-b:2\n"));
}

#[test]
fn existing_host_and_date_are_kept_whatever_their_case() {
    let signed = sign_headers(&[("host", "h:8443"), ("x-sdk-date", "20200101T000000Z")], b"");
    assert_eq!(header(&signed, "Host"), None);
    assert_eq!(header(&signed, "X-Sdk-Date"), None);
    assert!(signed.string_to_sign.starts_with("SDK-HMAC-SHA256\n20200101T000000Z\n"));
    assert!(signed.canonical_request.contains("\nhost:h:8443\n"));
}

#[test]
fn debug_hides_token_headers() {
    let signed = sign_headers(&[("X-Security-Token", "tok-SECRET-123")], b"");
    let debug = format!("{signed:?}");
    assert!(!debug.contains("tok-SECRET-123"), "{debug}");
    assert!(debug.contains("x-security-token:[REDACTED]"), "{debug}");
    assert!(signed.signed_headers.contains("x-security-token"));
}

#[test]
fn constant_time_eq_compares_whole_strings() {
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abc", b"abd"));
    assert!(!constant_time_eq(b"abc", b"ab"));
    assert!(constant_time_eq(b"", b""));
}

/// Verifies `signed` (from `sign_headers`) with its Authorization header replaced.
fn verify_with_authorization(
    signed: &Signed,
    authorization: &[&str],
) -> Result<Verified, Rejection> {
    let mut headers = http::HeaderMap::new();
    for (name, value) in &signed.headers {
        if name != "Authorization" {
            headers.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                http::HeaderValue::from_str(value).unwrap(),
            );
        }
    }
    for value in authorization {
        headers.append(http::header::AUTHORIZATION, http::HeaderValue::from_str(value).unwrap());
    }
    let req = ReceivedRequest {
        method: "POST",
        raw_path: "/v1/p/cloudservers/action",
        raw_query: "",
        headers: &headers,
        body: b"{}",
    };
    verify(&req, datetime!(2024-04-16 09:53:41 UTC), time::Duration::minutes(15), |ak| {
        (ak == "AK").then(|| secrecy::SecretString::from("SK"))
    })
}

#[test]
fn authorization_header_forms() {
    let signed = sign_headers(&[("Content-Type", "application/json")], b"{}");
    let (sig, list) = (signed.signature.as_str(), signed.signed_headers.as_str());
    assert!(verify_with_authorization(&signed, &[&signed.authorization]).is_ok());
    // Parts in another order and extra spaces are accepted.
    let reordered = format!("SDK-HMAC-SHA256  Signature={sig},SignedHeaders={list} , Access=AK ");
    assert!(verify_with_authorization(&signed, &[&reordered]).is_ok());

    let malformed = [
        "SDK-HMAC-SHA256".to_owned(),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders={list}"),
        format!("SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders={list}, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=, SignedHeaders={list}, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders={list};, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders={list}, Signature={sig}, Extra=1"),
        format!(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders={list}, Signature={}",
            sig.to_uppercase()
        ),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders={list}, Signature={}", &sig[1..]),
    ];
    for value in &malformed {
        assert_eq!(
            verify_with_authorization(&signed, &[value]),
            Err(Rejection::MalformedAuthorization),
            "{value}"
        );
    }
    let twice = [signed.authorization.as_str(), signed.authorization.as_str()];
    assert_eq!(verify_with_authorization(&signed, &twice), Err(Rejection::MalformedAuthorization));
    assert_eq!(verify_with_authorization(&signed, &[]), Err(Rejection::MissingAuthorization));

    let other = format!("SDK-HMAC-SM3 Access=AK, SignedHeaders={list}, Signature={sig}");
    assert_eq!(
        verify_with_authorization(&signed, &[&other]),
        Err(Rejection::UnsupportedAlgorithm("SDK-HMAC-SM3".to_owned()))
    );
    let long = format!("{} Access=AK", "A".repeat(500));
    let Err(Rejection::UnsupportedAlgorithm(echoed)) = verify_with_authorization(&signed, &[&long])
    else {
        panic!("expected UnsupportedAlgorithm");
    };
    assert!(echoed.chars().count() <= 41, "{echoed}");
}

#[test]
fn unsigned_content_hash_declaration_is_ignored() {
    // Signed with a hashed JSON body; an attacker swaps the body and adds an unsigned
    // X-Sdk-Content-Sha256 carrying the old body's hash. The verifier must not use it.
    let signed = sign_headers(&[("Content-Type", "application/json")], b"{}");
    let mut headers = http::HeaderMap::new();
    for (name, value) in &signed.headers {
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value).unwrap(),
        );
    }
    let old_hash = super::canonical::sha256_hex(b"{}");
    headers.insert("x-sdk-content-sha256", http::HeaderValue::from_str(&old_hash).unwrap());
    let req = ReceivedRequest {
        method: "POST",
        raw_path: "/v1/p/cloudservers/action",
        raw_query: "",
        headers: &headers,
        body: b"{\"evil\": 1}",
    };
    let result =
        verify(&req, datetime!(2024-04-16 09:53:41 UTC), time::Duration::minutes(15), |_| {
            Some(secrecy::SecretString::from("SK"))
        });
    assert_eq!(result, Err(Rejection::SignatureMismatch));
}
