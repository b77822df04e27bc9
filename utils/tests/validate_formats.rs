//! Table tests of every format rule, the error type's wire shapes, and the
//! `validator` derive bridge.

use pillars_utils::validate::{
    self as v, Email, EmailError, Error, HostPolicy, PathSegment, Rule, UrlError, Validatable,
    Validate, Validation, Violation, derive, each, email, length, nested, optional, range,
    required, url,
};

fn table(name: &str, f: impl Fn(&str) -> bool, ok: &[&str], bad: &[&str]) {
    for s in ok {
        assert!(f(s), "{name} should accept {s:?}");
    }
    for s in bad {
        assert!(!f(s), "{name} should reject {s:?}");
    }
}

#[test]
fn email_weak_spots_of_the_peers() {
    let d = Email::html5();
    let s = Email::strict();
    for bad in [
        "John..Doe@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@example..com",
        "a@example.com.",
        "a b@example.com",
        " a@example.com",
        "a@example.com\n",
        "a@-example.com",
        "a@example-.com",
        "a@exa_mple.com",
        "",
        "@",
        "a@",
        "@b",
    ] {
        assert!(!d.is_valid(bad) && !s.is_valid(bad), "{bad:?}");
    }
    let long_local = format!("{}@example.com", "a".repeat(65));
    assert_eq!(s.parse(&long_local), Err(EmailError::LocalPartTooLong));
    assert_eq!(d.parse(&long_local), Err(EmailError::LocalPartTooLong));
    let long_label = format!("a@{}.com", "b".repeat(64));
    assert_eq!(s.parse(&long_label), Err(EmailError::DomainTooLong));
    let long_total = format!(
        "{}@{}.com",
        "a".repeat(64),
        vec!["b".repeat(60); 4].join(".")
    );
    assert_eq!(s.parse(&long_total), Err(EmailError::TooLong));
    // IPv6 literals: accepted when enabled.
    let lit = Email::strict().allow_ip_literal(true);
    assert!(lit.is_valid("a@[IPv6:2001:db8::1]"));
    assert!(lit.is_valid("a@[192.0.2.1]"));
    assert!(!lit.is_valid("a@[2001:db8::1]"));
    assert!(!lit.is_valid("a@[IPv6:2001:db8::1"));
    assert!(!lit.is_valid("a@[300.1.1.1]"));
    assert_eq!(
        s.parse("a@[192.0.2.1]"),
        Err(EmailError::AddressLiteralNotAllowed)
    );
    assert_eq!(
        s.parse("\"a\"@x.org"),
        Err(EmailError::QuotedLocalPartNotAllowed)
    );
    // IDN: default on, strict off.
    assert!(d.is_valid("user@例え.テスト"));
    assert!(!s.is_valid("user@例え.テスト"));
    assert!(!d.is_valid("ü@example.com"), "no SMTPUTF8 local parts");
}

#[test]
fn url_rules() {
    let u = url();
    table(
        "url",
        |x| u.is_valid(x),
        &[
            "https://example.com",
            "http://127.0.0.1:8080/x",
            "https://[::1]/",
            "HTTPS://EXAMPLE.COM/A",
        ],
        &[
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>",
            "java\nscript:alert(1)",
            "https://example.com/ ",
            "https://exa\tmple.com",
            "https://\u{200b}",
            "//example.com",
            "https:",
            "mailto:a@b.c",
            "",
        ],
    );
    assert_eq!(
        url().schemes(["file"]).parse("file:///etc/passwd"),
        Err(UrlError::MissingHost)
    );
    let public = url().host_policy(HostPolicy::Public);
    table(
        "public",
        |x| public.is_valid(x),
        &[
            "https://example.com",
            "http://8.8.8.8/",
            "http://[2606:4700::1111]/",
        ],
        &[
            "http://localhost/",
            "http://api.localhost/",
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://2130706433/",
        ],
    );
    let domain_only = url().host_policy(HostPolicy::DomainOnly);
    assert!(!domain_only.is_valid("http://1.1.1.1/"));
    assert!(domain_only.is_valid("http://one.one/"));
    assert_eq!(
        url().deny_credentials().parse("https://a:b@example.com"),
        Err(UrlError::CredentialsNotAllowed)
    );
    assert!(
        url()
            .schemes(["ws", "wss"])
            .is_valid("wss://example.com/socket")
    );
}

#[test]
fn hosts_ports_ips() {
    table(
        "hostname",
        v::is_hostname,
        &[
            "a",
            "example.com",
            "xn--bcher-kva.example",
            "a-b.c-d",
            "a.".repeat(126).trim_end_matches('.'),
        ],
        &[
            "",
            ".",
            "a.",
            "-a",
            "a-",
            "a..b",
            "a_b",
            "exa mple.com",
            &"a".repeat(64),
            &"a.".repeat(127),
        ],
    );
    table(
        "dns_name",
        v::is_dns_name,
        &["_sip._tcp.example.com", "example.com."],
        &["example.com..", ".com"],
    );
    table(
        "port",
        v::is_port,
        &["1", "80", "65535"],
        &["0", "65536", "080", "+80", "-1", " 80", "", "8080a"],
    );
    table(
        "host_port",
        v::is_host_port,
        &[
            "localhost:80",
            "10.0.0.1:5432",
            "[::1]:443",
            "db.internal:65535",
        ],
        &[
            "localhost",
            "localhost:",
            ":80",
            "[::1]",
            "::1:80",
            "[::1]:0",
            "a b:80",
            "[zz]:80",
        ],
    );
    table(
        "ip",
        v::is_ip,
        &[
            "0.0.0.0",
            "255.255.255.255",
            "::",
            "::1",
            "2001:db8::8a2e:370:7334",
        ],
        &[
            "1.2.3.4.5",
            "01.2.3.4",
            "1.2.3",
            "::1%lo",
            " 1.2.3.4",
            "12345::",
        ],
    );
    table("ipv4", v::is_ipv4, &["192.0.2.1"], &["::1", "192.0.2.1/24"]);
    table("ipv6", v::is_ipv6, &["fe80::1"], &["192.0.2.1"]);
    table(
        "cidr",
        v::is_cidr,
        &["10.0.0.0/8", "10.0.0.1/32", "::/0", "2001:db8::/128"],
        &[
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0",
            "10.0.0.0/",
            "10.0.0.0/08",
            "10.0.0.0/-1",
            "/8",
        ],
    );
    table(
        "cidr_network",
        v::is_cidr_network,
        &["10.0.0.0/8", "0.0.0.0/0", "10.0.0.1/32", "2001:db8::/32"],
        &["10.0.0.1/8", "2001:db8::1/32"],
    );
    table(
        "mac",
        v::is_mac,
        &[
            "00:1a:2b:3c:4d:5e",
            "00-1A-2B-3C-4D-5E",
            "001a.2b3c.4d5e",
            "00:1a:2b:3c:4d:5e:6f:70",
        ],
        &[
            "00:1a:2b:3c:4d",
            "00:1a:2b:3c:4d:5e:6f",
            "001a2b3c4d5e",
            "00:1a-2b:3c:4d:5e",
            "0:1a:2b:3c:4d:5e",
            "gg:1a:2b:3c:4d:5e",
        ],
    );
}

#[test]
fn identifiers_and_numbers() {
    table(
        "uuid",
        v::is_uuid,
        &[
            "67e55044-10b1-426f-9247-bb680e5fe0c8",
            "67E55044-10B1-426F-9247-BB680E5FE0C8",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ],
        &[
            "67e5504410b1426f9247bb680e5fe0c8",
            "urn:uuid:67e55044-10b1-426f-9247-bb680e5fe0c8",
            "67e55044-10b1-426f-9247-bb680e5fe0c",
            "67e55044_10b1_426f_9247_bb680e5fe0c8",
        ],
    );
    assert!(
        v::uuid_version(7)
            .check("01890a5d-ac96-774b-bcce-b302099a8057")
            .is_ok()
    );
    assert!(
        v::uuid_version(4)
            .check("01890a5d-ac96-774b-bcce-b302099a8057")
            .is_err()
    );
    table(
        "ulid",
        v::is_ulid,
        &[
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "7ZZZZZZZZZZZZZZZZZZZZZZZZZ",
            "01arz3ndektsv4rrffq69g5fav",
        ],
        &[
            "8ZZZZZZZZZZZZZZZZZZZZZZZZZ",
            "01ARZ3NDEKTSV4RRFFQ69G5FA",
            "01ARZ3NDEKTSV4RRFFQ69G5FAI",
        ],
    );
    table(
        "semver",
        v::is_semver,
        &["0.0.0", "1.2.3-alpha.1+sha.5114f85"],
        &["1", "1.2", "v1.2.3", "01.2.3", "1.2.3-", " 1.2.3"],
    );
    table(
        "e164",
        v::is_e164,
        &["+14155552671", "+12", "+999999999999999"],
        &[
            "14155552671",
            "+0123",
            "+1",
            "+1234567890123456",
            "+1 415",
            "++1415",
        ],
    );
    table(
        "luhn",
        v::is_luhn,
        &["79927398713", "0000000000000000"],
        &["79927398710", "7", "", "7992739871a"],
    );
    table(
        "card",
        v::is_card_number,
        &["4111111111111111", "4111 1111 1111 1111", "378282246310005"],
        &[
            "4111111111111112",
            "4111-1111 1111 111",
            "41111111111",
            " 4111111111111111",
            "4111111111111111 ",
        ],
    );
}

#[test]
fn encodings_geo_dates_text() {
    table(
        "base64",
        v::is_base64,
        &["", "Zg==", "Zm8=", "Zm9v", "+/+/"],
        &["Zg", "Zg=", "Z===", "-_-_", "Zm9v\n", "Zh=="],
    );
    table(
        "base64url",
        v::is_base64url,
        &["", "Zg", "Zg==", "-_-_"],
        &["+/+/", "Z", "Zh"],
    );
    table(
        "hex",
        v::is_hex,
        &["0", "deadBEEF"],
        &["", "0x1", "g", "de ad"],
    );
    table(
        "hex_color",
        v::is_hex_color,
        &["#fff", "#ffff", "#a1b2c3", "#a1b2c3d4"],
        &["fff", "#ff", "#fffff", "#ggg", "#"],
    );
    table(
        "json",
        v::is_json,
        &["null", "1", "\"s\"", "{\"a\":[true,{}]}", " [ ] "],
        &["", "{", "{'a':1}", "[1,]", "NaN", "1 2"],
    );
    let deep = "[".repeat(10_000);
    assert!(
        !v::is_json(&deep),
        "deep nesting is rejected, not a stack overflow"
    );
    table(
        "latitude",
        v::is_latitude,
        &["0", "-90", "90.000", "45.5"],
        &[
            "90.1", "-90.5", "1e1", "inf", "NaN", "+45", " 45", "45.", ".5", "",
        ],
    );
    table(
        "longitude",
        v::is_longitude,
        &["180", "-180", "-122.4194"],
        &["180.0001", "x"],
    );
    table(
        "datetime",
        v::is_datetime,
        &[
            "2024-06-19T15:22:45Z",
            "2024-06-19t15:22:45z",
            "2024-06-19 15:22:45+02:00",
            "2024-06-19T15:22:45.123456789-07:00",
            "2016-12-31T23:59:60Z",
        ],
        &[
            "2024-06-19T15:22:45",
            "2024-06-19",
            "2024-06-19T15:22Z",
            "2024-06-19T25:00:00Z",
            "2024-06-31T00:00:00Z",
            "2024-06-19T15:22:45.Z",
            "2024-06-19T15:22:45+2:00",
            "2024-06-19T15:22:45+24:00",
            "20240619T152245Z",
            " 2024-06-19T15:22:45Z",
        ],
    );
    table(
        "date",
        v::is_date,
        &["2024-02-29", "0001-01-01"],
        &["2023-02-29", "2024-2-29", "2024/02/29", "20240229"],
    );
    table(
        "printable",
        v::is_printable,
        &["", "héllo wörld", "😀"],
        &["a\u{0}", "a\u{1b}[31m", "a\u{85}", "\u{2066}x"],
    );
    table(
        "printable_ascii",
        v::is_printable_ascii,
        &["~ !"],
        &["é", "\t"],
    );
}

struct Address {
    city: String,
    zip: Option<String>,
}

impl Validatable for Address {
    fn validate(&self) -> Result<(), Error> {
        Validation::new()
            .field("city", &self.city, length(1..=80))
            .field(
                "zipCode",
                &self.zip,
                optional(v::matches(regex::Regex::new(r"^\d{5}$").unwrap())),
            )
            .finish()
    }
}

#[test]
fn nested_paths_and_wire_shapes() {
    let addresses = vec![
        Address {
            city: "Paris".into(),
            zip: Some("75001".into()),
        },
        Address {
            city: String::new(),
            zip: Some("7500".into()),
        },
    ];
    let name: Option<String> = None;
    let err = Validation::new()
        .field("name", &name, required())
        .field("addresses", &addresses, each(nested()))
        .field("age", &7_u8, range(18..=130))
        .finish()
        .unwrap_err();
    let paths: Vec<String> = err
        .violations()
        .iter()
        .map(|v| v.path().to_string())
        .collect();
    assert_eq!(
        paths,
        ["name", "addresses[1].city", "addresses[1].zipCode", "age"]
    );
    let json = err.to_json();
    assert_eq!(json["errors"][1]["pointer"], "/addresses/1/city");
    assert_eq!(json["errors"][3]["params"]["min"], 18);
    assert_eq!(json["errors"][3]["params"]["max"], 130);
    assert_eq!(json["errors"][3]["message"], "must be between 18 and 130");
    assert_eq!(json["errors"][2]["code"], "matches");
    let problem = serde_json::to_value(err.problem()).unwrap();
    assert_eq!(problem["type"], "about:blank");
    assert_eq!(problem["status"], 400);
    assert_eq!(problem["detail"], "4 field(s) failed validation");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 4);
    assert!(problem.get("instance").is_none());
}

#[test]
fn violation_round_trip_and_messages() {
    let v = Violation::new("length")
        .with_param("min", 3)
        .with_param("unit", "graphemes");
    assert_eq!(v.message(), "must be at least 3 graphemes long");
    assert_eq!(
        Violation::new("count").with_param("max", 2).message(),
        "must be at most 2 items"
    );
    assert_eq!(
        Violation::new("length")
            .with_param("min", 2)
            .with_param("max", 2)
            .with_param("unit", "chars")
            .message(),
        "must be exactly 2 chars long"
    );
    assert_eq!(Violation::new("weird").message(), "is invalid (weird)");
    let e = Error::from(v.at(PathSegment::Key("x\"y".into())));
    assert_eq!(
        e.to_string(),
        "[\"x\\\"y\"]: must be at least 3 graphemes long"
    );
}

#[derive(Validate)]
#[validate(crate = "pillars_utils::validate::validator")]
struct Item {
    #[validate(length(min = 1))]
    sku: String,
}

#[derive(Validate)]
#[validate(crate = "pillars_utils::validate::validator")]
struct Order {
    #[validate(custom(function = "derive::email_strict"))]
    contact_email: String,
    #[validate(nested)]
    items: Vec<Item>,
    #[validate(range(min = 1, max = 10), custom(function = "odd"))]
    quantity: u32,
    #[validate(length(min = 8, message = "mot de passe trop court"))]
    password: String,
}

fn odd(n: u32) -> Result<(), validator::ValidationError> {
    if n % 2 == 1 {
        Ok(())
    } else {
        Err(validator::ValidationError::new("odd"))
    }
}

#[test]
fn validator_derive_reports_through_our_error() {
    let order = Order {
        contact_email: "a..b@example.com".into(),
        items: vec![Item { sku: "A1".into() }, Item { sku: String::new() }],
        quantity: 12,
        password: "hunter2".into(),
    };
    let mut err = derive::check(&order).unwrap_err();
    err.rename_fields(|n| (n == "contact_email").then(|| "contactEmail".to_owned()));
    let found: Vec<(String, String)> = err
        .violations()
        .iter()
        .map(|v| (v.path().to_string(), v.code().to_owned()))
        .collect();
    assert!(
        found.contains(&("contactEmail".into(), "email".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("items[1].sku".into(), "length".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("quantity".into(), "range".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("quantity".into(), "odd".into())),
        "{found:?}"
    );
    let pw = err
        .violations()
        .iter()
        .find(|v| v.path().to_string() == "password")
        .unwrap();
    assert_eq!(pw.message(), "mot de passe trop court");
    let json = serde_json::to_string(&err).unwrap();
    assert!(
        !json.contains("hunter2") && !json.contains("a..b@"),
        "{json}"
    );
    // Opt in to values.
    let raw = order.validate().unwrap_err();
    assert!(
        serde_json::to_string(&derive::from_validator_revealing(&raw))
            .unwrap()
            .contains("hunter2")
    );
    // One error type: derived structs nest inside rule validation.
    let e = Validation::new()
        .field("order", &order, derive::derived())
        .field("email", "x", email())
        .finish()
        .unwrap_err();
    assert!(
        e.violations()
            .iter()
            .any(|v| v.path().to_string() == "order.items[1].sku")
    );
    assert_eq!(e.violations().last().unwrap().path().to_string(), "email");
}

#[test]
fn rules_accept_str_string_and_cow() {
    let s = String::from("ada@example.com");
    let c: std::borrow::Cow<'_, str> = std::borrow::Cow::Borrowed("ada@example.com");
    assert!(email().check(s.as_str()).is_ok());
    assert!(email().check(&s).is_ok());
    assert!(email().check(&c).is_ok());
    assert!(v::uuid().check(&String::new()).is_err());
}
