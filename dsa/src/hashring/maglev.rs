//! Maglev hashing: an O(1) lookup table (Eisenbud et al., "Maglev: A Fast
//! and Reliable Software Network Load Balancer", NSDI 2016, §3.4).
//!
//! Every node walks its own permutation of the `M` table slots (`M` prime)
//! and, turn by turn, claims the next free slot of its permutation until the
//! table is full. A key goes to `table[hash % M]`: one division and one load.
//! Each node ends up with `M / n` slots give or take one (weights scale the
//! number of turns), and a membership change moves few slots besides those of
//! the node that changed, **provided the table is large for the node count**:
//! the paper asks for `M ≫ 100 · n`, and with a small table Maglev moves
//! several times the ideal share.
//!
//! Memory: `4 · M` bytes for the table (256 KiB at the default `M = 65537`).
//! A membership change rebuilds the table in O(M log M); build many members at
//! once with [`Maglev::from_nodes`] or [`Maglev::add_all`].
//!
//! # The stable format
//!
//! * Node hash `h = S::hash_key(node)`; `offset = mix64(h ^ OFFSET_SALT) % M`
//!   and `skip = mix64(h ^ SKIP_SALT) % (M − 1) + 1` ([`mix64`], salts below);
//!   node `i`'s permutation is `offset, offset + skip, offset + 2·skip, …` mod `M`.
//! * Members take turns in the order of their node hash (then canonical bytes),
//!   so the table does not depend on insertion order.
//! * Weights: in round `r = 0, 1, 2, …` a node of weight `w` takes a turn when
//!   `claimed · w_max ≤ r · w`, so the heaviest node claims one slot per round
//!   and the others in proportion (the scheme Envoy uses).
//! * A key hash `k` goes to `table[k % M]`.
//!
//! # Table size
//!
//! `M` must be a prime between [`Maglev::MIN_TABLE_SIZE`] and
//! [`Maglev::MAX_TABLE_SIZE`], and at least [`Maglev::SLOTS_PER_NODE`] (100)
//! times the number of nodes: [`Maglev::add`] refuses a node that would break
//! that rule with [`Error::InvalidTableSize`] rather than silently degrading
//! balance and disruption. The default `M = 65537` takes up to 655 nodes; pick
//! a larger prime (for example 655 373 or 1 000 003) for more.
//!
//! Measured at `M = 65537` (`dsa/tests/hashring_tables.rs`), slots of *surviving*
//! nodes that change owner when one of `n` nodes leaves: 0.3 % of the table at
//! `n = 10`, 0.5 % at `n = 100` (half the departed node's own 1 %), 0.8 % at
//! `n = 600` (4.7 × its 0.17 %). For near-ideal disruption keep
//! `M ≥ 1000 · n`.

use super::{Error, Router};
use crate::hash::{KeyHasher, StableKey, Xxh3, mix64};

/// Salt mixed into the node hash for the permutation offset. Part of the format.
const OFFSET_SALT: u64 = 0x6f66_6673_6574_2d31; // "offset-1"
/// Salt mixed into the node hash for the permutation skip. Part of the format.
const SKIP_SALT: u64 = 0x736b_6970_2d2d_2d31; // "skip---1"
/// An unclaimed slot while the table is being filled.
const EMPTY: u32 = u32::MAX;

/// A Maglev lookup-table router: O(1) routing, near-minimal disruption.
///
/// Nodes are identified by their canonical bytes ([`StableKey`]): two nodes
/// that are `==` or have the same bytes are duplicates.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::Maglev;
///
/// let mut lb = Maglev::from_nodes(["backend-1", "backend-2", "backend-3"]).unwrap();
/// let owner = *lb.route("10.1.2.3:5555").unwrap();
/// assert!(["backend-1", "backend-2", "backend-3"].contains(&owner));
/// lb.remove(&"backend-2").unwrap();
/// assert_ne!(lb.route("10.1.2.3:5555"), Some(&"backend-2"));
/// ```
#[derive(Debug, Clone)]
pub struct Maglev<N, S = Xxh3> {
    nodes: Vec<N>,
    hashes: Vec<u64>,
    weights: Vec<u32>,
    /// Slot → index into `nodes`; empty until the first node is added.
    table: Vec<u32>,
    size: u64,
    hasher: S,
}

impl<N> Maglev<N> {
    /// An empty router with the default hasher and table size.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb: Maglev<&str> = Maglev::new();
    /// assert_eq!(lb.table_size(), Maglev::<&str>::DEFAULT_TABLE_SIZE);
    /// assert!(lb.route("k").is_none());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(Xxh3::default())
    }

    /// An empty router with the default hasher and a table of `size` slots.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTableSize`] if `size` is not a prime in
    /// [`MIN_TABLE_SIZE`](Self::MIN_TABLE_SIZE)`..=`[`MAX_TABLE_SIZE`](Self::MAX_TABLE_SIZE).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Maglev};
    /// let lb = Maglev::<&str>::with_table_size(1_000_003).unwrap();
    /// assert_eq!(lb.table_size(), 1_000_003);
    /// assert!(matches!(Maglev::<&str>::with_table_size(65536), Err(Error::InvalidTableSize { .. })));
    /// ```
    pub fn with_table_size(size: u64) -> Result<Self, Error> {
        Self::with_hasher_and_table_size(Xxh3::default(), size)
    }

    /// A router over `nodes` (weight 1 each) with the default hasher and table
    /// size, built with one table fill.
    ///
    /// # Errors
    ///
    /// As [`add_all`](Self::add_all).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb = Maglev::from_nodes(0_u32..100).unwrap();
    /// assert_eq!(lb.len(), 100);
    /// ```
    pub fn from_nodes<I>(nodes: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = N>,
        N: StableKey + Eq,
    {
        let mut lb = Self::new();
        lb.add_all(nodes)?;
        Ok(lb)
    }
}

impl<N, S: Default> Default for Maglev<N, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<N, S> Maglev<N, S> {
    /// The default table size, 65 537 (a prime): up to 655 nodes.
    pub const DEFAULT_TABLE_SIZE: u64 = 65_537;
    /// The smallest table size accepted: 101, enough for one node.
    pub const MIN_TABLE_SIZE: u64 = 101;
    /// The largest table size accepted: 2³¹ − 1 (a prime), an 8 GiB table.
    pub const MAX_TABLE_SIZE: u64 = (1 << 31) - 1;
    /// The table must hold at least this many slots per node.
    pub const SLOTS_PER_NODE: u64 = 100;

    /// An empty router with the default table size that hashes keys and nodes
    /// with `hasher`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{hash::Xxh3, hashring::Maglev};
    /// let mut lb = Maglev::with_hasher(Xxh3::with_seed(3));
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.route("k"), Some(&"a"));
    /// ```
    #[must_use]
    pub fn with_hasher(hasher: S) -> Self {
        Self {
            nodes: Vec::new(),
            hashes: Vec::new(),
            weights: Vec::new(),
            table: Vec::new(),
            size: Self::DEFAULT_TABLE_SIZE,
            hasher,
        }
    }

    /// An empty router with `hasher` and a table of `size` slots.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTableSize`] if `size` is not a prime in
    /// [`MIN_TABLE_SIZE`](Self::MIN_TABLE_SIZE)`..=`[`MAX_TABLE_SIZE`](Self::MAX_TABLE_SIZE).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{hash::Xxh3, hashring::Maglev};
    /// let lb = Maglev::<u32, _>::with_hasher_and_table_size(Xxh3::with_seed(1), 5003).unwrap();
    /// assert_eq!(lb.table_size(), 5003);
    /// ```
    pub fn with_hasher_and_table_size(hasher: S, size: u64) -> Result<Self, Error> {
        let reason = if size < Self::MIN_TABLE_SIZE {
            Some("smaller than the minimum of 101")
        } else if size > Self::MAX_TABLE_SIZE {
            Some("larger than the maximum of 2^31 - 1")
        } else if !is_prime(size) {
            Some("not a prime")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::InvalidTableSize { size, reason });
        }
        let mut lb = Self::with_hasher(hasher);
        lb.size = size;
        Ok(lb)
    }

    /// The number of table slots `M`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// assert_eq!(Maglev::<u8>::new().table_size(), 65_537);
    /// ```
    pub fn table_size(&self) -> u64 {
        self.size
    }

    /// The number of nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// assert_eq!(Maglev::from_nodes(["a", "b"]).unwrap().len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// assert!(Maglev::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The member nodes, in no particular order.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// assert_eq!(Maglev::from_nodes(["a"]).unwrap().nodes(), &["a"]);
    /// ```
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// The key hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{hash::Xxh3, hashring::Maglev};
    /// assert_eq!(*Maglev::<u8>::new().hasher(), Xxh3::default());
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Routes an already-hashed key: `table[hash % M]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Maglev, Router};
    /// let lb = Maglev::from_nodes(["a", "b"]).unwrap();
    /// assert_eq!(lb.route_hash(lb.hash_key("k")), lb.route("k"));
    /// ```
    #[inline]
    pub fn route_hash(&self, hash: u64) -> Option<&N> {
        // `size` ≤ 2³¹ − 1, so the slot fits any `usize` of 32 bits or more.
        #[allow(clippy::cast_possible_truncation)]
        let slot = (hash % self.size) as usize;
        let idx = *self.table.get(slot)?;
        self.nodes.get(idx as usize)
    }

    /// The number of slots each node owns, by index into `nodes`.
    fn slot_counts(&self) -> Vec<u64> {
        let mut counts = vec![0_u64; self.nodes.len()];
        for &i in &self.table {
            if let Some(c) = counts.get_mut(i as usize) {
                *c += 1;
            }
        }
        counts
    }
}

impl<N: StableKey + Eq, S: KeyHasher> Maglev<N, S> {
    /// Adds `node` with weight 1 and rebuilds the table.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateNode`] if it is already a member;
    /// [`Error::InvalidTableSize`] if the table would hold fewer than
    /// [`SLOTS_PER_NODE`](Self::SLOTS_PER_NODE) slots per node, or cannot be
    /// allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Maglev};
    /// let mut lb = Maglev::with_table_size(211).unwrap();
    /// lb.add("a").unwrap();
    /// lb.add("b").unwrap();
    /// // 3 nodes need at least 300 slots.
    /// assert!(matches!(lb.add("c"), Err(Error::InvalidTableSize { size: 211, .. })));
    /// assert_eq!(lb.add("a"), Err(Error::DuplicateNode));
    /// ```
    pub fn add(&mut self, node: N) -> Result<(), Error> {
        self.add_weighted(node, 1)
    }

    /// Adds `node` with a relative `weight` (it claims `weight / w_max` slots
    /// per round) and rebuilds the table.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroWeight`] if `weight` is 0, otherwise as [`add`](Self::add).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Maglev};
    /// let mut lb = Maglev::new();
    /// lb.add_weighted("big", 2).unwrap();
    /// lb.add_weighted("small", 1).unwrap();
    /// assert_eq!(lb.add_weighted("none", 0), Err(Error::ZeroWeight));
    /// assert_eq!(lb.weight(&"big"), Some(2));
    /// ```
    pub fn add_weighted(&mut self, node: N, weight: u32) -> Result<(), Error> {
        self.add_all_weighted([(node, weight)])
    }

    /// Adds every node of `nodes` with weight 1 and rebuilds the table once.
    /// Either all are added or, on error, none.
    ///
    /// # Errors
    ///
    /// As [`add`](Self::add), for any of the nodes (including a node given twice).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Maglev};
    /// let mut lb = Maglev::new();
    /// lb.add_all(["a", "b"]).unwrap();
    /// assert_eq!(lb.add_all(["c", "c"]), Err(Error::DuplicateNode));
    /// assert_eq!(lb.len(), 2);
    /// ```
    pub fn add_all<I: IntoIterator<Item = N>>(&mut self, nodes: I) -> Result<(), Error> {
        self.add_all_weighted(nodes.into_iter().map(|n| (n, 1)))
    }

    /// Adds every `(node, weight)` of `nodes` and rebuilds the table once.
    /// Either all are added or, on error, none.
    ///
    /// # Errors
    ///
    /// As [`add_weighted`](Self::add_weighted), for any of the nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let mut lb = Maglev::new();
    /// lb.add_all_weighted([("a", 1), ("b", 3)]).unwrap();
    /// assert_eq!(lb.weight(&"b"), Some(3));
    /// ```
    pub fn add_all_weighted<I: IntoIterator<Item = (N, u32)>>(
        &mut self,
        nodes: I,
    ) -> Result<(), Error> {
        let before = self.nodes.len();
        let result = self.push_all(nodes).and_then(|()| self.rebuild());
        if result.is_err() {
            self.nodes.truncate(before);
            self.hashes.truncate(before);
            self.weights.truncate(before);
        }
        result
    }

    fn push_all<I: IntoIterator<Item = (N, u32)>>(&mut self, nodes: I) -> Result<(), Error> {
        for (node, weight) in nodes {
            if weight == 0 {
                return Err(Error::ZeroWeight);
            }
            let h = self.hasher.hash_key(&node);
            let dup = self.nodes.iter().zip(&self.hashes).any(|(n, &nh)| {
                *n == node || (nh == h && n.with_key_bytes(|a| node.with_key_bytes(|b| a == b)))
            });
            if dup {
                return Err(Error::DuplicateNode);
            }
            let count = self.nodes.len() as u64 + 1;
            if count.saturating_mul(Self::SLOTS_PER_NODE) > self.size {
                return Err(Error::InvalidTableSize {
                    size: self.size,
                    reason: "fewer than 100 slots per node; use a larger prime table",
                });
            }
            self.nodes.push(node);
            self.hashes.push(h);
            self.weights.push(weight);
        }
        Ok(())
    }

    /// Removes `node` and rebuilds the table.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownNode`] if it is not a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Maglev};
    /// let mut lb = Maglev::from_nodes(["a", "b"]).unwrap();
    /// lb.remove(&"a").unwrap();
    /// assert_eq!(lb.route("k"), Some(&"b"));
    /// assert_eq!(lb.remove(&"a"), Err(Error::UnknownNode));
    /// ```
    pub fn remove(&mut self, node: &N) -> Result<(), Error> {
        let i = self.position(node).ok_or(Error::UnknownNode)?;
        self.nodes.swap_remove(i);
        self.hashes.swap_remove(i);
        self.weights.swap_remove(i);
        // The table is allocated already: refilling it cannot fail.
        self.rebuild()
    }

    /// Whether `node` is a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb = Maglev::from_nodes(["a"]).unwrap();
    /// assert!(lb.contains(&"a") && !lb.contains(&"b"));
    /// ```
    pub fn contains(&self, node: &N) -> bool {
        self.position(node).is_some()
    }

    /// The weight of `node`, or `None` if it is not a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb = Maglev::from_nodes(["a"]).unwrap();
    /// assert_eq!(lb.weight(&"a"), Some(1));
    /// ```
    pub fn weight(&self, node: &N) -> Option<u32> {
        self.position(node)
            .and_then(|i| self.weights.get(i).copied())
    }

    /// The number of table slots `node` owns (its share of keys is
    /// `slots / table_size()`), or `None` if it is not a member. O(M).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb = Maglev::from_nodes(["a", "b"]).unwrap();
    /// let (a, b) = (lb.slots(&"a").unwrap(), lb.slots(&"b").unwrap());
    /// assert_eq!(a + b, lb.table_size());
    /// assert!(a.abs_diff(b) <= 1);
    /// ```
    pub fn slots(&self, node: &N) -> Option<u64> {
        let i = self.position(node)?;
        self.slot_counts().get(i).copied()
    }

    /// Routes `key` to its node; `None` when there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let mut lb = Maglev::new();
    /// assert_eq!(lb.route("k"), None);
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.route("k"), Some(&"a"));
    /// ```
    #[inline]
    pub fn route<K: StableKey + ?Sized>(&self, key: &K) -> Option<&N> {
        self.route_hash(self.hasher.hash_key(key))
    }

    fn position(&self, node: &N) -> Option<usize> {
        self.nodes.iter().position(|n| n == node)
    }

    /// Refills the table from the members (paper, Pseudocode 1, with weights).
    fn rebuild(&mut self) -> Result<(), Error> {
        let m = self.size;
        if self.table.is_empty() && !self.nodes.is_empty() {
            let len = usize::try_from(m).map_err(|_| Error::InvalidTableSize {
                size: m,
                reason: "larger than the address space",
            })?;
            let mut table = Vec::new();
            table
                .try_reserve_exact(len)
                .map_err(|_| Error::InvalidTableSize {
                    size: m,
                    reason: "the table could not be allocated",
                })?;
            table.resize(len, EMPTY);
            self.table = table;
        }
        self.table.fill(EMPTY);
        if self.nodes.is_empty() {
            return Ok(());
        }

        // Turn order: node hash, then canonical bytes (distinct for members).
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (ha, hb) = (self.hashes.get(a), self.hashes.get(b));
            ha.cmp(&hb)
                .then_with(|| match (self.nodes.get(a), self.nodes.get(b)) {
                    (Some(x), Some(y)) => x.with_key_bytes(|xb| y.with_key_bytes(|yb| xb.cmp(yb))),
                    _ => std::cmp::Ordering::Equal,
                })
        });
        let w_max = u64::from(self.weights.iter().copied().max().unwrap_or(1));
        let mut cursors: Vec<Cursor> = order
            .iter()
            .filter_map(|&i| {
                let h = *self.hashes.get(i)?;
                Some(Cursor {
                    idx: u32::try_from(i).ok()?,
                    pos: mix64(h ^ OFFSET_SALT) % m,
                    skip: mix64(h ^ SKIP_SALT) % (m - 1) + 1,
                    weight: u64::from(*self.weights.get(i)?),
                    claimed: 0,
                })
            })
            .collect();

        let mut filled = 0_u64;
        let mut round = 0_u64;
        while filled < m {
            for c in &mut cursors {
                // Weighted turns: claim while `claimed / round` trails `w / w_max`.
                if u128::from(c.claimed) * u128::from(w_max)
                    > u128::from(round) * u128::from(c.weight)
                {
                    continue;
                }
                // A node's permutation visits every slot within `m` steps, and
                // the table is not full, so this finds a free slot.
                for _ in 0..m {
                    #[allow(clippy::cast_possible_truncation)] // pos < m ≤ 2³¹
                    let slot = self.table.get_mut(c.pos as usize);
                    c.pos += c.skip;
                    if c.pos >= m {
                        c.pos -= m;
                    }
                    if let Some(s) = slot.filter(|s| **s == EMPTY) {
                        *s = c.idx;
                        break;
                    }
                }
                c.claimed += 1;
                filled += 1;
                if filled == m {
                    break;
                }
            }
            round += 1;
        }
        Ok(())
    }
}

/// One node's place in its permutation while the table fills.
struct Cursor {
    idx: u32,
    pos: u64,
    skip: u64,
    weight: u64,
    claimed: u64,
}

/// Deterministic primality by trial division (`n` ≤ 2³¹, so at most 23 170
/// odd divisors).
fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut d = 3_u64;
    while d.saturating_mul(d) <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

impl<N: StableKey + Eq, S: KeyHasher> Router for Maglev<N, S> {
    type Node = N;

    #[inline]
    fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        self.hasher.hash_key(key)
    }

    #[inline]
    fn route_hash(&self, hash: u64) -> Option<&N> {
        Maglev::route_hash(self, hash)
    }

    fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
