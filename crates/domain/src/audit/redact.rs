//! Removing secrets from request parameters before they are stored anywhere.

use serde_json::Value;

/// Keys (compared without case, `_` and `-`) that are dropped wherever they appear.
const SECRET_KEYS: &[&str] = &[
    "sk",
    "adminpass",
    "authorization",
    "cookie",
    "session",
    "sessionid",
    "privatekey",
    "userdata",
    "credential",
    "credentials",
    "apikey",
];

/// Any key containing one of these is dropped too (`new_password`, `client_secret`, `x_auth_token`…).
const SECRET_PARTS: &[&str] = &["password", "passwd", "secret", "token"];

fn is_secret(key: &str) -> bool {
    let norm: String =
        key.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect();
    SECRET_KEYS.contains(&norm.as_str()) || SECRET_PARTS.iter().any(|p| norm.contains(p))
}

/// Drops every object member whose key names a secret (password, new_password, sk, secret,
/// token, user_data, …), at any depth, including inside arrays.
pub fn redact(value: serde_json::Value) -> serde_json::Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter().filter(|(k, _)| !is_secret(k)).map(|(k, v)| (k, redact(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_dropped_at_any_depth() {
        let input = json!({
            "name": "web-1",
            "password": "p",
            "new_password": "p2",
            "Admin-Pass": "x",
            "sk": "s",
            "SK": "s",
            "ak": "public-ish",
            "auth": {"token": "t", "x_auth_token": "t", "kind": "iam"},
            "servers": [{"id": "a", "client_secret": "c"}, "password"],
            "user_data": "#!/bin/sh\necho root:pw | chpasswd",
            "type": "HARD"
        });
        let out = redact(input);
        assert_eq!(
            out,
            json!({
                "name": "web-1",
                "ak": "public-ish",
                "auth": {"kind": "iam"},
                "servers": [{"id": "a"}, "password"],
                "type": "HARD"
            })
        );
    }

    #[test]
    fn scalars_pass_through() {
        assert_eq!(redact(json!(3)), json!(3));
        assert_eq!(redact(json!(null)), json!(null));
    }
}
