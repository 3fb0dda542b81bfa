//! The purchase form's fields exactly as sent: raw strings (a value sent twice counts by
//! its last), checkboxes as `yes`, the typed password kept secret. [`super::form`] turns
//! them into a plan.

use lightdeck_huaweicloud::catalog::Os;
use secrecy::SecretString;
use uuid::Uuid;

/// The image select's value for "a private image of yours" (no catalog image has a
/// name with parentheses).
pub const PRIVATE: &str = "(private)";
/// The private image's OS family: its own field, since the image id does not say.
pub const IMAGE_OS: &str = "image_os";
/// The form's steps: `choices` (narrow the lists, the default), `review`, `confirm`.
pub const STEP_REVIEW: &str = "review";
pub const STEP_CONFIRM: &str = "confirm";

/// Every field the purchase form sends. A field sent twice counts by its last value.
/// `Debug` is not derived: it holds a password.
#[derive(Default)]
pub struct Sent {
    pub account: String,
    pub region: String,
    pub image: String,
    pub image_version: String,
    pub image_id: String,
    pub image_os: String,
    pub plan_spec: String,
    pub data_disk_gib: String,
    pub backup_gib: String,
    pub host_security: bool,
    pub period: String,
    pub auto_renew: bool,
    pub auto_pay: bool,
    pub instance_name: String,
    pub description: String,
    pub tags: String,
    pub quantity: String,
    pub idempotency_key: String,
    pub step: String,
    pub current_password: SecretString,
}

impl Sent {
    pub fn parse(body: &[u8]) -> Sent {
        let mut f = Sent::default();
        for (k, v) in form_urlencoded::parse(body) {
            let text = || v.trim().to_owned();
            let yes = v == "yes";
            match k.as_ref() {
                "account" => f.account = text(),
                "region" => f.region = text(),
                "image" => f.image = text(),
                "image_version" => f.image_version = text(),
                "image_id" => f.image_id = text(),
                IMAGE_OS => f.image_os = text(),
                "plan_spec" => f.plan_spec = text(),
                "data_disk_gib" => f.data_disk_gib = text(),
                "backup_gib" => f.backup_gib = text(),
                "host_security" => f.host_security = yes,
                "period" => f.period = text(),
                "auto_renew" => f.auto_renew = yes,
                "auto_pay" => f.auto_pay = yes,
                "instance_name" => f.instance_name = text(),
                "description" => f.description = text(),
                // Lines keep their own spaces; the parser trims each line.
                "tags" => f.tags = v.into_owned(),
                "quantity" => f.quantity = text(),
                "idempotency_key" => f.idempotency_key = text(),
                "step" => f.step = text(),
                "current_password" => f.current_password = SecretString::from(v.into_owned()),
                _ => {}
            }
        }
        f
    }

    /// Whether this is the form's first showing (a round trip always carries its key).
    pub fn is_fresh(&self) -> bool {
        self.idempotency_key.is_empty()
    }

    /// The key to carry on: the one sent when it is one the form made (a UUID), else new.
    pub fn key_or_new(&self) -> String {
        match Uuid::try_parse(&self.idempotency_key) {
            Ok(k) => k.to_string(),
            Err(_) => Uuid::new_v4().to_string(),
        }
    }

    pub fn os(&self) -> Option<Os> {
        match self.image_os.as_str() {
            "" | "linux" => Some(Os::Linux),
            "windows" => Some(Os::Windows),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_value_sent_twice_counts_by_the_last_and_checkboxes_need_yes() {
        let s =
            Sent::parse(b"quantity=1&quantity=+3+&auto_pay=on&host_security=yes&tags=a%3Db%0Ac");
        assert_eq!(s.quantity, "3");
        assert!(!s.auto_pay && s.host_security);
        assert_eq!(s.tags, "a=b\nc");
        assert!(s.is_fresh());
        assert_ne!(s.key_or_new(), "");
    }
}
