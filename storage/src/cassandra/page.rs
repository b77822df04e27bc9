//! [`Page`]: one page of rows and the cursor to the next.
//!
//! ```
//! use pillars_storage::cassandra::Page;
//! let page: Page<u32> = Page { items: vec![1, 2], next: None };
//! assert_eq!(serde_json::to_string(&page).unwrap(), r#"{"items":[1,2],"next":null}"#);
//! ```

use serde::Serialize;

use super::cursor::Cursor;

/// One page of typed rows and, when more remain, the cursor for the next.
///
/// Serializes as `{"items": [...], "next": "cursor" | null}`, ready to be
/// returned from an HTTP handler.
///
/// # Examples
///
/// ```
/// use pillars_storage::cassandra::Page;
/// let page = Page { items: vec!["a".to_string()], next: None };
/// assert!(page.is_last());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The rows of this page, in the server's order.
    pub items: Vec<T>,
    /// The cursor for the next page; `None` on the last page.
    pub next: Option<Cursor>,
}

impl<T> Page<T> {
    /// Whether this is the last page (no next cursor).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::Page;
    /// assert!(Page::<u8> { items: vec![], next: None }.is_last());
    /// ```
    #[must_use]
    pub fn is_last(&self) -> bool {
        self.next.is_none()
    }

    /// Maps the rows, keeping the cursor (e.g. rows to API views).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_storage::cassandra::Page;
    /// let page = Page { items: vec![1, 2], next: None }.map(|n| n * 10);
    /// assert_eq!(page.items, vec![10, 20]);
    /// ```
    #[must_use]
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}
