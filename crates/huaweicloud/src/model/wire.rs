//! Serde helpers every service's wire types share: Huawei's answers are loose about types
//! (`null` for empty lists, numbers where the docs say strings and back), and a request
//! must put a secret on the wire without ever making it printable.

use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

use crate::credentials::expose;

/// Writes a secret's clear text: used only on request fields that must reach the wire.
pub(crate) fn serialize_exposed<S: Serializer>(
    secret: &SecretString,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(expose(secret))
}

/// A JSON `null` becomes the type's default (Huawei sends `null` for empty lists and maps).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A string as itself, anything else as its JSON text (so `null` becomes `"null"`, which is
/// how RMS itself writes a missing attribute).
fn text_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A string field that some responses send as a number: kept as its text rather than
/// failing the whole response. `null` stays `"null"`.
pub(crate) fn string_from_any<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Value::deserialize(d).map(text_of)
}

/// Like [`string_from_any`], but a missing field or `null` is `None`.
pub(crate) fn opt_string_from_any<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(v) => Some(text_of(v)),
    })
}

/// An integer field that some responses send as a numeric string (`""` counts as absent).
pub(crate) fn opt_i64_from_any<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_i64().map(Some).ok_or_else(|| D::Error::custom(format!("{n} is not an integer")))
        }
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("\"{s}\" is not an integer"))),
        Some(other) => Err(D::Error::custom(format!("expected an integer, got {other}"))),
    }
}

/// Pushes `key=value` for a set option: the query structs list their pairs with this, and
/// the signer sorts and encodes them.
pub(crate) fn push_query<T: ToString>(
    q: &mut Vec<(&'static str, String)>,
    key: &'static str,
    v: &Option<T>,
) {
    if let Some(v) = v {
        q.push((key, v.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Loose {
        #[serde(default, deserialize_with = "super::opt_string_from_any")]
        s: Option<String>,
        #[serde(default, deserialize_with = "super::opt_i64_from_any")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "super::string_from_any")]
        t: String,
        #[serde(default, deserialize_with = "super::null_as_default")]
        v: Vec<u8>,
    }

    fn loose(json: &str) -> Loose {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn loose_types_decode() {
        let l = loose(r#"{"s": 4, "n": " 12 ", "t": null, "v": null}"#);
        assert_eq!(
            (l.s.as_deref(), l.n, l.t.as_str(), l.v.len()),
            (Some("4"), Some(12), "null", 0)
        );
        let l = loose(r#"{"s": null, "n": "", "t": {"a": 1}}"#);
        assert_eq!((l.s, l.n, l.t.as_str()), (None, None, r#"{"a":1}"#));
        assert!(serde_json::from_str::<Loose>(r#"{"n": "twelve"}"#).is_err());
        assert!(serde_json::from_str::<Loose>(r#"{"n": 1.5}"#).is_err());
    }
}
