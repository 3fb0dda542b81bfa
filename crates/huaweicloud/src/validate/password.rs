//! ECS `new_password` (BatchResetServersPassword). Messages never contain the password.

use super::FieldError;

const FIELD: &str = "new_password";
const SPECIALS: &str = "!@%-_=+[]:./?";

/// Checks a new server password against the ECS rules: 8–26 characters of letters, digits
/// and `!@%-_=+[]:./?`; at least 3 of upper case, lower case, digits and those symbols; not
/// containing `root` or `Administrator` forwards or backwards, nor 3 consecutive characters
/// of `Administrator` (all case-insensitive).
pub fn new_password(v: &str) -> Result<(), FieldError> {
    let mut problems: Vec<&str> = Vec::new();
    let n = v.chars().count();
    if n == 0 {
        problems.push("is required");
    } else if !(8..=26).contains(&n) {
        problems.push("must be 8 to 26 characters long");
    }
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)) {
        // Which character is not said: naming it would reveal part of the password.
        problems.push(
            "has a character that is not allowed (use only A–Z, a–z, 0–9 and ! @ % - _ = + [ ] : . / ?; no spaces)",
        );
    }
    let classes = [
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| SPECIALS.contains(c)),
    ];
    if n > 0 && classes.iter().filter(|&&has| has).count() < 3 {
        problems.push("needs 3 of these 4 kinds: A–Z, a–z, 0–9, and ! @ % - _ = + [ ] : . / ?");
    }
    let lower = v.to_ascii_lowercase();
    if ["root", "toor", "administrator", "rotartsinimda"].iter().any(|w| lower.contains(w)) {
        problems.push(
            "must not contain the account names root or Administrator, forwards or backwards",
        );
    } else if administrator_triples().any(|t| lower.contains(t)) {
        problems.push(
            "must not contain 3 letters in a row from the word Administrator (such as adm or tor)",
        );
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(FieldError::new(FIELD, without_echo(v, problems.join("; "))))
}

/// "adm", "dmi", …, "tor".
fn administrator_triples() -> impl Iterator<Item = &'static str> {
    const WORD: &str = "administrator";
    (0..=WORD.len() - 3).map(|i| &WORD[i..i + 3])
}

/// A password could happen to spell part of a message; then say less rather than repeat it.
/// The two fallbacks share no four-character run, so one of them never contains a password
/// of four or more characters.
fn without_echo(password: &str, message: String) -> String {
    const FALLBACK_A: &str = "breaks the rules for new passwords";
    const FALLBACK_B: &str = "is not allowed";
    if password.chars().count() < 4 || !message.contains(password) {
        message
    } else if !FALLBACK_A.contains(password) {
        FALLBACK_A.to_owned()
    } else {
        FALLBACK_B.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_spelling_the_message_is_not_echoed() {
        let pw = "needs 3 of these 4 kinds";
        let err = new_password(pw).unwrap_err();
        assert!(!err.message.contains(pw), "{}", err.message);
    }

    #[test]
    fn fallbacks_share_no_four_character_run() {
        let a: Vec<char> = "breaks the rules for new passwords".chars().collect();
        for w in a.windows(4) {
            let run: String = w.iter().collect();
            assert!(!"is not allowed".contains(&run), "{run}");
        }
    }
}
