//! Maglev hashing: an O(1) lookup table (Eisenbud et al., "Maglev: A Fast
//! and Reliable Software Network Load Balancer", NSDI 2016, §3.4).
//!
//! Every node walks its own permutation of the `M` table slots (`M` prime)
//! and, turn by turn, claims the next free slot of its permutation until the
//! table is full. A key goes to `table[hash % M]`: one load, the remainder
//! computed by multiplication (Lemire's fastmod) rather than a division.
//! Each node ends up with `M / n` slots give or take one (weights scale the
//! number of turns), and a membership change moves few slots besides those of
//! the node that changed, **provided the table is large for the node count**:
//! the paper asks for `M ≫ 100 · n`, and with a small table Maglev moves
//! several times the ideal share (figures below). [`Maglev::sized_for`] picks
//! a table of at least 1000 slots a node.
//!
//! Memory: `4 · M` bytes for the table (256 KiB at the default `M = 65537`).
//! A membership change refills the whole table: an expected `M · ln M` probes
//! of the node permutations (the paper's bound, which holds with weights too:
//! a probe's cost depends only on how full the table is), plus `O(M log n)`
//! to schedule the turns of unequal weights. Build many members at once with
//! [`Maglev::from_nodes`] or [`Maglev::add_all`].
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
//!   and the others in proportion (the scheme Envoy uses). Within a round,
//!   nodes take their turns in the order above.
//! * A key hash `k` goes to `table[k % M]`.
//!
//! # Table size
//!
//! `M` must be a prime between [`Maglev::MIN_TABLE_SIZE`] and
//! [`Maglev::MAX_TABLE_SIZE`], and at least [`Maglev::SLOTS_PER_NODE`] (100)
//! times the number of nodes: [`Maglev::add`] refuses a node that would break
//! that rule with [`Error::InvalidTableSize`] rather than silently degrading
//! balance and disruption further. The default `M = 65537` takes up to 655
//! nodes.
//!
//! 100 slots a node is the floor, not a good size. Maglev's disruption is
//! near-minimal only in a table large for the node count: when a node
//! leaves, the refill also moves slots *between surviving nodes*, and that
//! excess grows with `n` and shrinks as the table grows. Measured
//! (`dsa/tests/hashring_tables.rs`, one node of `n` leaving), slots of
//! surviving nodes that change owner, as a multiple of the departed node's
//! own share (the ideal movement):
//!
//! | slots a node | `n = 100` | `n = 600` |
//! | --- | --- | --- |
//! | ~100 (the floor; the default `M = 65 537` at `n = 600`) | — | 4.7 × |
//! | 655 (the default `M` at `n = 100`) | 0.53 × | — |
//! | 1000 ([`Maglev::sized_for`]: `M` = 100 003, 600 011) | 0.42 × | 1.7 × |
//! | 2000 | 0.29 × | 1.0 × |
//! | 5000 | 0.17 × | 0.57 × |
//! | 10 000 | 0.11 × | 0.36 × |
//!
//! (At `n = 10` the default table, 6554 slots a node, moves 0.03 ×.) So size
//! the table for the most nodes you expect: [`Maglev::sized_for`] gives at
//! least 1000 slots a node; for several hundred nodes and near-ideal
//! movement, pick a larger prime by hand with [`Maglev::with_table_size`]
//! (4 bytes a slot).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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
/// Nodes are identified by their canonical bytes ([`StableKey`]), as in
/// [`HashRing`](super::HashRing): two nodes with the same bytes are
/// duplicates, and `remove`, `contains`, `weight` and `slots` take anything
/// with a node's bytes (a `&str` for a `String` node).
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
    /// `u128::MAX / size + 1`: Lemire's fastmod constant for `size`.
    fastmod: u128,
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

    /// An empty router with the default hasher and a table sized for up to
    /// `max_nodes` equal-weight nodes: the smallest prime at least
    /// `max(65 537, 1000 × max_nodes)`, 4 bytes a slot. Adding more than
    /// `max_nodes` nodes still works, down to the floor of 100 slots a node,
    /// with more disruption. At 1000 slots a node a departure moves 0.42 ×
    /// the ideal share between surviving nodes at 100 nodes and 1.7 × at 600
    /// (module docs), against 4.7 × at the 100-slot floor.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidTableSize`] when that prime would exceed
    /// [`MAX_TABLE_SIZE`](Self::MAX_TABLE_SIZE) (more than 2 147 483 nodes),
    /// or when the table cannot be allocated once a node is added.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Maglev};
    /// assert_eq!(Maglev::<u32>::sized_for(10).unwrap().table_size(), 65_537);
    /// assert_eq!(Maglev::<u32>::sized_for(100).unwrap().table_size(), 100_003);
    /// let mut lb = Maglev::sized_for(600).unwrap();
    /// lb.add_all(0_u32..600).unwrap();
    /// assert!(lb.table_size() >= 600_000);
    /// assert!(matches!(Maglev::<u32>::sized_for(3_000_000), Err(Error::InvalidTableSize { .. })));
    /// ```
    pub fn sized_for(max_nodes: usize) -> Result<Self, Error> {
        Self::with_table_size(table_size_for(max_nodes)?)
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
        N: StableKey,
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
            fastmod: fastmod_constant(Self::DEFAULT_TABLE_SIZE),
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
        lb.fastmod = fastmod_constant(size);
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
        let slot = fastmod(hash, self.fastmod, self.size) as usize;
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

impl<N: StableKey, S: KeyHasher> Maglev<N, S> {
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
    /// assert_eq!(lb.weight("big"), Some(2));
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
    /// assert_eq!(lb.weight("b"), Some(3));
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
            if self.find(&node, h).is_some() {
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

    /// Removes the node with `node`'s canonical bytes, rebuilds the table
    /// and returns the node that was stored.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownNode`] if no member has those bytes;
    /// [`Error::InvalidTableSize`] if the refill cannot allocate its turn
    /// schedule; the router is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Maglev};
    /// let mut lb = Maglev::from_nodes([String::from("a"), String::from("b")]).unwrap();
    /// assert_eq!(lb.remove("a").unwrap(), "a");
    /// assert_eq!(lb.route("k").map(String::as_str), Some("b"));
    /// assert_eq!(lb.remove("a"), Err(Error::UnknownNode));
    /// ```
    pub fn remove<Q: StableKey + ?Sized>(&mut self, node: &Q) -> Result<N, Error> {
        let i = self.position(node).ok_or(Error::UnknownNode)?;
        let node = self.nodes.swap_remove(i);
        let hash = self.hashes.swap_remove(i);
        let weight = self.weights.swap_remove(i);
        // The table is allocated already (a member existed); refilling it
        // allocates only the turn schedule, and fails before touching the
        // table.
        if let Err(e) = self.rebuild() {
            // Undo the swap_remove: the router is as it was.
            let last = self.nodes.len();
            self.nodes.push(node);
            self.hashes.push(hash);
            self.weights.push(weight);
            self.nodes.swap(i, last);
            self.hashes.swap(i, last);
            self.weights.swap(i, last);
            return Err(e);
        }
        Ok(node)
    }

    /// Whether a node with `node`'s canonical bytes is a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb = Maglev::from_nodes([String::from("a")]).unwrap();
    /// assert!(lb.contains("a") && !lb.contains("b"));
    /// ```
    pub fn contains<Q: StableKey + ?Sized>(&self, node: &Q) -> bool {
        self.position(node).is_some()
    }

    /// The weight of the node with `node`'s canonical bytes, or `None` if it
    /// is not a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb = Maglev::from_nodes(["a"]).unwrap();
    /// assert_eq!(lb.weight("a"), Some(1));
    /// ```
    pub fn weight<Q: StableKey + ?Sized>(&self, node: &Q) -> Option<u32> {
        self.position(node)
            .and_then(|i| self.weights.get(i).copied())
    }

    /// The number of table slots the node with `node`'s canonical bytes owns
    /// (its share of keys is `slots / table_size()`), or `None` if it is not
    /// a member. O(M).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Maglev;
    /// let lb = Maglev::from_nodes(["a", "b"]).unwrap();
    /// let (a, b) = (lb.slots("a").unwrap(), lb.slots("b").unwrap());
    /// assert_eq!(a + b, lb.table_size());
    /// assert!(a.abs_diff(b) <= 1);
    /// ```
    pub fn slots<Q: StableKey + ?Sized>(&self, node: &Q) -> Option<u64> {
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

    /// The index of the member with `node`'s canonical bytes.
    fn position<Q: StableKey + ?Sized>(&self, node: &Q) -> Option<usize> {
        self.find(node, self.hasher.hash_key(node))
    }

    /// The index of the member with `node`'s canonical bytes, whose node
    /// hash is `h`.
    fn find<Q: StableKey + ?Sized>(&self, node: &Q, h: u64) -> Option<usize> {
        node.with_key_bytes(|b| {
            self.nodes
                .iter()
                .zip(&self.hashes)
                .position(|(n, &nh)| nh == h && n.with_key_bytes(|a| a == b))
        })
    }

    /// Every member's cursor at the start of its permutation, in turn order.
    fn cursors(&self) -> Vec<Cursor> {
        let m = self.size;
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
        order
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
            .collect()
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
        // The turn schedule of unequal weights, reserved before the table is
        // touched so that an allocation failure changes nothing.
        let mut heap = BinaryHeap::new();
        heap.try_reserve_exact(self.nodes.len())
            .map_err(|_| Error::InvalidTableSize {
                size: m,
                reason: "the table could not be allocated",
            })?;
        self.table.fill(EMPTY);
        if self.nodes.is_empty() {
            return Ok(());
        }

        let w_max = u64::from(self.weights.iter().copied().max().unwrap_or(1));
        let mut cursors = self.cursors();

        let w_min = u64::from(self.weights.iter().copied().min().unwrap_or(1));
        if w_min == w_max {
            // Equal weights: every node takes a turn every round.
            let mut filled = 0_u64;
            while filled < m {
                for c in &mut cursors {
                    c.claim(&mut self.table, m);
                    filled += 1;
                    if filled == m {
                        break;
                    }
                }
            }
            return Ok(());
        }

        // Weighted turns. A node takes a turn in round `r` when
        // `claimed · w_max ≤ r · w`, that is from round
        // `due = ⌈claimed · w_max / w⌉` on; it is visited every round, so it
        // takes exactly that round's turn, and its next `due` is later
        // (`w ≤ w_max`). Popping (due, turn order) from a min-heap therefore
        // gives the same sequence of turns as visiting every node every
        // round, without the rounds in which light nodes sit idle.
        heap.extend((0..cursors.len()).map(|turn| Reverse((0_u64, turn))));
        let mut filled = 0_u64;
        while filled < m {
            let Some(Reverse((_, turn))) = heap.pop() else {
                break;
            };
            let Some(c) = cursors.get_mut(turn) else {
                break;
            };
            c.claim(&mut self.table, m);
            filled += 1;
            // claimed ≤ m < 2³¹ and w_max < 2³², so the product fits; w ≥ 1.
            let due = (c.claimed * w_max).div_ceil(c.weight.max(1));
            heap.push(Reverse((due, turn)));
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

impl Cursor {
    /// Claims the next free slot of this node's permutation of `table`
    /// (`m` slots, not full).
    #[inline]
    fn claim(&mut self, table: &mut [u32], m: u64) {
        // A node's permutation visits every slot within `m` steps, and the
        // table is not full, so this finds a free slot.
        for _ in 0..m {
            #[allow(clippy::cast_possible_truncation)] // pos < m ≤ 2³¹
            let slot = table.get_mut(self.pos as usize);
            self.pos += self.skip;
            if self.pos >= m {
                self.pos -= m;
            }
            if let Some(s) = slot.filter(|s| **s == EMPTY) {
                *s = self.idx;
                break;
            }
        }
        self.claimed += 1;
    }
}

/// Lemire's fastmod constant for a divisor `d >= 2`: `⌊(2¹²⁸ − 1) / d⌋ + 1`.
const fn fastmod_constant(d: u64) -> u128 {
    u128::MAX / (d as u128) + 1
}

/// `a % d` for `2 <= d < 2³²` by Lemire's fastmod ("Faster Remainder by
/// Direct Computation", 2019): with `c = fastmod_constant(d)`, the remainder
/// is the high 128 bits of `(c · a mod 2¹²⁸) · d`. Exact for every 64-bit
/// `a`, since 128 ≥ 64 + 32 fraction bits.
#[inline]
#[allow(clippy::cast_possible_truncation)] // the low 64 bits, on purpose
const fn fastmod(a: u64, c: u128, d: u64) -> u64 {
    let low = c.wrapping_mul(a as u128);
    // (low · d) >> 128 with low = hi · 2⁶⁴ + lo; each partial product is
    // below 2⁹⁶ because d < 2³².
    let hi = (low >> 64) * (d as u128);
    let lo = (low as u64 as u128) * (d as u128);
    ((hi + (lo >> 64)) >> 64) as u64
}

/// The smallest prime at least `max(65 537, 1000 · max_nodes)`, if it is at
/// most the largest table size.
fn table_size_for(max_nodes: usize) -> Result<u64, Error> {
    const MAX: u64 = (1 << 31) - 1;
    let want = u64::try_from(max_nodes)
        .unwrap_or(u64::MAX)
        .saturating_mul(1000)
        .max(65_537);
    if want > MAX {
        return Err(Error::InvalidTableSize {
            size: want,
            reason: "more than 2^31 - 1 slots needed for 1000 slots a node",
        });
    }
    // 2³¹ − 1 is prime, so the search ends by MAX.
    let mut size = want | 1;
    while size < MAX && !is_prime(size) {
        size += 2;
    }
    Ok(size)
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

impl<N: StableKey, S: KeyHasher> Router for Maglev<N, S> {
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

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)] // small test values
mod tests {
    use super::{EMPTY, Maglev, fastmod, fastmod_constant, is_prime, table_size_for};
    use crate::hash::mix64;

    #[test]
    fn fastmod_equals_remainder() {
        let divisors = [
            2,
            3,
            101,
            211,
            5003,
            65_537,
            100_003,
            600_011,
            1_000_003,
            (1 << 31) - 1,
            (1 << 32) - 5,
            u64::from(u32::MAX),
        ];
        let edges = [
            0,
            1,
            2,
            u64::MAX,
            u64::MAX - 1,
            1 << 63,
            (1 << 63) - 1,
            1 << 32,
            (1 << 32) - 1,
        ];
        for d in divisors {
            let c = fastmod_constant(d);
            for a in edges {
                assert_eq!(fastmod(a, c, d), a % d, "{a} % {d}");
            }
            // Multiples of d and their neighbours.
            for k in [1, 2, 7, u64::MAX / d - 1, u64::MAX / d] {
                let a = k * d;
                for a in [a - 1, a, a.saturating_add(1)] {
                    assert_eq!(fastmod(a, c, d), a % d, "{a} % {d}");
                }
            }
            for i in 0..20_000_u64 {
                let a = mix64(i ^ d);
                assert_eq!(fastmod(a, c, d), a % d, "{a} % {d}");
            }
        }
    }

    /// The heap schedule of weighted turns gives the table of the plain
    /// round-by-round loop (the format's definition), bit for bit.
    #[test]
    fn weighted_heap_schedule_equals_round_loop() {
        let weight_sets: [&[u32]; 5] = [
            &[1, 2, 1, 4],
            &[3, 3, 3],
            &[1, 1000],
            &[7, 5, 3, 2, 1, 1, 9, 4],
            &[u32::MAX, 1, 2, u32::MAX - 1],
        ];
        for (k, weights) in weight_sets.iter().enumerate() {
            let mut lb = Maglev::with_table_size(5003).unwrap();
            lb.add_all_weighted(
                weights
                    .iter()
                    .enumerate()
                    .map(|(i, &w)| (i as u32 * 31 + k as u32, w)),
            )
            .unwrap();
            let w_max = u64::from(*weights.iter().max().unwrap());
            let m = lb.size;
            let mut cursors = lb.cursors();
            let mut table = vec![EMPTY; m as usize];
            let (mut filled, mut round) = (0_u64, 0_u64);
            'fill: while filled < m {
                for c in &mut cursors {
                    if u128::from(c.claimed) * u128::from(w_max)
                        > u128::from(round) * u128::from(c.weight)
                    {
                        continue;
                    }
                    c.claim(&mut table, m);
                    filled += 1;
                    if filled == m {
                        break 'fill;
                    }
                }
                round += 1;
            }
            assert_eq!(table, lb.table, "weights {weights:?}");
        }
    }

    #[test]
    fn table_sizes_for_node_counts() {
        assert_eq!(table_size_for(0), Ok(65_537));
        assert_eq!(table_size_for(65), Ok(65_537));
        assert_eq!(table_size_for(100), Ok(100_003));
        assert_eq!(table_size_for(1000), Ok(1_000_003));
        assert!(table_size_for(2_147_483).is_ok_and(|m| m < (1 << 31)));
        assert!(table_size_for(2_147_484).is_err());
        assert!(table_size_for(usize::MAX).is_err());
        for n in [1, 7, 66, 600, 12_345] {
            let m = table_size_for(n).unwrap();
            assert!(is_prime(m) && m >= 1000 * n as u64);
            assert!(((1000 * n as u64).max(65_537)..m).all(|k| !is_prime(k)));
        }
    }
}
