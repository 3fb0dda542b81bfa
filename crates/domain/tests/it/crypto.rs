//! Sealing secrets, master keys and the key file; and that no secret-holding type shows its
//! secret in Debug output.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use lightdeck_domain::Error;
use lightdeck_domain::accounts::{NewAccount, NewAkSk, NewIamUser};
use lightdeck_domain::crypto::{Keyring, MasterKey, binding, load_or_create_key_file};
use lightdeck_domain::users::NewUser;
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DisplayName, DomainName, IamPassword, IamUserName, Language,
    LoginName, Password, SecretAccessKey,
};
use secrecy::ExposeSecret;
use uuid::Uuid;

const SK: &str = "Qm9vZ2llV29vZ2llQm9vZ2llV29vZ2llQm9vZ2ll";

fn crypto_message(e: Error) -> String {
    match e {
        Error::Crypto(m) => m,
        other => panic!("expected a crypto error, got {other:?}"),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ld-crypto-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn sealed_secrets_open_only_in_their_own_place() {
    let ring = Keyring::new(MasterKey::generate());
    let row = Uuid::new_v4();
    let place = binding("cloud_accounts", row, "secret_key");
    let sealed = ring.seal(SK, &place).unwrap();
    assert_eq!(sealed.key_id, ring.current_id());
    assert!(!sealed.data.windows(SK.len()).any(|w| w == SK.as_bytes()));
    assert_eq!(ring.open(&sealed, &place).unwrap().expose_secret(), SK);

    // A fresh 96-bit nonce each time: the same secret never seals the same way twice.
    assert_ne!(ring.seal(SK, &place).unwrap().data[..12], sealed.data[..12]);

    for wrong_place in [
        binding("cloud_accounts", Uuid::new_v4(), "secret_key"),
        binding("cloud_accounts", row, "iam_password"),
    ] {
        crypto_message(ring.open(&sealed, &wrong_place).unwrap_err());
    }
    let mut tampered = sealed.clone();
    let last = tampered.data.len() - 1;
    tampered.data[last] ^= 1;
    crypto_message(ring.open(&tampered, &place).unwrap_err());
    let mut truncated = sealed.clone();
    truncated.data.truncate(5);
    crypto_message(ring.open(&truncated, &place).unwrap_err());
}

#[test]
fn a_keyring_without_the_key_says_which_key_is_missing() {
    let place = binding("cloud_accounts", Uuid::new_v4(), "secret_key");
    let old = MasterKey::generate();
    let sealed = Keyring::new(old.clone()).seal(SK, &place).unwrap();
    let message =
        crypto_message(Keyring::new(MasterKey::generate()).open(&sealed, &place).unwrap_err());
    assert!(
        message.contains(old.id()) && message.contains("LIGHTDECK_OLD_MASTER_KEYS"),
        "{message}"
    );

    // After rotation the old key still opens, and the new one seals.
    let rotated = Keyring::new(MasterKey::generate()).with_old_key(old);
    assert_eq!(rotated.open(&sealed, &place).unwrap().expose_secret(), SK);
    assert!(!rotated.is_current(&sealed));
    assert!(rotated.is_current(&rotated.seal(SK, &place).unwrap()));
}

#[test]
fn master_keys_parse_from_base64_without_echoing_the_input() {
    let key = MasterKey::generate();
    let text = key.to_base64();
    let parsed = MasterKey::from_base64(text.expose_secret(), "LIGHTDECK_MASTER_KEY").unwrap();
    assert_eq!(parsed.id(), key.id());
    assert_eq!(key.id().len(), 8);

    let short = "c2hvcnQta2V5LXNlY3JldA=="; // 16 bytes
    let message =
        crypto_message(MasterKey::from_base64(short, "LIGHTDECK_MASTER_KEY").unwrap_err());
    assert!(message.contains("LIGHTDECK_MASTER_KEY") && message.contains("16 bytes"), "{message}");
    assert!(!message.contains(short));

    let garbage = "not base64 at all: secret!";
    let message =
        crypto_message(MasterKey::from_base64(garbage, "LIGHTDECK_MASTER_KEY").unwrap_err());
    assert!(message.contains("not valid base64") && !message.contains(garbage), "{message}");
}

#[test]
fn the_key_file_is_created_private_and_read_back() {
    let dir = scratch("keyfile");
    let path = dir.join("nested").join("master.key");
    let created = load_or_create_key_file(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(load_or_create_key_file(&path).unwrap().id(), created.id());

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let message = crypto_message(load_or_create_key_file(&path).unwrap_err());
    assert!(message.contains("chmod 600"), "{message}");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&path, "AAAA\n").unwrap();
    let message = crypto_message(load_or_create_key_file(&path).unwrap_err());
    assert!(message.contains("key file") && message.contains("3 bytes"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn debug_output_never_shows_a_secret() {
    let key = MasterKey::generate();
    let key_text = key.to_base64().expose_secret().to_owned();
    let ring = Keyring::new(key.clone()).with_old_key(MasterKey::generate());
    let sealed = ring.seal(SK, b"x").unwrap();
    let password = "user password 123";
    let iam_password = "iam-password-456";
    let aksk = NewAkSk {
        access_key_id: AccessKeyId::parse("HPUABCDEFGHIJKLMNOPQ").unwrap(),
        secret_access_key: SecretAccessKey::parse(SK).unwrap(),
    };
    let iam = NewIamUser {
        user_name: IamUserName::parse("ops").unwrap(),
        password: IamPassword::parse(iam_password).unwrap(),
    };
    let account = NewAccount {
        name: AccountName::parse("Production").unwrap(),
        domain_name: DomainName::parse("acme").unwrap(),
        domain_id: None,
        aksk: Some(aksk.clone()),
        iam_user: Some(iam.clone()),
        regions: vec![],
    };
    let user = NewUser {
        login: LoginName::parse("alice").unwrap(),
        display_name: DisplayName::parse("Alice").unwrap(),
        password: Password::parse(password).unwrap(),
        site_admin: false,
        language: Language::En,
    };
    let shown = format!(
        "{key:?} {ring:?} {sealed:?} {aksk:?} {iam:?} {account:?} {user:?} {:?} {:?} {:?} {:#?}",
        Password::parse(password).unwrap(),
        SecretAccessKey::parse(SK).unwrap(),
        IamPassword::parse(iam_password).unwrap(),
        account,
    );
    for secret in [key_text.as_str(), SK, password, iam_password] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
    assert!(shown.contains("HPUABCDEFGHIJKLMNOPQ") && shown.contains(key.id()));
}
