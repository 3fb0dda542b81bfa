//! ECS UpdateServer fields (`PUT /v1/{project_id}/cloudservers/{server_id}`): rename,
//! description and hostname.

use super::FieldError;
use super::text::{first_bad_char, is_chinese, is_letter, join, length_problem};

fn result(field: &str, problems: Vec<String>) -> Result<(), FieldError> {
    match join(problems) {
        None => Ok(()),
        Some(message) => Err(FieldError::new(field, message)),
    }
}

/// The server `name`: 1–64 Chinese characters, letters, digits, `_`, `-` or `.`.
pub fn server_name(v: &str) -> Result<(), FieldError> {
    let mut problems: Vec<String> = length_problem(v, 1, 64).into_iter().collect();
    let allowed = |c: char| {
        is_chinese(c) || is_letter(c) || c.is_ascii_digit() || matches!(c, '_' | '-' | '.')
    };
    if let Some(bad) = first_bad_char(v, allowed) {
        problems.push(format!(
            "may only contain Chinese characters, letters, digits, “_”, “-” and “.” (found {bad})"
        ));
    }
    result("name", problems)
}

/// The server `description`: at most 85 characters, without `<` or `>`.
pub fn server_description(v: &str) -> Result<(), FieldError> {
    let mut problems: Vec<String> = length_problem(v, 0, 85).into_iter().collect();
    if v.contains(['<', '>']) {
        problems.push("must not contain “<” or “>”".to_owned());
    }
    result("description", problems)
}

/// The guest `hostname`: 1–64 characters in dot-separated labels of letters, digits and `-`;
/// no leading, trailing or doubled `.`/`-`, and no `.-` or `-.`.
pub fn hostname(v: &str) -> Result<(), FieldError> {
    let mut problems: Vec<String> = length_problem(v, 1, 64).into_iter().collect();
    if let Some(bad) = first_bad_char(v, |c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        problems.push(format!("may only contain letters, digits, “-” and “.” (found {bad})"));
    }
    let edge = |c: char| c == '.' || c == '-';
    if v.starts_with(edge) || v.ends_with(edge) {
        problems.push("must not start or end with “.” or “-”".to_owned());
    }
    if let Some(pair) = ["..", "--", ".-", "-."].into_iter().find(|p| v.contains(p)) {
        problems.push(format!("must not contain “{pair}” (no “.” or “-” next to each other)"));
    }
    result("hostname", problems)
}
