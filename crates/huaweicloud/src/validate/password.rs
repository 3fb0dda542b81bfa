//! ECS `new_password` (BatchResetServersPassword). Messages never contain the password.

use super::FieldError;

const FIELD: &str = "new_password";
const SPECIALS: &str = "!@%-_=+[]:./?";

/// One ECS rule for new server passwords, so a caller can say in its own language which
/// one a password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordRule {
    Required,
    /// 8–26 characters.
    Length,
    /// Only letters, digits and `!@%-_=+[]:./?`.
    Characters,
    /// At least 3 of upper case, lower case, digits and those symbols.
    Kinds,
    /// Not `root` or `Administrator`, forwards or backwards.
    AccountNames,
    /// Not 3 consecutive letters of `Administrator`.
    AdministratorLetters,
}

impl PasswordRule {
    /// In English, for callers without a translation (never contains the password).
    pub fn words(self) -> &'static str {
        match self {
            PasswordRule::Required => "is required",
            PasswordRule::Length => "must be 8 to 26 characters long",
            // Which character is not said: naming it would reveal part of the password.
            PasswordRule::Characters => {
                "has a character that is not allowed (use only A–Z, a–z, 0–9 and ! @ % - _ = + [ ] : . / ?; no spaces)"
            }
            PasswordRule::Kinds => {
                "needs 3 of these 4 kinds: A–Z, a–z, 0–9, and ! @ % - _ = + [ ] : . / ?"
            }
            PasswordRule::AccountNames => {
                "must not contain the account names root or Administrator, forwards or backwards"
            }
            PasswordRule::AdministratorLetters => {
                "must not contain 3 letters in a row from the word Administrator (such as adm or tor)"
            }
        }
    }
}

/// The symbols ECS allows in a new password besides letters and digits.
pub const PASSWORD_SYMBOLS: &str = SPECIALS;

/// Every ECS rule `v` breaks (empty when it may be sent): 8–26 characters of letters,
/// digits and `!@%-_=+[]:./?`; at least 3 of upper case, lower case, digits and those
/// symbols; not containing `root` or `Administrator` forwards or backwards, nor 3
/// consecutive characters of `Administrator` (all case-insensitive).
pub fn broken_password_rules(v: &str) -> Vec<PasswordRule> {
    let mut broken = Vec::new();
    let n = v.chars().count();
    if n == 0 {
        broken.push(PasswordRule::Required);
    } else if !(8..=26).contains(&n) {
        broken.push(PasswordRule::Length);
    }
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)) {
        broken.push(PasswordRule::Characters);
    }
    let classes = [
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| SPECIALS.contains(c)),
    ];
    if n > 0 && classes.iter().filter(|&&has| has).count() < 3 {
        broken.push(PasswordRule::Kinds);
    }
    let lower = v.to_ascii_lowercase();
    if ["root", "toor", "administrator", "rotartsinimda"].iter().any(|w| lower.contains(w)) {
        broken.push(PasswordRule::AccountNames);
    } else if administrator_triples().any(|t| lower.contains(t)) {
        broken.push(PasswordRule::AdministratorLetters);
    }
    broken
}

/// Checks a new server password against the ECS rules ([`broken_password_rules`]).
pub fn new_password(v: &str) -> Result<(), FieldError> {
    let broken = broken_password_rules(v);
    if broken.is_empty() {
        return Ok(());
    }
    let problems: Vec<&str> = broken.iter().map(|r| r.words()).collect();
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
