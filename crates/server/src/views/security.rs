//! The second factor on "Your account": its state and the forms that change it, the
//! enrolment page (the QR code and the key, shown there only) and the recovery codes (shown
//! once, after enrolling or asking for new ones).

use askama::Template;
use askama_web::WebTemplate;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::AppError;
use crate::i18n::Tr;
use crate::views::layout::Layout;

/// A form that asks for the password and a code, with what was wrong beside each field.
#[derive(Debug, Clone, Default)]
pub struct ConfirmFields {
    pub password_error: Option<String>,
    pub code_error: Option<String>,
}

impl ConfirmFields {
    pub fn has_errors(&self) -> bool {
        self.password_error.is_some() || self.code_error.is_some()
    }
}

/// `/account/second-factor`.
#[derive(Template, WebTemplate)]
#[template(path = "account/second_factor.html")]
pub struct SecondFactorPage {
    pub tr: Tr,
    pub layout: Layout,
    /// When it was turned on, in the reader's zone; `None`: off.
    pub since: Option<String>,
    pub recovery_left: i64,
    pub notice: Option<String>,
    pub problem: Option<String>,
    /// "Team X requires a second factor…", when a team page sent the user here.
    pub required_by: Option<String>,
    pub new_codes: ConfirmFields,
    pub turn_off: ConfirmFields,
    /// The password was typed more than ten minutes ago: setting up asks for it again.
    pub start_asks_password: bool,
    pub start_password_error: Option<String>,
}

/// The enrolment page: scan or type, then confirm with a code.
#[derive(Template, WebTemplate)]
#[template(path = "account/second_factor_enrol.html")]
pub struct EnrolPage {
    pub tr: Tr,
    pub layout: Layout,
    /// An inline `<svg>` of the `otpauth://` link (drawn here, no outside service).
    pub qr_svg: String,
    /// The key in groups of four, for typing.
    pub secret: String,
    pub code_error: Option<String>,
}

/// The recovery codes, once.
#[derive(Template, WebTemplate)]
#[template(path = "account/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub tr: Tr,
    pub layout: Layout,
    pub notice: String,
    pub codes: Vec<String>,
}

/// The key as people copy it: groups of four letters.
pub fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// The QR code of `uri` as an inline SVG element, named by the element `#qr-caption`.
pub fn qr_svg(uri: &str) -> Result<String, AppError> {
    // The link is ~120 bytes; a failure would be a bug, said without the link.
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|_| AppError::internal("the second factor's QR code cannot be drawn"))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(216, 216)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Inline in HTML: no XML prolog; the figure's caption names it for screen readers.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replacen("<svg ", r#"<svg role="img" aria-labelledby="qr-caption" "#, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_inline_svg_with_a_name() {
        let svg = qr_svg("otpauth://totp/Lightdeck:carol?secret=JBSWY3DPEHPK3PXP&issuer=Lightdeck")
            .unwrap();
        assert!(svg.starts_with(r#"<svg role="img" aria-labelledby="qr-caption" xmlns="#), "{svg}");
        assert!(svg.ends_with("</svg>") && !svg.contains("<?xml"));
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
    }
}
