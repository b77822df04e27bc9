//! Weighted rendezvous hashing (highest random weight, HRW).
//!
//! Every node scores every key; the key goes to the highest score. With the
//! *logarithmic method* of Schindelhauer and Schomaker ("Weighted Distributed
//! Hash Tables", SPAA 2005; the form popularised by Resonate's write-up), the
//! score of node `i` for a key is `wᵢ / −ln(u)`, where `u ∈ (0, 1)` is a
//! uniform value derived from the key and the node. A node then wins exactly
//! its weight's share of the keys, and a membership change moves only the keys
//! of the node that changed: the ideal.
//!
//! Lookup is O(n) in the number of nodes with no allocation: use it for tens
//! to a few hundred nodes, when exact weights or ranked replica lists
//! ([`Rendezvous::route_n`]) matter more than lookup speed.
//!
//! # The stable format
//!
//! * Node hash `h = S::hash_key(node)` (XXH3 under the default seed unless a
//!   hasher is given), computed once at insertion.
//! * Per key and node: `m = mix64(key_hash ^ h)` ([`mix64`]) and
//!   `u = ((m >> 12) + ½) / 2⁵²`, so `u` is never 0 nor 1.
//! * Score `w / −ln(u)` in IEEE-754 `f64`; the highest score wins. Ties are
//!   broken by the larger `m`, then the larger node hash, then the larger
//!   canonical byte string, so the result never depends on insertion order.
//! * When all weights are equal the score is monotone in `m`, and the winner
//!   is computed from `m` alone (no logarithm), which gives the same node.
//!
//! The logarithm comes from the platform's `f64::ln`; implementations may
//! differ in the last bit, which can only matter for a key whose two best
//! weighted scores are within one ulp of each other (about 2⁻⁵⁰ per key).

use std::cmp::Ordering;

use super::{Error, Router};
use crate::hash::{KeyHasher, StableKey, Xxh3, mix64};

/// A weighted rendezvous (highest-random-weight) router.
///
/// Nodes are identified by their canonical bytes ([`StableKey`]), as in
/// [`HashRing`](super::HashRing): two nodes with the same bytes are
/// duplicates, and `remove`, `contains` and `weight` take anything with a
/// node's bytes (a `&str` for a `String` node).
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::Rendezvous;
///
/// let mut hrw = Rendezvous::new();
/// hrw.add("a").unwrap();
/// hrw.add_weighted("b", 2).unwrap(); // about twice the keys of "a"
/// let owner = *hrw.route("user:42").unwrap();
/// hrw.add("c").unwrap();
/// // Adding "c" only moves keys to "c".
/// let now = *hrw.route("user:42").unwrap();
/// assert!(now == owner || now == "c");
/// ```
#[derive(Debug, Clone)]
pub struct Rendezvous<N, S = Xxh3> {
    nodes: Vec<N>,
    hashes: Vec<u64>,
    weights: Vec<u32>,
    /// `weights[i] as f64`, for the score.
    fweights: Vec<f64>,
    /// Every weight is the same: the winner follows from `m` alone.
    uniform: bool,
    hasher: S,
}

impl<N> Rendezvous<N> {
    /// An empty router with the default hasher ([`Xxh3`] under the default seed).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Rendezvous;
    /// let hrw: Rendezvous<&str> = Rendezvous::new();
    /// assert!(hrw.route("k").is_none());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_hasher(Xxh3::default())
    }
}

impl<N, S: Default> Default for Rendezvous<N, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<N, S> Rendezvous<N, S> {
    /// An empty router that hashes keys and nodes with `hasher`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{hash::Xxh3, hashring::Rendezvous};
    /// let mut hrw = Rendezvous::with_hasher(Xxh3::with_seed(7));
    /// hrw.add("a").unwrap();
    /// assert_eq!(hrw.route("k"), Some(&"a"));
    /// ```
    #[must_use]
    pub fn with_hasher(hasher: S) -> Self {
        Self {
            nodes: Vec::new(),
            hashes: Vec::new(),
            weights: Vec::new(),
            fweights: Vec::new(),
            uniform: true,
            hasher,
        }
    }

    /// The number of nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Rendezvous;
    /// let mut hrw = Rendezvous::new();
    /// hrw.add(1_u32).unwrap();
    /// assert_eq!(hrw.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Rendezvous;
    /// assert!(Rendezvous::<u32>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The member nodes, in no particular order.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Rendezvous;
    /// let mut hrw = Rendezvous::new();
    /// hrw.add("a").unwrap();
    /// assert_eq!(hrw.nodes(), &["a"]);
    /// ```
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// The key hasher.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::{hash::Xxh3, hashring::Rendezvous};
    /// let hrw: Rendezvous<u8> = Rendezvous::new();
    /// assert_eq!(*hrw.hasher(), Xxh3::default());
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hasher
    }

    fn refresh_uniform(&mut self) {
        self.uniform = self.weights.windows(2).all(|w| w[0] == w[1]);
    }
}

impl<N: StableKey, S: KeyHasher> Rendezvous<N, S> {
    /// Adds `node` with weight 1.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateNode`] if the node (or one with the same canonical
    /// bytes) is already a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Rendezvous};
    /// let mut hrw = Rendezvous::new();
    /// hrw.add("a").unwrap();
    /// assert_eq!(hrw.add("a"), Err(Error::DuplicateNode));
    /// ```
    pub fn add(&mut self, node: N) -> Result<(), Error> {
        self.add_weighted(node, 1)
    }

    /// Adds `node` with a relative `weight`: it receives `weight / Σ weights`
    /// of the keys.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroWeight`] if `weight` is 0; [`Error::DuplicateNode`] if the
    /// node is already a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Rendezvous};
    /// let mut hrw = Rendezvous::new();
    /// hrw.add_weighted("big", 3).unwrap();
    /// assert_eq!(hrw.add_weighted("none", 0), Err(Error::ZeroWeight));
    /// assert_eq!(hrw.weight("big"), Some(3));
    /// ```
    pub fn add_weighted(&mut self, node: N, weight: u32) -> Result<(), Error> {
        if weight == 0 {
            return Err(Error::ZeroWeight);
        }
        let h = self.hasher.hash_key(&node);
        if self.find(&node, h).is_some() {
            return Err(Error::DuplicateNode);
        }
        self.nodes.push(node);
        self.hashes.push(h);
        self.weights.push(weight);
        self.fweights.push(f64::from(weight));
        self.uniform = self.uniform && self.weights.first() == Some(&weight);
        Ok(())
    }

    /// Removes the node with `node`'s canonical bytes and returns the node
    /// that was stored. Only the keys it owned move, each to its
    /// next-highest scoring node.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownNode`] if no member has those bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Rendezvous};
    /// let mut hrw = Rendezvous::new();
    /// hrw.add(String::from("a")).unwrap();
    /// assert_eq!(hrw.remove("a").unwrap(), "a");
    /// assert_eq!(hrw.remove("a"), Err(Error::UnknownNode));
    /// ```
    pub fn remove<Q: StableKey + ?Sized>(&mut self, node: &Q) -> Result<N, Error> {
        let i = self.position(node).ok_or(Error::UnknownNode)?;
        let node = self.nodes.swap_remove(i);
        self.hashes.swap_remove(i);
        self.weights.swap_remove(i);
        self.fweights.swap_remove(i);
        self.refresh_uniform();
        Ok(node)
    }

    /// Whether a node with `node`'s canonical bytes is a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Rendezvous;
    /// let mut hrw = Rendezvous::new();
    /// hrw.add(String::from("a")).unwrap();
    /// assert!(hrw.contains("a") && !hrw.contains("b"));
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
    /// use pillars_dsa::hashring::Rendezvous;
    /// let mut hrw = Rendezvous::new();
    /// hrw.add("a").unwrap();
    /// assert_eq!(hrw.weight("a"), Some(1));
    /// assert_eq!(hrw.weight("b"), None);
    /// ```
    pub fn weight<Q: StableKey + ?Sized>(&self, node: &Q) -> Option<u32> {
        self.position(node)
            .and_then(|i| self.weights.get(i).copied())
    }

    /// Routes `key` to its node; `None` when there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Rendezvous;
    /// let mut hrw = Rendezvous::new();
    /// assert_eq!(hrw.route("k"), None);
    /// hrw.add("a").unwrap();
    /// assert_eq!(hrw.route("k"), Some(&"a"));
    /// ```
    #[inline]
    pub fn route<K: StableKey + ?Sized>(&self, key: &K) -> Option<&N> {
        self.route_hash(self.hasher.hash_key(key))
    }

    /// Routes an already-hashed key (see [`Router::hash_key`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Rendezvous, Router};
    /// let mut hrw = Rendezvous::new();
    /// hrw.add("a").unwrap();
    /// hrw.add("b").unwrap();
    /// assert_eq!(hrw.route_hash(hrw.hash_key("k")), hrw.route("k"));
    /// ```
    pub fn route_hash(&self, hash: u64) -> Option<&N> {
        let best = if self.uniform {
            self.best_uniform(hash)
        } else {
            self.best_weighted(hash)
        }?;
        self.nodes.get(best)
    }

    /// The `n` highest-scoring distinct nodes for `key`, best first: the owner
    /// (what [`route`](Self::route) returns), then the node that would own the
    /// key if the owner left, and so on. Gives every node when `n` exceeds the
    /// member count, and none when `n` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Rendezvous;
    /// let mut hrw = Rendezvous::new();
    /// for n in ["a", "b", "c"] {
    ///     hrw.add(n).unwrap();
    /// }
    /// let replicas = hrw.route_n("user:42", 2);
    /// assert_eq!(replicas.len(), 2);
    /// assert_eq!(replicas[0], hrw.route("user:42").unwrap());
    /// assert_ne!(replicas[0], replicas[1]);
    /// ```
    pub fn route_n<K: StableKey + ?Sized>(&self, key: &K, n: usize) -> Vec<&N> {
        self.route_n_hash(self.hasher.hash_key(key), n)
    }

    /// [`route_n`](Self::route_n) for an already-hashed key.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Rendezvous, Router};
    /// let mut hrw = Rendezvous::new();
    /// hrw.add("a").unwrap();
    /// hrw.add("b").unwrap();
    /// assert_eq!(hrw.route_n_hash(hrw.hash_key("k"), 5), hrw.route_n("k", 5));
    /// ```
    pub fn route_n_hash(&self, hash: u64, n: usize) -> Vec<&N> {
        let n = n.min(self.nodes.len());
        if n == 0 {
            return Vec::new();
        }
        let mut scored: Vec<Score> = (0..self.nodes.len()).map(|i| self.score(hash, i)).collect();
        let desc = |a: &Score, b: &Score| self.compare(b, a);
        if n < scored.len() {
            scored.select_nth_unstable_by(n - 1, desc);
            scored.truncate(n);
        }
        scored.sort_unstable_by(desc);
        scored
            .iter()
            .filter_map(|s| self.nodes.get(s.idx))
            .collect()
    }

    fn score(&self, key_hash: u64, idx: usize) -> Score {
        let h = self.hashes.get(idx).copied().unwrap_or(0);
        let m = mix64(key_hash ^ h);
        let value = if self.uniform {
            0.0
        } else {
            weighted_score(self.fweights.get(idx).copied().unwrap_or(1.0), m)
        };
        Score { value, m, h, idx }
    }

    /// The total order on candidates: score, then `m`, then node hash, then
    /// canonical bytes.
    fn compare(&self, a: &Score, b: &Score) -> Ordering {
        a.value
            .total_cmp(&b.value)
            .then(a.m.cmp(&b.m))
            .then(a.h.cmp(&b.h))
            .then_with(|| self.cmp_bytes(a.idx, b.idx))
    }

    fn cmp_bytes(&self, a: usize, b: usize) -> Ordering {
        match (self.nodes.get(a), self.nodes.get(b)) {
            (Some(x), Some(y)) => x.with_key_bytes(|xb| y.with_key_bytes(|yb| xb.cmp(yb))),
            _ => Ordering::Equal,
        }
    }

    #[inline]
    fn best_uniform(&self, key_hash: u64) -> Option<usize> {
        let mut it = self.hashes.iter().enumerate();
        let (_, &h0) = it.next()?;
        let (mut best_m, mut best_h, mut best) = (mix64(key_hash ^ h0), h0, 0);
        for (i, &h) in it {
            let m = mix64(key_hash ^ h);
            if m > best_m
                || (m == best_m
                    && (h > best_h
                        || (h == best_h && self.cmp_bytes(i, best) == Ordering::Greater)))
            {
                (best_m, best_h, best) = (m, h, i);
            }
        }
        Some(best)
    }

    #[inline]
    fn best_weighted(&self, key_hash: u64) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut best = self.score(key_hash, 0);
        for (i, (&h, &w)) in self.hashes.iter().zip(&self.fweights).enumerate().skip(1) {
            let m = mix64(key_hash ^ h);
            let cand = Score {
                value: weighted_score(w, m),
                m,
                h,
                idx: i,
            };
            if self.compare(&cand, &best) == Ordering::Greater {
                best = cand;
            }
        }
        Some(best.idx)
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
}

/// One node's standing for one key.
#[derive(Clone, Copy)]
struct Score {
    value: f64,
    m: u64,
    h: u64,
    idx: usize,
}

/// `w / −ln(u)` with `u = ((m >> 12) + ½) / 2⁵²` in (0, 1).
#[inline]
fn weighted_score(weight: f64, m: u64) -> f64 {
    // `m >> 12` has 52 bits, so the conversion and the `+ 0.5` are exact.
    #[allow(clippy::cast_precision_loss)]
    let u = ((m >> 12) as f64 + 0.5) * (1.0 / 4_503_599_627_370_496.0);
    weight / -u.ln()
}

impl<N: StableKey, S: KeyHasher> Router for Rendezvous<N, S> {
    type Node = N;

    #[inline]
    fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        self.hasher.hash_key(key)
    }

    #[inline]
    fn route_hash(&self, hash: u64) -> Option<&N> {
        Rendezvous::route_hash(self, hash)
    }

    fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
