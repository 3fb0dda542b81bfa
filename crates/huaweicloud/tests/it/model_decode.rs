//! Decodes every response example from the seed and the reference (fixtures), round-trips
//! every request type, and pins the exact JSON the request bodies serialize to.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

mod bss;
mod ecs;
mod iam;
mod rms;

/// A fixture file as JSON.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One entry of a fixture file that holds several examples keyed by name.
pub fn fixture_entry(name: &str, key: &str) -> Value {
    fixture(name).get(key).cloned().unwrap_or_else(|| panic!("{name} has no {key}"))
}

pub fn decode<T: DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("decode failed: {e}\n{v:#}"))
}

pub fn to_value<T: Serialize>(t: &T) -> Value {
    serde_json::to_value(t).expect("serialize")
}

/// Serialize then deserialize gives the same value back.
pub fn round_trip<T>(t: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let text = serde_json::to_string(t).expect("serialize");
    let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(&back, t, "round trip changed the value; wire form was {text}");
}

/// For types that cannot be compared (they hold secrets): the wire form survives a round trip.
pub fn round_trip_wire<T: Serialize + DeserializeOwned>(t: &T) {
    let first = to_value(t);
    let back: T = decode(&first);
    assert_eq!(to_value(&back), first);
}

/// Adds `"zz_unknown": {...}` to the object at `pointer` (JSON pointer), as a future Huawei
/// field would appear.
pub fn with_unknown_field(mut v: Value, pointer: &str) -> Value {
    let obj = v
        .pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {pointer}"));
    obj.insert("zz_unknown".into(), serde_json::json!({"nested": [1, "two", null]}));
    v
}
