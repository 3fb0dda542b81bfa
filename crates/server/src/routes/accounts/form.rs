//! The accounts forms as sent: raw strings in, typed values out, with every field's
//! problem collected at once (in the reader's language) instead of stopping at the first.
//! Secrets stay in [`SecretString`]s and are never written back into a form.

use lightdeck_domain::accounts::{NewAkSk, NewIamUser};
use lightdeck_domain::values::{
    AccessKeyId, AccountName, DomainName, IamPassword, IamUserName, SecretAccessKey,
};
use lightdeck_huaweicloud::Region;
use secrecy::{ExposeSecret, SecretString};

use crate::i18n::Tr;
use crate::views::accounts::CredentialsForm;
use crate::views::instances::region_name;
use crate::views::lifecycle::Choice;

/// Every field any accounts form sends. A field sent twice counts by its last value, except
/// `region`, which is a list.
#[derive(Default)]
pub struct Raw {
    pub name: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    pub iam_account: String,
    pub iam_user: String,
    pub iam_password: SecretString,
    pub regions: Vec<String>,
    pub paused: String,
    pub confirm: String,
}

impl Raw {
    pub fn parse(body: &[u8]) -> Raw {
        let mut raw = Raw::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "name" => raw.name = v.trim().to_owned(),
                "access_key_id" => raw.access_key_id = v.trim().to_owned(),
                "secret_access_key" => raw.secret_access_key = SecretString::from(v.into_owned()),
                "iam_account" => raw.iam_account = v.trim().to_owned(),
                "iam_user" => raw.iam_user = v.trim().to_owned(),
                "iam_password" => raw.iam_password = SecretString::from(v.into_owned()),
                "region" => raw.regions.push(v.trim().to_owned()),
                "paused" => raw.paused = v.trim().to_owned(),
                "confirm" => raw.confirm = v.trim().to_owned(),
                _ => {}
            }
        }
        raw
    }
}

/// Typed credentials, every one of them checked.
pub struct Creds {
    pub aksk: Option<NewAkSk>,
    pub iam: Option<NewIamUser>,
    /// The Huawei account the IAM user belongs to.
    pub iam_account: Option<DomainName>,
}

/// The region checkboxes, checked where `checked` says.
pub fn region_choices(tr: &Tr, checked: &[Region]) -> Vec<Choice> {
    Region::ALL
        .into_iter()
        .map(|r| Choice {
            value: r.id().to_owned(),
            label: format!("{} ({})", region_name(r, tr.lang), r.id()),
            selected: checked.contains(&r),
        })
        .collect()
}

/// Longest text a refused form shows again: enough to correct, never a pasted megabyte.
const REFILL_CHARS: usize = 200;

fn refilled(s: &str) -> String {
    s.chars().take(REFILL_CHARS).collect()
}

/// The form to show again: what was typed, minus the secrets.
pub fn refill(tr: &Tr, raw: &Raw) -> CredentialsForm {
    let checked: Vec<Region> = raw.regions.iter().filter_map(|r| r.parse().ok()).collect();
    CredentialsForm {
        name: refilled(&raw.name),
        access_key_id: refilled(&raw.access_key_id),
        iam_account: refilled(&raw.iam_account),
        iam_user: refilled(&raw.iam_user),
        regions: region_choices(tr, &checked),
        errors: Vec::new(),
        cloud_problem: None,
    }
}

pub fn name(tr: &Tr, raw: &Raw, form: &mut CredentialsForm) -> Option<AccountName> {
    let parsed = AccountName::parse(&raw.name).ok();
    if parsed.is_none() {
        form.errors.push(("name", tr.t("accounts-error-name")));
    }
    parsed
}

/// At least one region, each one the client knows; repeats count once.
pub fn regions(tr: &Tr, raw: &Raw, form: &mut CredentialsForm) -> Option<Vec<Region>> {
    let mut out = Vec::new();
    for r in raw.regions.iter().filter(|r| !r.is_empty()) {
        match r.parse::<Region>() {
            Ok(region) if !out.contains(&region) => out.push(region),
            Ok(_) => {}
            Err(_) => {
                form.errors.push(("region", tr.t("accounts-error-region-unknown")));
                return None;
            }
        }
    }
    if out.is_empty() {
        form.errors.push(("region", tr.t("accounts-error-region-none")));
        return None;
    }
    Some(out)
}

/// The AK/SK when either half is given, the IAM user when any of its three fields is; at
/// least one of the two.
pub fn credentials(tr: &Tr, raw: &Raw, form: &mut CredentialsForm) -> Option<Creds> {
    let errors_before = form.errors.len();
    let sk = raw.secret_access_key.expose_secret();
    let pw = raw.iam_password.expose_secret();
    let aksk_given = !raw.access_key_id.is_empty() || !sk.is_empty();
    let iam_given = !raw.iam_account.is_empty() || !raw.iam_user.is_empty() || !pw.is_empty();
    if !aksk_given && !iam_given {
        form.errors.push(("access_key_id", tr.t("accounts-error-credentials-none")));
        return None;
    }
    let mut aksk = None;
    if aksk_given {
        let ak = AccessKeyId::parse(&raw.access_key_id);
        if ak.is_err() {
            form.errors.push(("access_key_id", tr.t("accounts-error-ak")));
        }
        let sk = SecretAccessKey::parse(sk);
        if sk.is_err() {
            form.errors.push(("secret_access_key", tr.t("accounts-error-sk")));
        }
        if let (Ok(access_key_id), Ok(secret_access_key)) = (ak, sk) {
            aksk = Some(NewAkSk { access_key_id, secret_access_key });
        }
    }
    let (mut iam, mut iam_account) = (None, None);
    if iam_given {
        let account = DomainName::parse(&raw.iam_account);
        if account.is_err() {
            form.errors.push(("iam_account", tr.t("accounts-error-iam-account")));
        }
        let user = IamUserName::parse(&raw.iam_user);
        if user.is_err() {
            form.errors.push(("iam_user", tr.t("accounts-error-iam-user")));
        }
        let password = IamPassword::parse(pw);
        if password.is_err() {
            form.errors.push(("iam_password", tr.t("accounts-error-iam-password")));
        }
        if let (Ok(account), Ok(user_name), Ok(password)) = (account, user, password) {
            iam = Some(NewIamUser { user_name, password });
            iam_account = Some(account);
        }
    }
    (form.errors.len() == errors_before).then_some(Creds { aksk, iam, iam_account })
}
