//! Character rules shared by the field checks. Lengths count characters (what Huawei's
//! consoles count), never bytes.

/// The "中文" of Huawei's rules: CJK Unified Ideographs.
pub(super) fn is_chinese(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// "大小写英文": ASCII letters only.
pub(super) fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
}

pub(super) fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// "must be 1 to 128 characters long (it has 130)", or `None` when the length fits.
pub(super) fn length_problem(s: &str, min: usize, max: usize) -> Option<String> {
    let n = char_count(s);
    if (min..=max).contains(&n) {
        return None;
    }
    Some(if n == 0 {
        "is required".to_owned()
    } else if min == 0 {
        format!("must be at most {max} characters long (it has {n})")
    } else {
        format!("must be {min} to {max} characters long (it has {n})")
    })
}

/// Names a character in a message so that spaces and invisible characters are visible.
pub(super) fn show_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        c if c.is_control() || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
        c => format!("“{c}”"),
    }
}

/// The first character not accepted by `allowed`, named for a message.
pub(super) fn first_bad_char(s: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    s.chars().find(|&c| !allowed(c)).map(show_char)
}

/// The rule Huawei uses for instance names and tag keys: Chinese, letters, digits, `_`, `-`,
/// starting with Chinese or a letter.
pub(super) fn name_problems(s: &str, min: usize, max: usize) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(p) = length_problem(s, min, max) {
        problems.push(p);
    }
    let allowed =
        |c: char| is_chinese(c) || is_letter(c) || c.is_ascii_digit() || c == '_' || c == '-';
    if let Some(bad) = first_bad_char(s, allowed) {
        problems.push(format!(
            "may only contain Chinese characters, letters, digits, “_” and “-” (found {bad})"
        ));
    }
    if s.chars().next().is_some_and(|c| !(is_chinese(c) || is_letter(c))) {
        problems.push("must start with a Chinese character or a letter".to_owned());
    }
    problems
}

/// Several problems with one field, as one sentence for the form.
pub(super) fn join(problems: Vec<String>) -> Option<String> {
    if problems.is_empty() { None } else { Some(problems.join("; ")) }
}
