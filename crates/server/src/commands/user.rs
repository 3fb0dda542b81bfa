//! `lightdeck user add`, `passwd`, `disable`, `enable` and `reset-second-factor`: the site
//! administrators' domain functions, so each is in the site audit log as done by "command
//! line on HOST".

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, bail};
use lightdeck_domain::second_factor;
use lightdeck_domain::site::{self, SiteActor};
use lightdeck_domain::users::{self, NewUser};
use lightdeck_domain::values::{DisplayName, Language, LoginName, Password};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

use super::{connect, read_stdin_line};
use crate::cli::{PasswordSource, UserAddArgs, UserLoginArgs, UserPasswdArgs};

pub async fn add(args: UserAddArgs) -> anyhow::Result<ExitCode> {
    let login = LoginName::parse(&args.login)?;
    let display_name = DisplayName::parse(args.display_name.as_deref().unwrap_or(&args.login))?;
    let language = Language::parse(&args.language)?;
    let (password, generated) = obtain_password(&args.password, login.as_str())?;
    let pool = connect(&args.db).await?;
    let new = NewUser { login, display_name, password, site_admin: args.site_admin, language };
    let user = site::add_user_with_password(&pool, new, &actor()).await?;
    println!(
        "created user {}{}",
        user.login,
        if user.site_admin { " (site administrator)" } else { "" }
    );
    if let Some(p) = generated {
        println!("password: {}", p.expose_secret());
        println!("(shown once; it is stored only as a hash)");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn passwd(args: UserPasswdArgs) -> anyhow::Result<ExitCode> {
    let pool = connect(&args.db).await?;
    let Some(user) = users::find_by_login(&pool, &args.login).await? else {
        bail!("there is no user with the login {:?}", args.login.trim());
    };
    let (password, generated) = obtain_password(&args.password, &user.login)?;
    site::set_password(&pool, user.id, &password, &actor()).await?;
    println!("changed the password of {}", user.login);
    if let Some(p) = generated {
        println!("password: {}", p.expose_secret());
        println!("(shown once; it is stored only as a hash)");
    }
    Ok(ExitCode::SUCCESS)
}

/// `lightdeck user disable` / `enable`, with the site administration page's rules (never
/// the last enabled site administrator) and its audit event.
pub async fn set_disabled(args: UserLoginArgs, disabled: bool) -> anyhow::Result<ExitCode> {
    let pool = connect(&args.db).await?;
    let Some(user) = users::find_by_login(&pool, &args.login).await? else {
        bail!("there is no user with the login {:?}", args.login.trim());
    };
    let now = time::OffsetDateTime::now_utc();
    site::set_disabled(&pool, user.id, disabled, &actor(), now).await?;
    if disabled {
        println!("disabled {}: their sessions have ended and they cannot sign in", user.login);
    } else {
        println!("enabled {}: they can sign in again", user.login);
    }
    Ok(ExitCode::SUCCESS)
}

/// `lightdeck user reset-second-factor`: the users page's reset, for anyone — a site
/// administrator who lost their phone and recovery codes included, whom no one can reset on
/// the page (no administrator resets their own). Ends the user's sessions when one was on.
pub async fn reset_second_factor(args: UserLoginArgs) -> anyhow::Result<ExitCode> {
    let pool = connect(&args.db).await?;
    let Some(user) = users::find_by_login(&pool, &args.login).await? else {
        bail!("there is no user with the login {:?}", args.login.trim());
    };
    if second_factor::reset(&pool, user.id, &actor()).await? {
        println!(
            "removed the second factor of {}: their sessions have ended; they sign in with \
             their password and can set up a new one",
            user.login
        );
    } else {
        println!("{} had no second factor; nothing changed", user.login);
    }
    Ok(ExitCode::SUCCESS)
}

/// The site audit log names the machine the command ran on.
fn actor() -> SiteActor {
    SiteActor::command_line(super::cli_actor())
}

/// The password, and the same again when it was generated (to be printed once).
fn obtain_password(
    source: &PasswordSource,
    login: &str,
) -> anyhow::Result<(Password, Option<SecretString>)> {
    if source.generate_password {
        let text = generate_password();
        return Ok((Password::parse(text.expose_secret())?, Some(text)));
    }
    let text =
        if source.password_stdin { read_stdin_line("password")? } else { prompt_password(login)? };
    Ok((Password::parse(text.expose_secret())?, None))
}

fn prompt_password(login: &str) -> anyhow::Result<SecretString> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "no terminal to ask for the password: pass --password-stdin (and pipe the password \
             in) or --generate-password"
        );
    }
    let first = rpassword::prompt_password(format!("Password for {login}: "))
        .context("reading the password")?;
    Password::parse(&first)?;
    let second = rpassword::prompt_password("Repeat it: ").context("reading the password")?;
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(SecretString::from(first))
}

/// 20 characters from an alphabet without look-alikes (about 113 bits).
pub fn generate_password() -> SecretString {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let text: String =
        (0..20).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
    SecretString::from(text)
}
