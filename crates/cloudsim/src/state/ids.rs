//! Generators for ids and credentials in Huawei's real formats.

use base64::Engine;
use rand::Rng;
use rand::rngs::StdRng;
use time::OffsetDateTime;

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn pick(rng: &mut StdRng, alphabet: &[u8], n: usize) -> String {
    (0..n).map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())])).collect()
}

/// `n` lowercase hex digits (instance ids: 24; domain, project, job, request ids: 32).
pub fn hex(rng: &mut StdRng, n: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    pick(rng, HEX, n)
}

pub fn uuid(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string()
}

/// An access key: 20 uppercase letters and digits.
pub fn access_key(rng: &mut StdRng) -> String {
    pick(rng, UPPER_ALNUM, 20)
}

/// A secret key: 40 letters and digits.
pub fn secret_key(rng: &mut StdRng) -> String {
    pick(rng, ALNUM, 40)
}

/// `CS` + `yyMMddHHmm` + 5 uppercase letters/digits, e.g. `CS24022811305H1EW`.
pub fn order_id(rng: &mut StdRng, now: OffsetDateTime) -> String {
    format!(
        "CS{:02}{:02}{:02}{:02}{:02}{}",
        now.year().rem_euclid(100),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        pick(rng, UPPER_ALNUM, 5)
    )
}

/// An opaque token in the look of Keystone's PKI tokens (`MII…`).
pub fn token(rng: &mut StdRng) -> String {
    let bytes: Vec<u8> = (0..180).map(|_| rng.random()).collect();
    format!("MIIsim{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// An IAM password that meets Huawei's complexity rules.
pub fn password(rng: &mut StdRng) -> String {
    format!("Sim-{}{}!", pick(rng, ALNUM, 10), rng.random_range(10..99))
}

/// A product/offering id like `OFFI879567668502900737`.
pub fn offering_id(rng: &mut StdRng) -> String {
    format!("OFFI{}", rng.random_range(100_000_000_000_000_000u64..999_999_999_999_999_999))
}

pub fn mac(rng: &mut StdRng) -> String {
    let b: [u8; 3] = rng.random();
    format!("fa:16:3e:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2])
}
