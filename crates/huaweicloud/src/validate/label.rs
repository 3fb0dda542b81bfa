//! Plain-word names for the request fields the checks report, so that a message reads
//! "number of months or years" rather than `period_num`.
//!
//! Only Huawei's own, unambiguous names are translated: other crates put their fields
//! (`name`, `limit`, `region`) into the same `FieldErrors`, and a guess such as "server
//! name" would be wrong there, so those keep their key.

/// The plain name of `field`; a field without one is returned as it is.
pub(super) fn plain(field: &str) -> String {
    if let Some((list, index, part)) = list_item(field) {
        let n = index.saturating_add(1);
        return match (list, part) {
            ("extra_resources", "type") => format!("kind of extra resource {n}"),
            ("extra_resources", "size") => format!("size of extra resource {n}"),
            ("tags", "key") => format!("key of tag {n}"),
            ("tags", "value") => format!("value of tag {n}"),
            _ => field.to_owned(),
        };
    }
    let plain = match field {
        "instance_name" => "instance name",
        "plan_spec" => "plan",
        "charging_mode" => "billing mode",
        "period_type" => "billing period (month or year)",
        "period_num" => "number of months or years",
        "purchase_quantity" => "number of instances",
        "image_ref" => "image",
        "image_ref.image_name" => "image",
        "image_ref.image_version" => "image version",
        "image_ref.image_id" => "private image id",
        "Client-Request-Id" => "purchase request id",
        "new_password" => "new password",
        "hostname" => "host name",
        other => other,
    };
    plain.to_owned()
}

/// `extra_resources[1].size` → `("extra_resources", 1, "size")`.
fn list_item(field: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = field.split_once('[')?;
    let (index, part) = rest.split_once("].")?;
    Some((list, index.parse().ok()?, part))
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn fields_read_as_plain_words() {
        assert_eq!(plain("period_num"), "number of months or years");
        assert_eq!(plain("extra_resources[1].size"), "size of extra resource 2");
        assert_eq!(plain("tags[0].key"), "key of tag 1");
        assert_eq!(plain("image_ref.image_version"), "image version");
        assert_eq!(plain("something_else"), "something_else");
        assert_eq!(plain("name"), "name", "generic keys of other crates stay as they are");
        assert_eq!(plain("tags[x].key"), "tags[x].key");
    }
}
