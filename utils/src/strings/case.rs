//! Case conversion through `heck`.
//!
//! Words are split where `heck` splits them:
//!
//! - at every character that is not a letter or digit (`_`, `-`, spaces,
//!   punctuation), which is dropped;
//! - between a lower-case letter and an upper-case one (`userName` → `user`, `Name`);
//! - inside a run of capitals, before the last one when a lower-case letter
//!   follows, so acronyms stay whole: `HTTPServer` → `HTTP`, `Server`
//!   (never `h_t_t_p_server`), `parseJSON` → `parse`, `JSON`;
//! - **digits belong to the word before them** and never start a word on
//!   their own: `userID2` → `user`, `ID2`; `v2Api` → `v2`, `Api`;
//!   `sha256Sum` → `sha256`, `Sum`.
//!
//! Then each word is re-cased for the target [`Case`]. Non-ASCII letters are
//! cased by Unicode's rules (`straße` stays `straße` in snake case).
//!
//! | input | snake | camel | Pascal | kebab |
//! | --- | --- | --- | --- | --- |
//! | `HTTPServer` | `http_server` | `httpServer` | `HttpServer` | `http-server` |
//! | `userID2` | `user_id2` | `userId2` | `UserId2` | `user-id2` |
//! | `XMLHttpRequest` | `xml_http_request` | `xmlHttpRequest` | `XmlHttpRequest` | `xml-http-request` |
//! | `my-field name` | `my_field_name` | `myFieldName` | `MyFieldName` | `my-field-name` |

use heck::{
    ToKebabCase, ToLowerCamelCase, ToPascalCase, ToShoutyKebabCase, ToShoutySnakeCase, ToSnakeCase,
    ToTitleCase, ToTrainCase,
};

/// A target case for [`to_case`].
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{to_case, Case};
///
/// assert_eq!(to_case("HTTPServer", Case::ScreamingSnake), "HTTP_SERVER");
/// assert_eq!(to_case("http_server", Case::Title), "Http Server");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Case {
    /// `snake_case`
    Snake,
    /// `SCREAMING_SNAKE_CASE`
    ScreamingSnake,
    /// `kebab-case`
    Kebab,
    /// `SCREAMING-KEBAB-CASE`
    ScreamingKebab,
    /// `camelCase` (lower camel)
    Camel,
    /// `PascalCase` (upper camel)
    Pascal,
    /// `Title Case`
    Title,
    /// `Train-Case`
    Train,
}

/// Converts `s` to `case` with the word rules in the [module docs](crate::strings).
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::{to_case, Case};
///
/// assert_eq!(to_case("userID2", Case::Snake), "user_id2");
/// assert_eq!(to_case("XMLHttpRequest", Case::Kebab), "xml-http-request");
/// assert_eq!(to_case("user_id", Case::Pascal), "UserId");
/// ```
#[must_use]
pub fn to_case(s: &str, case: Case) -> String {
    match case {
        Case::Snake => s.to_snake_case(),
        Case::ScreamingSnake => s.to_shouty_snake_case(),
        Case::Kebab => s.to_kebab_case(),
        Case::ScreamingKebab => s.to_shouty_kebab_case(),
        Case::Camel => s.to_lower_camel_case(),
        Case::Pascal => s.to_pascal_case(),
        Case::Title => s.to_title_case(),
        Case::Train => s.to_train_case(),
    }
}

/// `snake_case`: `HTTPServer` → `http_server`.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::to_snake_case;
///
/// assert_eq!(to_snake_case("HTTPServer"), "http_server");
/// assert_eq!(to_snake_case("userID2"), "user_id2");
/// ```
#[must_use]
pub fn to_snake_case(s: &str) -> String {
    to_case(s, Case::Snake)
}

/// `kebab-case`: `HTTPServer` → `http-server`.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::to_kebab_case;
///
/// assert_eq!(to_kebab_case("userName"), "user-name");
/// ```
#[must_use]
pub fn to_kebab_case(s: &str) -> String {
    to_case(s, Case::Kebab)
}

/// `camelCase`: `user_id` → `userId`.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::to_camel_case;
///
/// assert_eq!(to_camel_case("user_id"), "userId");
/// ```
#[must_use]
pub fn to_camel_case(s: &str) -> String {
    to_case(s, Case::Camel)
}

/// `PascalCase`: `http_server` → `HttpServer`.
///
/// # Examples
///
/// ```
/// use pillars_utils::strings::to_pascal_case;
///
/// assert_eq!(to_pascal_case("http_server"), "HttpServer");
/// ```
#[must_use]
pub fn to_pascal_case(s: &str) -> String {
    to_case(s, Case::Pascal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_table() {
        let rows = [
            (
                "HTTPServer",
                ["http_server", "httpServer", "HttpServer", "http-server"],
            ),
            ("userID2", ["user_id2", "userId2", "UserId2", "user-id2"]),
            (
                "XMLHttpRequest",
                [
                    "xml_http_request",
                    "xmlHttpRequest",
                    "XmlHttpRequest",
                    "xml-http-request",
                ],
            ),
            (
                "my-field name",
                [
                    "my_field_name",
                    "myFieldName",
                    "MyFieldName",
                    "my-field-name",
                ],
            ),
        ];
        for (input, [snake, camel, pascal, kebab]) in rows {
            assert_eq!(to_snake_case(input), snake, "{input}");
            assert_eq!(to_camel_case(input), camel, "{input}");
            assert_eq!(to_pascal_case(input), pascal, "{input}");
            assert_eq!(to_kebab_case(input), kebab, "{input}");
        }
    }

    #[test]
    fn digit_and_acronym_rules() {
        assert_eq!(to_snake_case("parseJSON"), "parse_json");
        assert_eq!(to_snake_case("v2Api"), "v2_api");
        assert_eq!(to_snake_case("sha256Sum"), "sha256_sum");
        assert_eq!(to_snake_case("IPv6Addr"), "i_pv6_addr");
        assert_eq!(to_snake_case("straße"), "straße");
        assert_eq!(to_snake_case(""), "");
    }
}
