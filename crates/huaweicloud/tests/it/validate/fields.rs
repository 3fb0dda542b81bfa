//! Single-field checks: Client-Request-Id, new_password, server name, description, hostname.

use super::*;

#[test]
fn client_request_id_boundaries() {
    let uuid = "85a56f6c-8aee-4b2d-bf76-5d98d1ac023d";
    assert_eq!(uuid.len(), 36);
    validate::client_request_id(uuid).unwrap();
    validate::client_request_id(&"A".repeat(128)).unwrap();
    validate::client_request_id(&format!("9{}", "-".repeat(35))).unwrap();
    for bad in [
        &uuid[..35],
        &"a".repeat(129),
        &format!("-{}", &uuid[1..]),
        &format!("{}_", &uuid[..35]),
        &format!("{} ", &uuid[..35]),
        "",
    ] {
        let err = validate::client_request_id(bad).unwrap_err();
        assert_eq!(err.field, "Client-Request-Id", "{bad:?}");
    }
    let err = validate::client_request_id(&uuid[..35]).unwrap_err();
    assert_eq!(err.message, "must be 36 to 128 characters long (it has 35)");
}

#[test]
fn password_accepts_documented_shapes() {
    for ok in [
        "Passw0rd",                   // 8, three kinds
        "password@123",               // the seed's example: lower, digit, symbol
        "Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa", // 26
        "ABCDEFG1!",                  // upper, digit, symbol
        "Xy7[]:./?=+",
        "Kz-8_q%Ww@",
    ] {
        assert_eq!(validate::new_password(ok), Ok(()), "{ok}");
    }
}

#[test]
fn password_rejections_name_the_field_and_never_echo_it() {
    let cases = [
        ("Pass0r!", "8 to 26"),                     // 7
        ("Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1", "8 to 26"), // 27
        ("password", "3 of these 4 kinds"),
        ("PASSWORD12", "3 of these 4 kinds"),
        ("Pass word1", "not allowed"),
        ("Pass#word1", "not allowed"),
        ("Pass$word1", "not allowed"),
        ("Pass,word1", "not allowed"),
        ("Pass\\word1", "not allowed"),
        ("密码Password1", "not allowed"),
        ("Password1！", "not allowed"),
        ("Password1（", "not allowed"),
        ("MyRoot!2024", "root or Administrator"),
        ("myTOOR!2024", "root or Administrator"),
        ("Administrator1!", "root or Administrator"),
        ("x1!rotartsinimdA", "root or Administrator"),
        ("Xadm1n!2024", "3 letters in a row"),
        ("Str0ng!pass", "3 letters in a row"), // "str"
        ("Tor-Pass99", "3 letters in a row"),  // "tor", case-insensitive
        ("", "is required"),
    ];
    for (pw, want) in cases {
        let err = validate::new_password(pw).unwrap_err();
        assert_eq!(err.field, "new_password", "{pw}");
        assert!(err.message.contains(want), "{pw}: {}", err.message);
        if !pw.is_empty() {
            assert!(!err.message.contains(pw), "{pw} echoed in {}", err.message);
            // Display adds only the field's names (plain and Huawei's) to the message.
            assert_eq!(err.to_string(), format!("new password (new_password): {}", err.message));
        }
    }
    // Several problems are reported together.
    let err = validate::new_password("Root").unwrap_err();
    assert!(
        err.message.contains("8 to 26")
            && err.message.contains("3 of these")
            && err.message.contains("root")
    );
}

#[test]
fn server_name_boundaries() {
    for ok in ["a", "1", "web.01", "服务器_01-a", &"n".repeat(64), &"名".repeat(64)] {
        assert_eq!(validate::server_name(ok), Ok(()), "{ok}");
    }
    for bad in ["", "web 01", "web/01", "web@01", &"n".repeat(65), &"名".repeat(65)] {
        let err = validate::server_name(bad).unwrap_err();
        assert_eq!(err.field, "name", "{bad:?}");
    }
    assert_eq!(
        validate::server_name(&"n".repeat(65)).unwrap_err().message,
        "must be 1 to 64 characters long (it has 65)"
    );
}

#[test]
fn server_description_boundaries() {
    for ok in ["", "a web server", &"描".repeat(85)] {
        assert_eq!(validate::server_description(ok), Ok(()));
    }
    for bad in [&"描".repeat(86), "<script>", "a > b"] {
        assert_eq!(validate::server_description(bad).unwrap_err().field, "description");
    }
}

#[test]
fn hostname_rules() {
    for ok in ["NameA", "a", "web-01.example", "a.b.c", "1host", &"h".repeat(64)] {
        assert_eq!(validate::hostname(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        &"h".repeat(65),
        ".host",
        "host.",
        "-host",
        "host-",
        "a..b",
        "a--b",
        "a.-b",
        "a-.b",
        "host_name",
        "host name",
        "主机",
    ] {
        let err = validate::hostname(bad).unwrap_err();
        assert_eq!(err.field, "hostname", "{bad:?}");
    }
    assert!(validate::hostname("a--b").unwrap_err().message.contains("“--”"));
}

proptest! {
    #[test]
    fn valid_instance_names_pass(name in "[a-zA-Z\u{4e00}-\u{9fff}][a-zA-Z0-9_\u{4e00}-\u{9fff}-]{0,127}") {
        let req = with(|r| r.instance_name = name);
        prop_assert!(validate::purchase(&req).is_ok());
    }

    #[test]
    fn a_forbidden_char_in_an_instance_name_fails(
        head in "[a-z]{1,20}",
        bad in "[ !@#$%^&*().,;:'\"<>/?\\\\|~`+=é\u{3000}\u{ff01}]",
        tail in "[a-z0-9]{0,20}",
    ) {
        let req = with(|r| r.instance_name = format!("{head}{bad}{tail}"));
        let err = validate::purchase(&req).unwrap_err();
        prop_assert!(err.get("instance_name").is_some());
    }

    #[test]
    fn valid_server_names_and_hostnames_pass(
        name in "[a-zA-Z0-9_.\u{4e00}-\u{9fff}-]{1,64}",
        labels in proptest::collection::vec("[a-zA-Z0-9]([a-zA-Z0-9]|-[a-zA-Z0-9]){0,4}", 1..6),
    ) {
        prop_assert!(validate::server_name(&name).is_ok());
        prop_assert!(validate::hostname(&labels.join(".")).is_ok());
    }

    #[test]
    fn a_forbidden_char_in_a_password_fails(
        head in "[A-Z][a-z][0-9]![a-zA-Z0-9]{0,10}",
        bad in "[ ~`#&^,{}*();\"'<>|\\\\$\u{4e00}-\u{9fff}【】：；“”‘’、，。《》？￥…（）—·！]",
    ) {
        let pw = format!("{head}{bad}");
        let err = validate::new_password(&pw).unwrap_err();
        prop_assert!(err.message.contains("not allowed"));
        prop_assert!(!err.message.contains(&pw));
    }

    #[test]
    fn a_password_is_never_echoed(pw in "\\PC{4,40}") {
        if let Err(err) = validate::new_password(&pw) {
            prop_assert!(!err.message.contains(&pw));
        }
    }

    #[test]
    fn valid_client_request_ids_pass(id in "[a-zA-Z0-9][a-zA-Z0-9-]{35,127}") {
        prop_assert!(validate::client_request_id(&id).is_ok());
    }
}
