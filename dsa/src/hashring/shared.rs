//! A router shared between threads: lock-free, wait-free-in-practice reads
//! while membership changes.
//!
//! [`SharedRing`] holds an immutable snapshot of any [`Router`] behind an
//! [`arc_swap::ArcSwap`]. Readers load the current snapshot (no lock, no
//! reference-count contention on the fast path) and route against it; a
//! writer clones the current router, changes the clone, and swaps it in
//! (read-copy-update). A reader therefore sees either the old or the new
//! membership, never a half-applied change. Writers are serialised by a mutex
//! that readers never touch, so concurrent updates are never lost.
//!
//! A change costs a clone of the router (plus its own rebuild, for example a
//! Maglev table fill): fine for membership changes, which are rare next to
//! lookups.

use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::{ArcSwap, Guard};

use super::Router;
use crate::hash::StableKey;

/// A [`Router`] snapshot that many threads route against while others
/// change membership.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use pillars_dsa::hashring::{Rendezvous, SharedRing};
///
/// let mut hrw = Rendezvous::new();
/// hrw.add("a").unwrap();
/// let shared = Arc::new(SharedRing::new(hrw));
///
/// let reader = {
///     let shared = Arc::clone(&shared);
///     std::thread::spawn(move || shared.route("user:42").is_some())
/// };
/// shared.update(|r| r.add("b")).unwrap();
/// assert!(reader.join().unwrap());
/// assert_eq!(shared.load().len(), 2);
/// ```
#[derive(Debug)]
pub struct SharedRing<R> {
    current: ArcSwap<R>,
    /// Held by writers only, for the whole load–change–store of an update.
    writer: Mutex<()>,
}

/// A loaded snapshot of a [`SharedRing`]'s router; dereferences to the router.
///
/// Keep it for a handful of lookups that must agree with each other, not for
/// long: a held snapshot keeps the old router alive.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::{Maglev, Router, SharedRing};
/// let shared = SharedRing::new(Maglev::from_nodes(["a", "b"]).unwrap());
/// let snap = shared.load();
/// // Both lookups see the same membership, whatever writers do meanwhile.
/// assert_eq!(snap.route("k"), snap.route("k"));
/// assert_eq!(snap.node_count(), 2);
/// ```
pub struct Snapshot<R>(Guard<Arc<R>>);

impl<R> std::ops::Deref for Snapshot<R> {
    type Target = R;

    #[inline]
    fn deref(&self) -> &R {
        &self.0
    }
}

impl<R: std::fmt::Debug> std::fmt::Debug for Snapshot<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Snapshot").field(&**self).finish()
    }
}

impl<R: Default> Default for SharedRing<R> {
    fn default() -> Self {
        Self::new(R::default())
    }
}

impl<R> From<R> for SharedRing<R> {
    fn from(router: R) -> Self {
        Self::new(router)
    }
}

impl<R> SharedRing<R> {
    /// Shares `router`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Rendezvous, SharedRing};
    /// let shared = SharedRing::new(Rendezvous::<&str>::new());
    /// assert!(shared.load().is_empty());
    /// ```
    pub fn new(router: R) -> Self {
        Self {
            current: ArcSwap::from_pointee(router),
            writer: Mutex::new(()),
        }
    }

    /// The current snapshot, without locking. Route several keys against one
    /// snapshot when they must see the same membership.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Rendezvous, SharedRing};
    /// let shared = SharedRing::new(Rendezvous::<&str>::new());
    /// assert_eq!(shared.load().len(), 0);
    /// ```
    #[inline]
    pub fn load(&self) -> Snapshot<R> {
        Snapshot(self.current.load())
    }

    /// The current snapshot as an owned `Arc`, to keep or send elsewhere.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Rendezvous, SharedRing};
    /// let shared = SharedRing::new(Rendezvous::<&str>::new());
    /// let before = shared.snapshot();
    /// shared.update(|r| r.add("a")).unwrap();
    /// assert_eq!((before.len(), shared.snapshot().len()), (0, 1));
    /// ```
    pub fn snapshot(&self) -> Arc<R> {
        self.current.load_full()
    }

    /// Replaces the router with `router` (after any update in progress).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Rendezvous, SharedRing};
    /// let shared = SharedRing::new(Rendezvous::new());
    /// let mut next = Rendezvous::new();
    /// next.add("a").unwrap();
    /// shared.store(next);
    /// assert_eq!(shared.route("k"), Some("a"));
    /// ```
    pub fn store(&self, router: R) {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        self.current.store(Arc::new(router));
    }

    /// Changes membership: clones the current router, applies `change` to the
    /// clone and, if it returns `Ok`, publishes the clone. Readers keep
    /// routing against the old snapshot meanwhile; concurrent updates run one
    /// after another, each on the result of the previous one.
    ///
    /// A `change` that panics or errs leaves the shared router as it was.
    ///
    /// # Errors
    ///
    /// Whatever `change` returns; nothing is published then.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Rendezvous, SharedRing};
    /// let shared = SharedRing::new(Rendezvous::new());
    /// shared.update(|r| r.add("a")).unwrap();
    /// assert_eq!(shared.update(|r| r.add("a")), Err(Error::DuplicateNode));
    /// // Several changes published at once:
    /// shared.update(|r| { r.add("b")?; r.remove(&"a") }).unwrap();
    /// assert_eq!(shared.load().nodes(), &["b"]);
    /// ```
    pub fn update<T, E>(&self, change: impl FnOnce(&mut R) -> Result<T, E>) -> Result<T, E>
    where
        R: Clone,
    {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut next = R::clone(&self.current.load());
        let out = change(&mut next)?;
        self.current.store(Arc::new(next));
        Ok(out)
    }

    /// Takes the router back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Rendezvous, SharedRing};
    /// let shared = SharedRing::new(Rendezvous::<&str>::new());
    /// let hrw: std::sync::Arc<Rendezvous<&str>> = shared.into_inner();
    /// assert!(hrw.is_empty());
    /// ```
    pub fn into_inner(self) -> Arc<R> {
        self.current.into_inner()
    }
}

impl<R: Router> SharedRing<R> {
    /// Routes `key` against the current snapshot and returns a clone of its
    /// node; `None` when there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Maglev, SharedRing};
    /// let shared = SharedRing::new(Maglev::from_nodes([String::from("a")]).unwrap());
    /// assert_eq!(shared.route("k").as_deref(), Some("a"));
    /// ```
    #[inline]
    pub fn route<K: StableKey + ?Sized>(&self, key: &K) -> Option<R::Node>
    where
        R::Node: Clone,
    {
        self.current.load().route(key).cloned()
    }

    /// Routes an already-hashed key against the current snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Maglev, Router, SharedRing};
    /// let shared = SharedRing::new(Maglev::from_nodes(["a", "b"]).unwrap());
    /// let h = shared.load().hash_key("k");
    /// assert_eq!(shared.route_hash(h), shared.route("k"));
    /// ```
    #[inline]
    pub fn route_hash(&self, hash: u64) -> Option<R::Node>
    where
        R::Node: Clone,
    {
        self.current.load().route_hash(hash).cloned()
    }

    /// The number of nodes in the current snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Maglev, SharedRing};
    /// assert_eq!(SharedRing::new(Maglev::from_nodes(["a"]).unwrap()).node_count(), 1);
    /// ```
    pub fn node_count(&self) -> usize {
        self.current.load().node_count()
    }
}
