//! Consistent hashing: route keys to nodes (shards, cache peers, backends) so
//! that a membership change moves as few keys as possible.
//!
//! | algorithm | type | lookup | moves on change | use when |
//! | --- | --- | --- | --- | --- |
//! | Lamping–Veach jump hash | [`jump_hash`], [`Jump`] | O(log n), no memory | ideal, but only at the tail | numbered shards that grow and shrink at the end |
//! | Karger ring, virtual nodes, weights | [`HashRing`] | O(log(n·v)) binary search | ≈ ideal | general membership, replica lists (`route_n`) |
//! | Ketama (libmemcached / twemproxy layout) | [`Ketama`] | O(log(n·160)) | ≈ ideal | sharing a key layout with memcached clients |
//! | weighted rendezvous (HRW) | [`Rendezvous`] | O(n) | ideal | few nodes, exact weights, `route_n` |
//! | Maglev lookup table | [`Maglev`] | O(1) | ≈ ideal for a well-sized table | load balancers: many lookups, rare changes |
//! | bounded loads (Mirrokni et al.) | [`BoundedLoad`] | O(log) + probing | small | no node may take more than `c` × the mean |
//! | lock-free snapshot of any router | [`SharedRing`] | the inner router's | — | many reader threads, occasional membership change |
//!
//! Keys are hashed with the stable, seeded hash of [`crate::hash`] (XXH3 under
//! [`DEFAULT_SEED`](crate::hash::DEFAULT_SEED)) through their canonical bytes
//! ([`StableKey`]), so every process, machine and release routes a key to the
//! same node. Nodes name themselves with the same canonical bytes, so a ring
//! built from the same members in any order gives the same routes.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::hashring::HashRing;
//!
//! let mut ring = HashRing::new();
//! for node in ["cache-a", "cache-b", "cache-c"] {
//!     ring.add(node).unwrap();
//! }
//! let owner = *ring.route("user:42").unwrap();
//! // Three distinct replicas, in ring order, the owner first.
//! let replicas: Vec<_> = ring.route_n("user:42", 3).copied().collect();
//! assert_eq!(replicas[0], owner);
//! assert_eq!(replicas.len(), 3);
//! ```

use crate::hash::StableKey;

mod bounded;
mod jump;
mod ketama;
mod maglev;
mod rendezvous;
mod ring;
mod shared;

// -- re-exports (bounded, jump, ring) --
pub use bounded::BoundedLoad;
pub use jump::{Jump, jump_hash, try_jump_hash};
pub use ring::{DEFAULT_VIRTUAL_NODES, HashRing, RingReplicas};
// -- end re-exports (bounded, jump, ring) --

// -- re-exports (ketama, maglev, rendezvous, shared) --
pub use ketama::{Ketama, KetamaCompat, ketama_hash};
pub use maglev::Maglev;
pub use rendezvous::Rendezvous;
pub use shared::{SharedRing, Snapshot};
// -- end re-exports (ketama, maglev, rendezvous, shared) --

/// What can go wrong when building or changing a router. Routing itself never
/// fails: an empty router routes to `None`.
///
/// ```
/// use pillars_dsa::hashring::{Error, HashRing};
///
/// let mut ring = HashRing::new();
/// ring.add("a").unwrap();
/// assert_eq!(ring.add("a"), Err(Error::DuplicateNode));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The node is already a member.
    #[error("the node is already a member")]
    DuplicateNode,
    /// The node is not a member.
    #[error("the node is not a member")]
    UnknownNode,
    /// A node weight of zero was given; weights are relative and must be at least 1.
    #[error("a node weight must be at least 1")]
    ZeroWeight,
    /// The number of virtual nodes (points) per unit of weight must be at least 1.
    #[error("the number of virtual nodes per unit of weight must be at least 1")]
    ZeroVirtualNodes,
    /// The ring would hold more points than it can address.
    #[error("too many ring points: {points} (at most {max})")]
    TooManyPoints {
        /// Points the change would have produced.
        points: u64,
        /// The most the ring holds.
        max: u64,
    },
    /// The Maglev table size is not a prime, or is too small for the members.
    #[error("invalid Maglev table size {size}: {reason}")]
    InvalidTableSize {
        /// The size asked for.
        size: u64,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The bounded-load factor `c` must be finite and greater than 1.
    ///
    /// The payload is the value given. `Error` compares with `==` on it, so
    /// an error carrying NaN is unequal to itself: match on the variant
    /// (`matches!(e, Error::InvalidLoadFactor(_))`) rather than comparing.
    #[error("the load factor must be finite and greater than 1, got {0}")]
    InvalidLoadFactor(f64),
    /// A bounded-load release named a node that holds no load.
    #[error("the node holds no load to release")]
    NoLoad,
    /// The router already holds the most nodes it can route to.
    #[error("too many nodes: at most {max}")]
    TooManyNodes {
        /// The most nodes the router holds.
        max: u64,
    },
}

/// Anything that routes a key hash to a node: the shared surface of every
/// algorithm here, used by [`SharedRing`] and by batch routing.
///
/// ```
/// use pillars_dsa::hashring::{Rendezvous, Router};
///
/// fn owner<R: Router<Node = &'static str>>(r: &R) -> &'static str {
///     *r.route("order:7").unwrap()
/// }
/// let mut hrw = Rendezvous::new();
/// hrw.add("a").unwrap();
/// assert_eq!(owner(&hrw), "a");
/// ```
pub trait Router {
    /// The node type.
    type Node;

    /// The hash of `key` under this router's key hasher.
    fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64;

    /// Routes an already-hashed key (from [`Router::hash_key`] or your own hash).
    fn route_hash(&self, hash: u64) -> Option<&Self::Node>;

    /// The number of member nodes.
    fn node_count(&self) -> usize;

    /// Routes `key` to its node; `None` when there are no nodes.
    #[inline]
    fn route<K: StableKey + ?Sized>(&self, key: &K) -> Option<&Self::Node> {
        self.route_hash(self.hash_key(key))
    }

    /// Routes many keys at once, in parallel with rayon; the result is in the
    /// order of `keys`.
    #[cfg(feature = "rayon")]
    fn route_batch<K>(&self, keys: &[K]) -> Vec<Option<&Self::Node>>
    where
        Self: Sync,
        Self::Node: Sync,
        K: StableKey + Sync,
    {
        use rayon::prelude::*;
        keys.par_iter().map(|k| self.route(k)).collect()
    }
}
