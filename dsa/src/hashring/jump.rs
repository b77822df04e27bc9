//! Lamping–Veach jump consistent hash: a key and a bucket count in, a bucket
//! out, with no memory and ideal movement when buckets are added or removed
//! at the end.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::hashring::{jump_hash, Jump};
//!
//! // The bare function: a 64-bit key and a bucket count.
//! let shard = jump_hash(0xdead_beef, 16);
//! assert!(shard < 16);
//!
//! // Over named nodes, routed by the stable hash of the key.
//! let mut shards = Jump::new();
//! shards.push("shard-0").unwrap();
//! shards.push("shard-1").unwrap();
//! let owner = *shards.route("user:42").unwrap();
//! assert!(owner == "shard-0" || owner == "shard-1");
//! ```

use crate::hash::{KeyHasher, StableKey, Xxh3};

use super::{Error, Router};

/// The multiplier of the paper's 64-bit linear congruential generator.
const LCG_MULTIPLIER: u64 = 2_862_933_555_777_941_757;

/// The bucket in `0..buckets` of a 64-bit `key`, by Lamping–Veach jump hash.
///
/// Growing from `b` to `b + 1` buckets moves a key only from its old bucket to
/// the new bucket `b`, and only `1 / (b + 1)` of the keys on average.
///
/// # Stability
///
/// The result is bit-exact with the reference code of J. Lamping and E.
/// Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm" (2014): the
/// linear congruential step `key = key * 2862933555777941757 + 1` (wrapping)
/// and the jump `j = (b + 1) * (2^31 / ((key >> 33) + 1))` computed in `f64`.
///
/// Precisely: for every 64-bit key and every bucket count in
/// `1..=i32::MAX` (every count the reference's `int32_t num_buckets`
/// accepts) the bucket is the reference's. In that range `b + 1 <= 2^31`, so
/// the `f64` product stays below `2^62` and every step is exact or
/// IEEE-rounded the same way as in C. Counts above `i32::MAX` (up to
/// `u32::MAX`) continue the same arithmetic, which the reference cannot be
/// asked about; they are still consistent (a key moves only to the new
/// bucket) but have no reference to agree with. [`Jump`] feeds the function
/// the stable hash of a key's canonical bytes (see [`crate::hash`]), so
/// `Jump` routes agree across processes as well.
///
/// `buckets == 0` has no bucket to give; it returns `0` rather than panicking
/// (the reference code returns `-1`). Use [`try_jump_hash`] to tell the case
/// apart.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::jump_hash;
///
/// assert_eq!(jump_hash(42, 1), 0);
/// assert!(jump_hash(42, 10) < 10);
/// // A key moves only to the new bucket, or not at all.
/// let (before, after) = (jump_hash(7, 9), jump_hash(7, 10));
/// assert!(after == before || after == 9);
/// assert_eq!(jump_hash(42, 0), 0);
/// ```
#[inline]
#[must_use]
pub fn jump_hash(key: u64, buckets: u32) -> u32 {
    try_jump_hash(key, buckets).unwrap_or(0)
}

/// Like [`jump_hash`], but `None` when `buckets == 0`.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::{jump_hash, try_jump_hash};
///
/// assert_eq!(try_jump_hash(42, 0), None);
/// assert_eq!(try_jump_hash(42, 10), Some(jump_hash(42, 10)));
/// ```
#[inline]
#[must_use]
pub fn try_jump_hash(mut key: u64, buckets: u32) -> Option<u32> {
    let buckets = i64::from(buckets);
    let mut b: i64 = -1;
    let mut j: i64 = 0;
    while j < buckets {
        b = j;
        key = key.wrapping_mul(LCG_MULTIPLIER).wrapping_add(1);
        // Bit-exact with the paper: (b + 1) * (double(1 << 31) / double((key >> 33) + 1)).
        // `b + 1 <= 2^32` and `(key >> 33) + 1 < 2^31` are exact in f64; the
        // product is at most 2^63, which `as` saturates to i64::MAX (> buckets).
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        {
            j = ((b + 1) as f64 * ((1_i64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
        }
    }
    u32::try_from(b).ok()
}

/// Nodes numbered `0..len`, routed by [`jump_hash`] over the stable hash of a
/// key: the fastest consistent hash when shards grow and shrink only at the
/// end (`push` / `pop`).
///
/// Adding a node with [`push`](Self::push) moves to it about `1 / (n + 1)` of
/// the keys and moves no other key; [`pop`](Self::pop) moves only the keys of
/// the last node. Removing a node from the middle is not possible: renumbering
/// would move most keys (use [`HashRing`](super::HashRing) for that).
///
/// It holds at most [`Jump::MAX_NODES`] (`u32::MAX`) nodes, the most bucket
/// numbers [`jump_hash`] gives, so every node is routable.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::Jump;
///
/// let mut db = Jump::new();
/// for shard in ["db-0", "db-1", "db-2"] {
///     db.push(shard).unwrap();
/// }
/// let owner = *db.route(&42_u64).unwrap();
/// db.push("db-3").unwrap();
/// let moved = *db.route(&42_u64).unwrap();
/// assert!(moved == owner || moved == "db-3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jump<N, S = Xxh3> {
    nodes: Vec<N>,
    hasher: S,
}

impl<N> Jump<N, Xxh3> {
    /// An empty router with the default stable hasher ([`Xxh3`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Jump;
    ///
    /// let j: Jump<&str> = Jump::new();
    /// assert!(j.is_empty());
    /// assert_eq!(j.route("k"), None);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(Xxh3::default())
    }
}

impl<N> Default for Jump<N, Xxh3> {
    fn default() -> Self {
        Self::new()
    }
}

impl<N, S> Jump<N, S> {
    /// An empty router that hashes keys with `hasher`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hash::Xxh3;
    /// use pillars_dsa::hashring::Jump;
    ///
    /// let mut j = Jump::with_hasher(Xxh3::with_seed(7));
    /// j.push(1_u32).unwrap();
    /// assert_eq!(j.route("k"), Some(&1));
    /// ```
    #[must_use]
    pub const fn with_hasher(hasher: S) -> Self {
        Self {
            nodes: Vec::new(),
            hasher,
        }
    }

    /// The most nodes a `Jump` holds: `u32::MAX`, the number of buckets
    /// [`jump_hash`] addresses.
    pub const MAX_NODES: usize = u32::MAX as usize;

    /// Appends `node` as bucket number `len()`.
    ///
    /// # Errors
    ///
    /// [`Error::TooManyNodes`] when the router already holds
    /// [`MAX_NODES`](Self::MAX_NODES) nodes; `node` is not added.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Jump;
    ///
    /// let mut j = Jump::new();
    /// j.push("a").unwrap();
    /// assert_eq!(j.nodes(), ["a"]);
    /// ```
    pub fn push(&mut self, node: N) -> Result<(), Error> {
        if self.nodes.len() >= Self::MAX_NODES {
            return Err(Error::TooManyNodes {
                max: u64::from(u32::MAX),
            });
        }
        self.nodes.push(node);
        Ok(())
    }

    /// Removes and returns the last node; `None` when empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Jump;
    ///
    /// let mut j = Jump::new();
    /// j.push("a").unwrap();
    /// assert_eq!(j.pop(), Some("a"));
    /// assert_eq!(j.pop(), None);
    /// ```
    pub fn pop(&mut self) -> Option<N> {
        self.nodes.pop()
    }

    /// The number of nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Jump;
    ///
    /// let j: Jump<u8> = [1, 2, 3].into_iter().collect();
    /// assert_eq!(j.len(), 3);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Jump;
    ///
    /// assert!(Jump::<u8>::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The nodes, bucket `i` at index `i`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Jump;
    ///
    /// let j: Jump<&str> = ["a", "b"].into_iter().collect();
    /// assert_eq!(j.nodes(), ["a", "b"]);
    /// ```
    #[must_use]
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// The key hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hash::Xxh3;
    /// use pillars_dsa::hashring::Jump;
    ///
    /// assert_eq!(*Jump::<u8>::new().hasher(), Xxh3::default());
    /// ```
    #[must_use]
    pub const fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Routes an already-hashed key; `None` when there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{jump_hash, Jump};
    ///
    /// let j: Jump<&str> = ["a", "b", "c"].into_iter().collect();
    /// assert_eq!(j.route_hash(99), Some(&j.nodes()[jump_hash(99, 3) as usize]));
    /// ```
    #[inline]
    #[must_use]
    pub fn route_hash(&self, hash: u64) -> Option<&N> {
        // `push` and `extend` keep `len() <= u32::MAX`.
        let buckets = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        let bucket = try_jump_hash(hash, buckets)?;
        self.nodes.get(usize::try_from(bucket).ok()?)
    }
}

impl<N, S: KeyHasher> Jump<N, S> {
    /// Routes `key` to its node; `None` when there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Jump;
    ///
    /// let j: Jump<&str> = ["a", "b"].into_iter().collect();
    /// let owner = j.route("user:1").unwrap();
    /// assert!(j.nodes().contains(owner));
    /// ```
    #[inline]
    #[must_use]
    pub fn route<K: StableKey + ?Sized>(&self, key: &K) -> Option<&N> {
        self.route_hash(self.hasher.hash_key(key))
    }
}

/// Appends the nodes in order, like [`Jump::push`]; nodes past
/// [`Jump::MAX_NODES`] are dropped (use `push` to be told).
impl<N, S> Extend<N> for Jump<N, S> {
    fn extend<I: IntoIterator<Item = N>>(&mut self, iter: I) {
        let room = Self::MAX_NODES.saturating_sub(self.nodes.len());
        self.nodes.extend(iter.into_iter().take(room));
    }
}

/// Collects the nodes in order, like [`Extend`]: at most
/// [`Jump::MAX_NODES`] of them.
impl<N> FromIterator<N> for Jump<N, Xxh3> {
    fn from_iter<I: IntoIterator<Item = N>>(iter: I) -> Self {
        let mut jump = Self::new();
        jump.extend(iter);
        jump
    }
}

impl<N, S: KeyHasher> Router for Jump<N, S> {
    type Node = N;

    #[inline]
    fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        self.hasher.hash_key(key)
    }

    #[inline]
    fn route_hash(&self, hash: u64) -> Option<&N> {
        Jump::route_hash(self, hash)
    }

    fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
