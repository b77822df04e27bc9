//! A single-threaded ring that keeps the last `N` values.
//!
//! [`Overwrite`] never refuses a value: when it is full, `push` evicts the
//! oldest value and returns it. Use it for "the most recent N" windows:
//! recent log lines, the latencies of the last N requests, a replay buffer.
//!
//! It is safe code over a `VecDeque` allocated once to its capacity, so
//! `push` is O(1) and never reallocates.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ringbuf::overwrite::Overwrite;
//!
//! let mut recent = Overwrite::new(3)?;
//! for line in ["boot", "listen", "accept", "close"] {
//!     recent.push(line);
//! }
//! assert_eq!(recent.iter().copied().collect::<Vec<_>>(), ["listen", "accept", "close"]);
//! assert_eq!(recent.latest(), Some(&"close"));
//! # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
//! ```

use std::collections::VecDeque;
use std::collections::vec_deque;
use std::iter::FusedIterator;

use super::CapacityError;

/// A ring of at most `capacity` values that evicts the oldest when full.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::overwrite::Overwrite;
///
/// let mut window = Overwrite::new(2)?;
/// assert_eq!(window.push(1), None);
/// assert_eq!(window.push(2), None);
/// assert_eq!(window.push(3), Some(1));
/// assert_eq!(window.oldest(), Some(&2));
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Overwrite<T> {
    items: VecDeque<T>,
    capacity: usize,
}

impl<T> Overwrite<T> {
    /// Creates an empty ring holding at most `capacity` values (exactly; no
    /// rounding), allocating all of its memory now.
    ///
    /// # Errors
    ///
    /// [`CapacityError::Zero`] if `capacity` is 0; [`CapacityError::TooLarge`]
    /// if its memory cannot be allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::{overwrite::Overwrite, CapacityError};
    ///
    /// assert_eq!(Overwrite::<u8>::new(5)?.capacity(), 5);
    /// assert_eq!(Overwrite::<u8>::new(0).unwrap_err(), CapacityError::Zero);
    /// # Ok::<(), CapacityError>(())
    /// ```
    pub fn new(capacity: usize) -> Result<Self, CapacityError> {
        if capacity == 0 {
            return Err(CapacityError::Zero);
        }
        let mut items = VecDeque::new();
        items
            .try_reserve_exact(capacity)
            .map_err(|_| CapacityError::TooLarge {
                requested: capacity,
            })?;
        Ok(Self { items, capacity })
    }

    /// Appends `value` as the newest; if the ring was full, removes and
    /// returns the oldest.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(1)?;
    /// assert_eq!(r.push('a'), None);
    /// assert_eq!(r.push('b'), Some('a'));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn push(&mut self, value: T) -> Option<T> {
        let evicted = if self.items.len() == self.capacity {
            self.items.pop_front()
        } else {
            None
        };
        // Never reallocates: `len < capacity <= allocated` here.
        self.items.push_back(value);
        evicted
    }

    /// Removes and returns the oldest value.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(2)?;
    /// r.push(1);
    /// r.push(2);
    /// assert_eq!(r.pop_oldest(), Some(1));
    /// assert_eq!(r.len(), 1);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn pop_oldest(&mut self) -> Option<T> {
        self.items.pop_front()
    }

    /// The most recently pushed value.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(2)?;
    /// assert_eq!(r.latest(), None);
    /// r.push(1);
    /// r.push(2);
    /// assert_eq!(r.latest(), Some(&2));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn latest(&self) -> Option<&T> {
        self.items.back()
    }

    /// The oldest value still kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(2)?;
    /// for i in 0..5 {
    ///     r.push(i);
    /// }
    /// assert_eq!(r.oldest(), Some(&3));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn oldest(&self) -> Option<&T> {
        self.items.front()
    }

    /// The value `index` places after the oldest (`get(0)` is the oldest,
    /// `get(len() - 1)` the latest), or `None` if out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(2)?;
    /// r.extend([1, 2, 3]);
    /// assert_eq!(r.get(0), Some(&2));
    /// assert_eq!(r.get(2), None);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&T> {
        self.items.get(index)
    }

    /// Iterates from the oldest to the latest value (`.rev()` for the other
    /// way).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(3)?;
    /// r.extend(1..=4);
    /// assert!(r.iter().eq(&[2, 3, 4]));
    /// assert!(r.iter().rev().eq(&[4, 3, 2]));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            inner: self.items.iter(),
        }
    }

    /// The number of values kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(2)?;
    /// r.extend([1, 2, 3]);
    /// assert_eq!(r.len(), 2);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no value is kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let r = Overwrite::<u8>::new(2)?;
    /// assert!(r.is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether the ring is full, so the next `push` evicts.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(1)?;
    /// r.push(0);
    /// assert!(r.is_full());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.items.len() == self.capacity
    }

    /// The most values kept: exactly the capacity it was created with.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// assert_eq!(Overwrite::<u8>::new(7)?.capacity(), 7);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Drops every value kept; the capacity and memory stay.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::overwrite::Overwrite;
    ///
    /// let mut r = Overwrite::new(2)?;
    /// r.push(1);
    /// r.clear();
    /// assert!(r.is_empty());
    /// assert_eq!(r.capacity(), 2);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

/// Pushes every value in turn; only the last `capacity()` are kept, and the
/// evicted ones are dropped.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::overwrite::Overwrite;
///
/// let mut r = Overwrite::new(2)?;
/// r.extend(0..10);
/// assert!(r.iter().eq(&[8, 9]));
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
impl<T> Extend<T> for Overwrite<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for value in iter {
            self.push(value);
        }
    }
}

impl<'a, T> IntoIterator for &'a Overwrite<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Iterator over an [`Overwrite`] ring, oldest to latest; made by
/// [`Overwrite::iter`].
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::overwrite::Overwrite;
///
/// let mut r = Overwrite::new(2)?;
/// r.extend(["a", "b"]);
/// let mut it = r.iter();
/// assert_eq!(it.len(), 2);
/// assert_eq!(it.next_back(), Some(&"b"));
/// assert_eq!(it.next(), Some(&"a"));
/// assert_eq!(it.next(), None);
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Iter<'a, T> {
    inner: vec_deque::Iter<'a, T>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> FusedIterator for Iter<'_, T> {}
