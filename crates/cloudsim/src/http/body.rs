//! Reading JSON request bodies field by field, so every complaint names the field and what
//! is wrong with it (serde's own messages name neither reliably).

use serde_json::{Map, Value};

/// Parses a body that must be a JSON object.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    if body.is_empty() {
        return Err("the request body is empty; a JSON object is required".to_owned());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the request body must be a JSON object".to_owned()),
        Err(e) => Err(format!("the request body is not valid JSON ({e})")),
    }
}

/// A JSON object with the path that led to it (for messages like `server.name`).
#[derive(Clone, Copy)]
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Obj<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Obj { map, prefix: "" }
    }

    pub fn with_prefix(map: &'a Map<String, Value>, prefix: &'a str) -> Self {
        Obj { map, prefix }
    }

    pub fn field(&self, name: &str) -> String {
        if self.prefix.is_empty() { name.to_owned() } else { format!("{}.{name}", self.prefix) }
    }

    pub fn keys(&self) -> impl Iterator<Item = &'a String> {
        self.map.keys()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The value, with JSON `null` treated as absent.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn wrong(&self, name: &str, want: &str, got: &Value) -> String {
        format!("{}: must be {want}, not {}", self.field(name), kind(got))
    }

    pub fn missing(&self, name: &str) -> String {
        format!("{}: is required", self.field(name))
    }

    pub fn str(&self, name: &str) -> Result<Option<&'a str>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.wrong(name, "a string", v)),
        }
    }

    pub fn req_str(&self, name: &str) -> Result<&'a str, String> {
        self.str(name)?.ok_or_else(|| self.missing(name))
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| format!("{}: must be a whole number", self.field(name))),
            Some(v) => Err(self.wrong(name, "an integer", v)),
        }
    }

    pub fn req_int(&self, name: &str) -> Result<i64, String> {
        self.int(name)?.ok_or_else(|| self.missing(name))
    }

    /// An integer, also accepted as a string of digits (fields the docs type as String
    /// while examples send numbers).
    pub fn int_or_digits(&self, name: &str) -> Result<Option<i64>, String> {
        match self.get(name) {
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| format!("{}: must be a whole number, not {s:?}", self.field(name))),
            _ => self.int(name),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.wrong(name, "true or false", v)),
        }
    }

    pub fn array(&self, name: &str) -> Result<Option<&'a Vec<Value>>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(self.wrong(name, "an array", v)),
        }
    }

    pub fn object(&self, name: &str) -> Result<Option<&'a Map<String, Value>>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(v) => Err(self.wrong(name, "an object", v)),
        }
    }

    /// An array of objects, each read by `read` under its own prefix (`tags[2].key: is
    /// required`).
    pub fn objects<T>(
        &self,
        name: &str,
        read: impl Fn(&Obj<'_>) -> Result<T, String>,
    ) -> Result<Option<Vec<T>>, String> {
        let Some(items) = self.array(name)? else { return Ok(None) };
        let field = self.field(name);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let prefix = format!("{field}[{i}]");
                let m = v.as_object().ok_or_else(|| format!("{prefix}: must be an object"))?;
                read(&Obj::with_prefix(m, &prefix))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// An array of strings, each element checked (`resource_ids[2]: must be a string`).
    pub fn str_array(&self, name: &str) -> Result<Option<Vec<&'a str>>, String> {
        let Some(items) = self.array(name)? else { return Ok(None) };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.as_str()),
                other => {
                    Err(format!("{}[{i}]: must be a string, not {}", self.field(name), kind(other)))
                }
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `servers: [{"id": "…"}, …]` as used by ECS batch operations.
    pub fn server_ids(&self, name: &str) -> Result<Vec<String>, String> {
        let items = self.array(name)?.ok_or_else(|| self.missing(name))?;
        let field = self.field(name);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v.as_object().map(|o| o.get("id")) {
                Some(Some(Value::String(s))) if !s.is_empty() => Ok(s.clone()),
                Some(Some(Value::String(_))) => Err(format!("{field}[{i}].id: must not be empty")),
                Some(None | Some(Value::Null)) => Err(format!("{field}[{i}].id: is required")),
                Some(Some(other)) => {
                    Err(format!("{field}[{i}].id: must be a string, not {}", kind(other)))
                }
                None => {
                    Err(format!("{field}[{i}]: must be an object like {{\"id\": \"<server id>\"}}"))
                }
            })
            .collect()
    }
}

/// Decodes `%XX` escapes of a query component (invalid escapes are kept as they are).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a=1&b=x%20y` → `[("a","1"),("b","x y")]`.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field() {
        let m = parse_object(br#"{"a": 1, "s": {"n": true}, "ids": ["x", 2]}"#).unwrap();
        let o = Obj::new(&m);
        assert_eq!(o.str("a").unwrap_err(), "a: must be a string, not a number");
        assert_eq!(o.req_str("zz").unwrap_err(), "zz: is required");
        let inner = o.object("s").unwrap().unwrap();
        assert_eq!(
            Obj::with_prefix(inner, "s").str("n").unwrap_err(),
            "s.n: must be a string, not a boolean"
        );
        assert_eq!(o.str_array("ids").unwrap_err(), "ids[1]: must be a string, not a number");
        assert!(parse_object(b"[1]").is_err());
        assert!(parse_object(b"{").unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("type=hcss.l-instance&name=a%20b&x"),
            vec![
                ("type".into(), "hcss.l-instance".into()),
                ("name".into(), "a b".into()),
                ("x".into(), "".into())
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
