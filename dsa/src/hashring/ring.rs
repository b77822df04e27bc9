//! The Karger consistent-hash ring with virtual nodes and weights.
//!
//! Every node owns `virtual_nodes × weight` points on a 64-bit ring; a key
//! belongs to the node of the first point at or after the key's hash (wrapping
//! past the top to the first point).
//!
//! The placement rules are a stable format: see [`HashRing`].
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::hashring::HashRing;
//!
//! let mut ring = HashRing::new();
//! ring.add("cache-a").unwrap();
//! ring.add_weighted("cache-big", 3).unwrap(); // three times the keys
//! let owner = ring.route("session:9").unwrap();
//! assert!(ring.contains(owner));
//! ring.remove(&"cache-a").unwrap();
//! assert_eq!(ring.route("session:9"), Some(&"cache-big"));
//! ```

use std::collections::HashMap;
use std::iter::FusedIterator;

use crate::hash::{KeyHasher, StableKey, Xxh3};

use super::{Error, Router};

/// The default number of points per unit of weight.
pub const DEFAULT_VIRTUAL_NODES: u32 = 160;

/// The most points a ring holds: 2²⁶ (67 million, about 0.9 GiB with the
/// bucket index), far beyond any useful ring and small enough that a bad
/// `virtual_nodes × weight` is refused instead of exhausting memory.
const MAX_POINTS: u64 = 1 << 26;

/// The most bits of a hash used to index the bucket table: about four points
/// a bucket at `MAX_POINTS`.
const MAX_INDEX_BITS: u32 = 24;

/// One member: the node, its weight, and its canonical bytes (its identity and
/// the tie-break between equal points).
#[derive(Debug, Clone)]
struct Member<N> {
    node: N,
    weight: u32,
    bytes: Box<[u8]>,
}

/// A consistent-hash ring (Karger et al.) with virtual nodes and weights.
///
/// Lookups are a binary search over a flat, sorted array of points, narrowed
/// first by a small table indexed by the top bits of the hash, so a lookup
/// touches a few cache lines whatever the ring size. Adding or removing a node
/// costs O(points).
///
/// `route_n` walks the ring from the owner and yields distinct nodes: the
/// usual replica placement.
///
/// # The format
///
/// These rules never change within a major version, so every process with the
/// same members, weights, virtual-node count and hasher routes every key to the
/// same node:
///
/// * A key's position is the ring's [`KeyHasher`] over the key's canonical
///   bytes ([`StableKey`]); with the default [`Xxh3`] that is XXH3-64 under
///   [`DEFAULT_SEED`](crate::hash::DEFAULT_SEED).
/// * Point `i` (for `i` in `0..virtual_nodes × weight`) of a node is the
///   ring's hasher over the node's canonical bytes followed by the
///   **little-endian `u32`** of `i`.
/// * A key goes to the first point `p` with `p >= hash`, or to the lowest point
///   when no point is that high.
/// * When points of different nodes are equal, the node whose canonical bytes
///   are smaller (lexicographically) comes first, and so owns that point. The
///   insertion order of members never matters.
/// * A node's identity is its canonical bytes: two nodes with the same bytes
///   are the same member.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::HashRing;
///
/// let mut ring = HashRing::new();
/// for node in ["a", "b", "c"] {
///     ring.add(node).unwrap();
/// }
/// let replicas: Vec<_> = ring.route_n("user:42", 2).collect();
/// assert_eq!(replicas.len(), 2);
/// assert_eq!(replicas[0], ring.route("user:42").unwrap());
/// assert_ne!(replicas[0], replicas[1]);
/// ```
#[derive(Debug, Clone)]
pub struct HashRing<N, S = Xxh3> {
    hasher: S,
    virtual_nodes: u32,
    members: Vec<Member<N>>,
    /// Member index by canonical bytes.
    by_bytes: HashMap<Box<[u8]>, u32>,
    /// The sorted points.
    points: Vec<u64>,
    /// `owners[i]` is the member index of `points[i]`.
    owners: Vec<u32>,
    /// `index[b]` is the first position whose point has `point >> shift >= b`.
    index: Vec<u32>,
    shift: u32,
}

impl<N: StableKey> HashRing<N, Xxh3> {
    /// An empty ring with the default hasher ([`Xxh3`]) and
    /// [`DEFAULT_VIRTUAL_NODES`] (160) points per unit of weight.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let ring: HashRing<&str> = HashRing::new();
    /// assert_eq!(ring.virtual_nodes(), 160);
    /// assert_eq!(ring.route("k"), None);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(Xxh3::default())
    }

    /// An empty ring with `virtual_nodes` points per unit of weight.
    ///
    /// More points balance better and cost memory and slower membership
    /// changes; lookups stay fast. Memory: 12 bytes a point (the `u64` point
    /// and its `u32` owner) plus the bucket index, one `u32` per 2 to 4
    /// points, so 13 to 14 bytes a point in all (about 2.1 MiB for 1000
    /// nodes of 160 points). Adding a node briefly needs 8 more bytes for
    /// each of its points.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroVirtualNodes`] when `virtual_nodes` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, HashRing};
    ///
    /// let ring = HashRing::<&str>::with_virtual_nodes(40).unwrap();
    /// assert_eq!(ring.virtual_nodes(), 40);
    /// assert_eq!(HashRing::<&str>::with_virtual_nodes(0).unwrap_err(), Error::ZeroVirtualNodes);
    /// ```
    pub fn with_virtual_nodes(virtual_nodes: u32) -> Result<Self, Error> {
        Self::with_hasher_and_virtual_nodes(Xxh3::default(), virtual_nodes)
    }
}

impl<N: StableKey> Default for HashRing<N, Xxh3> {
    fn default() -> Self {
        Self::new()
    }
}

impl<N: StableKey, S: KeyHasher> HashRing<N, S> {
    /// An empty ring hashing with `hasher`, with [`DEFAULT_VIRTUAL_NODES`]
    /// points per unit of weight.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hash::Xxh3;
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::with_hasher(Xxh3::with_seed(1));
    /// ring.add("a").unwrap();
    /// assert_eq!(ring.route("k"), Some(&"a"));
    /// ```
    #[must_use]
    pub fn with_hasher(hasher: S) -> Self {
        Self {
            hasher,
            virtual_nodes: DEFAULT_VIRTUAL_NODES,
            members: Vec::new(),
            by_bytes: HashMap::new(),
            points: Vec::new(),
            owners: Vec::new(),
            index: vec![0, 0, 0],
            shift: 63,
        }
    }

    /// An empty ring hashing with `hasher`, with `virtual_nodes` points per
    /// unit of weight.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroVirtualNodes`] when `virtual_nodes` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hash::Xxh3;
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let ring = HashRing::<u32, _>::with_hasher_and_virtual_nodes(Xxh3::with_seed(1), 8).unwrap();
    /// assert_eq!(ring.virtual_nodes(), 8);
    /// ```
    pub fn with_hasher_and_virtual_nodes(hasher: S, virtual_nodes: u32) -> Result<Self, Error> {
        if virtual_nodes == 0 {
            return Err(Error::ZeroVirtualNodes);
        }
        let mut ring = Self::with_hasher(hasher);
        ring.virtual_nodes = virtual_nodes;
        Ok(ring)
    }

    /// Adds `node` with weight 1.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateNode`] when a node with the same canonical bytes is a
    /// member; [`Error::TooManyPoints`] when the ring would exceed 2²⁶
    /// points, or the memory for them cannot be allocated. The ring is
    /// unchanged on error.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, HashRing};
    ///
    /// let mut ring = HashRing::new();
    /// ring.add("a").unwrap();
    /// assert_eq!(ring.add("a"), Err(Error::DuplicateNode));
    /// assert_eq!(ring.len(), 1);
    /// ```
    pub fn add(&mut self, node: N) -> Result<(), Error> {
        self.add_weighted(node, 1)
    }

    /// Adds `node` with a relative `weight`: it gets
    /// `virtual_nodes × weight` points and so about `weight / total weight`
    /// of the keys.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroWeight`] when `weight` is 0; [`Error::DuplicateNode`] when
    /// a node with the same canonical bytes is a member;
    /// [`Error::TooManyPoints`] when the ring would exceed 2²⁶ points
    /// (67 108 864), or the memory for them cannot be allocated. The ring is
    /// unchanged on error.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, HashRing};
    ///
    /// let mut ring = HashRing::new();
    /// ring.add_weighted("big", 4).unwrap();
    /// assert_eq!(ring.weight(&"big"), Some(4));
    /// assert_eq!(ring.point_count(), 4 * 160);
    /// assert_eq!(ring.add_weighted("none", 0), Err(Error::ZeroWeight));
    /// assert!(matches!(ring.add_weighted("huge", u32::MAX), Err(Error::TooManyPoints { .. })));
    /// ```
    pub fn add_weighted(&mut self, node: N, weight: u32) -> Result<(), Error> {
        if weight == 0 {
            return Err(Error::ZeroWeight);
        }
        let bytes: Box<[u8]> = node.with_key_bytes(|b| Box::from(b));
        if self.by_bytes.contains_key(&bytes) {
            return Err(Error::DuplicateNode);
        }
        let count = u64::from(self.virtual_nodes) * u64::from(weight);
        let total = self.points.len() as u64 + count;
        let member = u32::try_from(self.members.len()).ok();
        let too_many = Error::TooManyPoints {
            points: total,
            max: MAX_POINTS,
        };
        let (Some(member), Ok(count), Ok(total), true) = (
            member,
            usize::try_from(count),
            usize::try_from(total),
            total <= MAX_POINTS,
        ) else {
            return Err(too_many);
        };
        // Reserve everything before changing anything, so an allocation
        // failure leaves the ring as it was.
        let buckets = (1_usize << index_bits(total)) + 1;
        let reserved = self
            .points
            .try_reserve_exact(count)
            .and_then(|()| self.owners.try_reserve_exact(count))
            .and_then(|()| {
                self.index
                    .try_reserve_exact(buckets.saturating_sub(self.index.len()))
            });
        let Some(mut fresh) = reserved
            .ok()
            .and_then(|()| node_points(&self.hasher, &bytes, count))
        else {
            return Err(too_many);
        };
        fresh.sort_unstable();
        self.merge_points(&fresh, member, &bytes);
        self.by_bytes.insert(bytes.clone(), member);
        self.members.push(Member {
            node,
            weight,
            bytes,
        });
        self.rebuild_index();
        Ok(())
    }

    /// Removes `node` and returns the member that was stored.
    ///
    /// Only the keys that were on `node` move, each to the next node along
    /// the ring.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownNode`] when no member has `node`'s canonical bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, HashRing};
    ///
    /// let mut ring = HashRing::new();
    /// ring.add(String::from("a")).unwrap();
    /// assert_eq!(ring.remove("a").unwrap(), "a");
    /// assert_eq!(ring.remove("a"), Err(Error::UnknownNode));
    /// ```
    pub fn remove<Q: StableKey + ?Sized>(&mut self, node: &Q) -> Result<N, Error> {
        self.remove_member(node).map(|(_, node)| node)
    }

    /// Whether a node with `node`'s canonical bytes is a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// ring.add("a").unwrap();
    /// assert!(ring.contains("a"));
    /// assert!(!ring.contains("b"));
    /// ```
    #[must_use]
    pub fn contains<Q: StableKey + ?Sized>(&self, node: &Q) -> bool {
        self.member_index(node).is_some()
    }

    /// The weight of `node`; `None` when it is not a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// ring.add_weighted("a", 2).unwrap();
    /// assert_eq!(ring.weight("a"), Some(2));
    /// assert_eq!(ring.weight("b"), None);
    /// ```
    #[must_use]
    pub fn weight<Q: StableKey + ?Sized>(&self, node: &Q) -> Option<u32> {
        let index = self.member_index(node)?;
        self.members.get(index).map(|m| m.weight)
    }

    /// The hash of `key` under the ring's hasher: its position on the ring.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hash::{KeyHasher, Xxh3};
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let ring: HashRing<&str> = HashRing::new();
    /// assert_eq!(ring.hash_key("k"), Xxh3::default().hash_key("k"));
    /// ```
    #[inline]
    #[must_use]
    pub fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        self.hasher.hash_key(key)
    }

    /// Routes `key` to its node; `None` when the ring is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// assert_eq!(ring.route("k"), None);
    /// ring.add(7_u64).unwrap();
    /// assert_eq!(ring.route("k"), Some(&7));
    /// ```
    #[inline]
    #[must_use]
    pub fn route<K: StableKey + ?Sized>(&self, key: &K) -> Option<&N> {
        self.route_hash(self.hash_key(key))
    }

    /// Up to `n` distinct nodes for `key`, in ring order starting at its owner:
    /// replica placement. Yields `min(n, len())` nodes, never a duplicate.
    /// Allocates nothing on rings of up to 256 members, nor for `n <= 8`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// ring.add("a").unwrap();
    /// ring.add("b").unwrap();
    /// let all: Vec<_> = ring.route_n("k", 5).collect();
    /// assert_eq!(all.len(), 2);
    /// assert_eq!(all[0], ring.route("k").unwrap());
    /// assert_eq!(ring.route_n("k", 0).count(), 0);
    /// ```
    #[must_use]
    pub fn route_n<K: StableKey + ?Sized>(&self, key: &K, n: usize) -> RingReplicas<'_, N> {
        self.route_n_hash(self.hash_key(key), n)
    }
}

impl<N, S> HashRing<N, S> {
    /// The number of member nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// ring.add("a").unwrap();
    /// assert_eq!(ring.len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the ring has no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// assert!(HashRing::<&str>::new().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The member nodes, in no particular order (it changes as nodes are
    /// removed).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// ring.add("a").unwrap();
    /// ring.add("b").unwrap();
    /// let mut nodes: Vec<_> = ring.nodes().copied().collect();
    /// nodes.sort();
    /// assert_eq!(nodes, ["a", "b"]);
    /// ```
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = &N> + Clone + '_ {
        self.members.iter().map(|m| &m.node)
    }

    /// Points per unit of weight.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// assert_eq!(HashRing::<&str>::new().virtual_nodes(), 160);
    /// ```
    #[must_use]
    pub const fn virtual_nodes(&self) -> u32 {
        self.virtual_nodes
    }

    /// The number of points on the ring: the sum of `virtual_nodes × weight`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::with_virtual_nodes(10).unwrap();
    /// ring.add_weighted("a", 3).unwrap();
    /// assert_eq!(ring.point_count(), 30);
    /// ```
    #[must_use]
    pub fn point_count(&self) -> usize {
        self.points.len()
    }

    /// The key hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hash::Xxh3;
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// assert_eq!(*HashRing::<&str>::new().hasher(), Xxh3::default());
    /// ```
    #[must_use]
    pub const fn hasher(&self) -> &S {
        &self.hasher
    }

    /// Routes an already-hashed key (a ring position); `None` when empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// ring.add("a").unwrap();
    /// assert_eq!(ring.route_hash(u64::MAX), Some(&"a"));
    /// ```
    #[inline]
    #[must_use]
    pub fn route_hash(&self, hash: u64) -> Option<&N> {
        let position = self.position(hash)?;
        let owner = *self.owners.get(position)?;
        self.node_at(owner)
    }

    /// Like [`route_n`](Self::route_n), for an already-hashed key.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::HashRing;
    ///
    /// let mut ring = HashRing::new();
    /// ring.add("a").unwrap();
    /// assert_eq!(ring.route_n_hash(42, 3).collect::<Vec<_>>(), [&"a"]);
    /// ```
    #[must_use]
    pub fn route_n_hash(&self, hash: u64, n: usize) -> RingReplicas<'_, N> {
        let start = self.position(hash).unwrap_or(0);
        let remaining = n.min(self.members.len());
        let seen = if remaining == 0 || self.members.len() <= INLINE_MEMBERS {
            Seen::Bits([0; INLINE_MEMBERS / 64])
        } else if remaining <= INLINE_REPLICAS {
            Seen::List([0; INLINE_REPLICAS], 0)
        } else {
            Seen::Heap(vec![0; self.members.len().div_ceil(64)])
        };
        RingReplicas {
            members: &self.members,
            owners: &self.owners,
            start,
            step: 0,
            remaining,
            seen,
        }
    }

    /// The position in `points` of the first point at or after `hash`,
    /// wrapping to 0; `None` when the ring is empty.
    #[inline]
    pub(crate) fn position(&self, hash: u64) -> Option<usize> {
        let len = self.points.len();
        if len == 0 {
            return None;
        }
        let bucket = usize::try_from(hash >> self.shift).unwrap_or(usize::MAX);
        let (lo, hi) = match (
            self.index.get(bucket),
            self.index.get(bucket.wrapping_add(1)),
        ) {
            (Some(&lo), Some(&hi)) => (lo as usize, hi as usize),
            _ => (0, len),
        };
        let found = match self.points.get(lo..hi) {
            Some(slice) => lo + slice.partition_point(|&p| p < hash),
            None => self.points.partition_point(|&p| p < hash),
        };
        Some(if found >= len { 0 } else { found })
    }

    /// The member indices of the points, in ring order.
    pub(crate) fn owners(&self) -> &[u32] {
        &self.owners
    }

    /// The node of member `index`.
    #[inline]
    pub(crate) fn node_at(&self, index: u32) -> Option<&N> {
        self.members.get(index as usize).map(|m| &m.node)
    }

    /// The member index of `node`, by canonical bytes.
    pub(crate) fn member_index<Q: StableKey + ?Sized>(&self, node: &Q) -> Option<usize> {
        node.with_key_bytes(|bytes| self.by_bytes.get(bytes))
            .map(|&i| i as usize)
    }

    /// Removes `node` and returns its former member index and the node. The
    /// member list is changed like [`Vec::swap_remove`]: the last member takes
    /// the removed index.
    pub(crate) fn remove_member<Q: StableKey + ?Sized>(
        &mut self,
        node: &Q,
    ) -> Result<(usize, N), Error> {
        let index = self.member_index(node).ok_or(Error::UnknownNode)?;
        let (Ok(removed), Some(last)) = (
            u32::try_from(index),
            self.members
                .len()
                .checked_sub(1)
                .and_then(|l| u32::try_from(l).ok()),
        ) else {
            return Err(Error::UnknownNode);
        };
        if index >= self.members.len() {
            return Err(Error::UnknownNode);
        }

        let mut kept = 0;
        for i in 0..self.points.len() {
            let (Some(&point), Some(&owner)) = (self.points.get(i), self.owners.get(i)) else {
                break;
            };
            if owner == removed {
                continue;
            }
            let owner = if owner == last { removed } else { owner };
            if let (Some(p), Some(o)) = (self.points.get_mut(kept), self.owners.get_mut(kept)) {
                *p = point;
                *o = owner;
            }
            kept += 1;
        }
        self.points.truncate(kept);
        self.owners.truncate(kept);

        let member = self.members.swap_remove(index);
        self.by_bytes.remove(&member.bytes);
        if let Some(moved) = self.members.get(index) {
            self.by_bytes.insert(moved.bytes.clone(), removed);
        }
        self.rebuild_index();
        Ok((index, member.node))
    }

    /// Merges the sorted points of a new member (`member`, canonical `bytes`)
    /// into the ring, ordering equal points by the owners' canonical bytes.
    /// Merges in place from the back, so the arrays grow without a copy.
    fn merge_points(&mut self, fresh: &[u64], member: u32, bytes: &[u8]) {
        let mut old = self.points.len();
        let mut new = fresh.len();
        self.points.resize(old + new, 0);
        self.owners.resize(old + new, 0);
        // Invariant: the slots `old + new..` are final; `old <= points.len()`
        // and `new <= fresh.len()`, so every index below is in bounds.
        while new > 0 {
            let q = fresh[new - 1];
            let old_goes_last = old > 0 && {
                let (p, owner) = (self.points[old - 1], self.owners[old - 1]);
                p > q
                    || (p == q
                        && self
                            .members
                            .get(owner as usize)
                            .is_some_and(|m| *m.bytes > *bytes))
            };
            let slot = old + new - 1;
            if old_goes_last {
                self.points[slot] = self.points[old - 1];
                self.owners[slot] = self.owners[old - 1];
                old -= 1;
            } else {
                self.points[slot] = q;
                self.owners[slot] = member;
                new -= 1;
            }
        }
    }

    /// Rebuilds the bucket table over the top bits of the points: about four
    /// points a bucket, so a lookup searches a few adjacent points.
    fn rebuild_index(&mut self) {
        let bits = index_bits(self.points.len());
        self.shift = 64 - bits;
        let buckets = 1_usize << bits;
        self.index.clear();
        self.index.reserve(buckets + 1);
        let mut position = 0_usize;
        let mut pending = self.points.iter().map(|&p| p >> self.shift).peekable();
        for bucket in 0..=buckets as u64 {
            while pending.next_if(|&b| b < bucket).is_some() {
                position += 1;
            }
            // At most MAX_POINTS (2^26) points, so the position fits.
            self.index.push(u32::try_from(position).unwrap_or(u32::MAX));
        }
    }
}

/// The number of bits of the bucket index for a ring of `points` points:
/// about four points a bucket.
fn index_bits(points: usize) -> u32 {
    points
        .next_power_of_two()
        .trailing_zeros()
        .saturating_sub(2)
        .clamp(1, MAX_INDEX_BITS)
}

/// The `count` points of a node with canonical `bytes`: the hasher over the
/// bytes followed by the little-endian `u32` point number. One buffer serves
/// all points. `None` when the memory cannot be allocated.
fn node_points<S: KeyHasher>(hasher: &S, bytes: &[u8], count: usize) -> Option<Vec<u64>> {
    let mut buffer = Vec::with_capacity(bytes.len() + 4);
    buffer.extend_from_slice(bytes);
    buffer.extend_from_slice(&[0; 4]);
    let mut points = Vec::new();
    points.try_reserve_exact(count).ok()?;
    // `count` is at most MAX_POINTS, so every point number fits in a u32.
    for i in (0..=u32::MAX).take(count) {
        if let Some(suffix) = buffer.get_mut(bytes.len()..) {
            suffix.copy_from_slice(&i.to_le_bytes());
        }
        points.push(hasher.hash_bytes(&buffer));
    }
    Some(points)
}

impl<N: StableKey, S: KeyHasher> Router for HashRing<N, S> {
    type Node = N;

    #[inline]
    fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        self.hasher.hash_key(key)
    }

    #[inline]
    fn route_hash(&self, hash: u64) -> Option<&N> {
        HashRing::route_hash(self, hash)
    }

    fn node_count(&self) -> usize {
        self.members.len()
    }
}

/// The distinct nodes of a key in ring order, owner first: the iterator of
/// [`HashRing::route_n`].
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::HashRing;
///
/// let mut ring = HashRing::new();
/// ring.add("a").unwrap();
/// let mut replicas = ring.route_n("k", 2);
/// assert_eq!(replicas.len(), 1);
/// assert_eq!(replicas.next(), Some(&"a"));
/// assert_eq!(replicas.next(), None);
/// ```
#[derive(Debug, Clone)]
pub struct RingReplicas<'a, N> {
    members: &'a [Member<N>],
    owners: &'a [u32],
    start: usize,
    step: usize,
    remaining: usize,
    /// The members already yielded.
    seen: Seen,
}

/// Members up to which `route_n` tracks yielded members in an inline bitset.
const INLINE_MEMBERS: usize = 256;
/// Replicas up to which `route_n` tracks yielded members in an inline list
/// (on rings of more than [`INLINE_MEMBERS`] members).
const INLINE_REPLICAS: usize = 8;

/// The members a [`RingReplicas`] has yielded: no allocation for rings of up
/// to 256 members, or for up to 8 replicas.
#[derive(Debug, Clone)]
enum Seen {
    /// A bit per member, for up to [`INLINE_MEMBERS`] members.
    Bits([u64; INLINE_MEMBERS / 64]),
    /// The yielded members and their count, for up to [`INLINE_REPLICAS`].
    List([u32; INLINE_REPLICAS], usize),
    /// A bit per member, for any size.
    Heap(Vec<u64>),
}

impl Seen {
    /// Marks `member` as yielded; `false` when it already was.
    #[inline]
    fn insert(&mut self, member: u32) -> bool {
        let (word, bit) = (member as usize / 64, 1_u64 << (member % 64));
        let words = match self {
            Self::Bits(words) => &mut words[..],
            Self::Heap(words) => &mut words[..],
            Self::List(list, len) => {
                let used = list.get(..*len).unwrap_or(&[]);
                if used.contains(&member) {
                    return false;
                }
                return match list.get_mut(*len) {
                    Some(slot) => {
                        *slot = member;
                        *len += 1;
                        true
                    }
                    None => false,
                };
            }
        };
        match words.get_mut(word) {
            Some(w) if *w & bit == 0 => {
                *w |= bit;
                true
            }
            _ => false,
        }
    }
}

impl<'a, N> Iterator for RingReplicas<'a, N> {
    type Item = &'a N;

    fn next(&mut self) -> Option<&'a N> {
        let len = self.owners.len();
        while self.remaining > 0 && self.step < len {
            let mut position = self.start + self.step;
            if position >= len {
                position -= len;
            }
            self.step += 1;
            let owner = *self.owners.get(position)?;
            if self.seen.insert(owner) {
                self.remaining -= 1;
                return self.members.get(owner as usize).map(|m| &m.node);
            }
        }
        self.remaining = 0;
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // Every member owns at least one point, so the walk finds them all.
        (self.remaining, Some(self.remaining))
    }
}

impl<N> ExactSizeIterator for RingReplicas<'_, N> {}

impl<N> FusedIterator for RingReplicas<'_, N> {}
