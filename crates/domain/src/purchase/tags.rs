//! The tags a person puts on the instances they buy: one `key=value` per line, Huawei's
//! key rule, the panel's own purchase tag reserved. Problems are typed ([`TagProblem`]) so a
//! page can word them in its reader's language, and worded in English for everyone else.

use std::fmt;

use lightdeck_huaweicloud::model::hcss::PURCHASE_TAG_KEY;

use super::values::{field, follows_name_rule};
use crate::{Error, Result};

/// What is wrong with one line of the tags, or with the list as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagProblem {
    /// Nothing before the `=`.
    KeyEmpty {
        line: usize,
    },
    /// The key breaks Huawei's rule (1–32 characters, name characters, starts with a letter).
    KeyRules {
        line: usize,
    },
    /// The key is the panel's own purchase tag.
    Reserved {
        line: usize,
    },
    Twice {
        line: usize,
        key: String,
    },
    ValueLong {
        line: usize,
    },
    ValueControl {
        line: usize,
    },
    /// More than [`UserTags::MAX`] tags.
    TooMany {
        count: usize,
    },
}

impl TagProblem {
    /// The line it is on (1 for the first), when it is about one line.
    pub fn line(&self) -> Option<usize> {
        match self {
            TagProblem::KeyEmpty { line }
            | TagProblem::KeyRules { line }
            | TagProblem::Reserved { line }
            | TagProblem::Twice { line, .. }
            | TagProblem::ValueLong { line }
            | TagProblem::ValueControl { line } => Some(*line),
            TagProblem::TooMany { .. } => None,
        }
    }
}

impl fmt::Display for TagProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line() {
            write!(f, "line {line}: ")?;
        }
        match self {
            TagProblem::KeyEmpty { .. } => f.write_str("the key before “=” is empty"),
            TagProblem::KeyRules { .. } => f.write_str(
                "a key has 1 to 32 Chinese characters, letters, digits, “_” or “-” and starts \
                 with a Chinese character or a letter",
            ),
            TagProblem::Reserved { .. } => {
                write!(f, "“{PURCHASE_TAG_KEY}” is the panel's own tag")
            }
            TagProblem::Twice { key, .. } => write!(f, "the key “{key}” is given twice"),
            TagProblem::ValueLong { .. } => f.write_str("a value has at most 255 characters"),
            TagProblem::ValueControl { .. } => {
                f.write_str("a value must not contain control characters")
            }
            TagProblem::TooMany { count } => {
                write!(f, "at most {} tags (there are {count})", UserTags::MAX)
            }
        }
    }
}

/// The tags a person adds to the instances, besides the panel's own purchase tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct UserTags(Vec<(String, String)>);

impl UserTags {
    /// Huawei resources hold at most 10 tags; the panel's purchase tag takes one.
    pub const MAX: usize = 9;
    pub const KEY_MAX: usize = 32;
    /// The seed allows 2048, but Huawei's tag service caps values at 255 for the resources
    /// a purchase creates (ECS, EVS); a value it would refuse later is refused here first.
    pub const VALUE_MAX: usize = 255;

    /// One tag per line, `key=value` (or just `key` for an empty value); blank lines are
    /// skipped. Every problem names its line.
    pub fn parse(text: &str) -> Result<UserTags> {
        UserTags::check(text).map_err(|problems| {
            let words: Vec<String> = problems.iter().map(TagProblem::to_string).collect();
            Error::field(field::TAGS, words.join("; "))
        })
    }

    /// [`UserTags::parse`] with its problems typed, for a page that words them itself.
    pub fn check(text: &str) -> std::result::Result<UserTags, Vec<TagProblem>> {
        let mut tags: Vec<(String, String)> = Vec::new();
        let mut problems = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (key, value) = match line.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim()),
                None => (line, ""),
            };
            match Self::problem(i + 1, key, value, &tags) {
                Some(problem) => problems.push(problem),
                None => tags.push((key.to_owned(), value.to_owned())),
            }
        }
        if tags.len() > Self::MAX {
            problems.push(TagProblem::TooMany { count: tags.len() });
        }
        if problems.is_empty() { Ok(UserTags(tags)) } else { Err(problems) }
    }

    fn problem(
        line: usize,
        key: &str,
        value: &str,
        before: &[(String, String)],
    ) -> Option<TagProblem> {
        Some(if key.is_empty() {
            TagProblem::KeyEmpty { line }
        } else if key.chars().count() > Self::KEY_MAX || !follows_name_rule(key) {
            TagProblem::KeyRules { line }
        } else if key == PURCHASE_TAG_KEY {
            TagProblem::Reserved { line }
        } else if before.iter().any(|(k, _)| k == key) {
            TagProblem::Twice { line, key: key.to_owned() }
        } else if value.chars().count() > Self::VALUE_MAX {
            TagProblem::ValueLong { line }
        } else if value.chars().any(char::is_control) {
            TagProblem::ValueControl { line }
        } else {
            return None;
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// One `key=value` per line, as [`UserTags::parse`] reads it.
    pub fn to_text(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::purchase::tests::field_of;

    #[test]
    fn tags_are_lines_of_key_value_and_the_panels_key_is_reserved() {
        let tags = UserTags::parse("env=prod\n\n team = shop \nowner").unwrap();
        let got: Vec<(&str, &str)> = tags.iter().collect();
        assert_eq!(got, [("env", "prod"), ("team", "shop"), ("owner", "")]);
        assert_eq!(UserTags::parse(&tags.to_text()).unwrap(), tags);
        for bad in [
            "=x",
            "1env=x",
            "lightdeck-purchase=x",
            "env=a\nenv=b",
            &format!("k={}", "v".repeat(256)),
            "k=a\u{7}",
        ] {
            assert_eq!(field_of(UserTags::parse(bad).unwrap_err()), "tags", "{bad}");
        }
        let ten: String = (0..10).map(|i| format!("k{i}=v\n")).collect();
        assert!(UserTags::parse(&ten).is_err());
        let Error::Invalid(errs) = UserTags::parse("ok=1\n9bad=x").unwrap_err() else { panic!() };
        assert!(errs.0[0].message.starts_with("line 2:"), "{}", errs.0[0].message);
    }
}
