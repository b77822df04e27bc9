//! Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam,
//! 2017; the scheme of Vimeo's and `HAProxy`'s balancers).
//!
//! Keys are placed on a [`HashRing`], but a node that already holds its
//! capacity is skipped: the key goes to the next node along the ring that has
//! room. The capacity is `ceil(c × (total_load + 1) / node_count)`, so no node
//! takes more than about `c` times the mean, while keys still move little when
//! membership changes.
//!
//! The precise load bound is stated on [`BoundedLoad`].
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::hashring::BoundedLoad;
//!
//! let mut lb = BoundedLoad::new(1.25).unwrap();
//! for backend in ["b1", "b2", "b3"] {
//!     lb.add(backend).unwrap();
//! }
//! let mut chosen = Vec::new();
//! for conn in 0..30_u32 {
//!     chosen.push(*lb.assign(&conn).unwrap());
//! }
//! // No backend holds more than ceil(1.25 * 30 / 3) = 13 connections.
//! assert!(["b1", "b2", "b3"].iter().all(|b| lb.load(b).unwrap() <= 13));
//! // A finished connection gives its slot back.
//! lb.release(&chosen[0]).unwrap();
//! assert_eq!(lb.total_load(), 29);
//! ```

use crate::hash::{KeyHasher, StableKey, Xxh3};

use super::{Error, HashRing};

/// A [`HashRing`] with bounded loads: `assign` places a key on the first node
/// along the ring that is below `capacity()` and counts it; `release` gives a
/// slot back.
///
/// Removing a node drops its load: the keys it held are no longer counted
/// anywhere, and the caller assigns them again.
///
/// # The guarantee
///
/// [`assign`](Self::assign) never gives a key to a node that already holds
/// [`capacity()`](Self::capacity) keys, so after an assign that brings
/// the total to `T`, the node that got the key holds at most
/// `ceil(c × T / n)`. Loads rise only through `assign`; [`release`] and
/// membership changes never raise one. Hence, with `P` the highest total load
/// since the last membership change (`P` is the current total if nothing was
/// released since), every node holds at most
/// `max(its load at that change, ceil(c × P / n))`; with no membership change
/// after the first keys, simply `ceil(c × P / n)`. A node over the current
/// capacity (after releases elsewhere or a new node) takes no key until it
/// drains below it.
///
/// [`release`]: Self::release
///
/// The capacity is computed in `f64` as
/// `(c * (total_load + 1) as f64 / n as f64).ceil()`.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::BoundedLoad;
///
/// let mut lb = BoundedLoad::new(1.5).unwrap();
/// lb.add("a").unwrap();
/// lb.add("b").unwrap();
/// let node = *lb.assign("request-1").unwrap();
/// assert_eq!(lb.load(&node), Some(1));
/// lb.release(&node).unwrap();
/// assert_eq!(lb.total_load(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct BoundedLoad<N, S = Xxh3> {
    ring: HashRing<N, S>,
    /// `loads[i]` is the load of ring member `i`.
    loads: Vec<u64>,
    total: u64,
    factor: f64,
}

impl<N: StableKey> BoundedLoad<N, Xxh3> {
    /// An empty balancer with load factor `c` (each node takes at most about
    /// `c` × the mean load), the default hasher and 160 virtual nodes a node.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLoadFactor`] unless `c` is finite and greater than 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{BoundedLoad, Error};
    ///
    /// assert!(BoundedLoad::<&str>::new(1.25).is_ok());
    /// assert_eq!(BoundedLoad::<&str>::new(1.0).unwrap_err(), Error::InvalidLoadFactor(1.0));
    /// assert!(BoundedLoad::<&str>::new(f64::NAN).is_err());
    /// ```
    pub fn new(c: f64) -> Result<Self, Error> {
        Self::with_hasher(c, Xxh3::default())
    }

    /// An empty balancer with load factor `c` and `virtual_nodes` points a node.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLoadFactor`] unless `c` is finite and greater than 1;
    /// [`Error::ZeroVirtualNodes`] when `virtual_nodes` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{BoundedLoad, Error};
    ///
    /// let lb = BoundedLoad::<&str>::with_virtual_nodes(2.0, 40).unwrap();
    /// assert_eq!(lb.ring().virtual_nodes(), 40);
    /// assert_eq!(BoundedLoad::<&str>::with_virtual_nodes(2.0, 0).unwrap_err(), Error::ZeroVirtualNodes);
    /// ```
    pub fn with_virtual_nodes(c: f64, virtual_nodes: u32) -> Result<Self, Error> {
        let factor = check_factor(c)?;
        Ok(Self::from_ring(
            factor,
            HashRing::with_virtual_nodes(virtual_nodes)?,
        ))
    }
}

impl<N: StableKey, S: KeyHasher> BoundedLoad<N, S> {
    /// An empty balancer with load factor `c`, hashing with `hasher`, with 160
    /// virtual nodes a node.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLoadFactor`] unless `c` is finite and greater than 1.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hash::Xxh3;
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::with_hasher(1.25, Xxh3::with_seed(3)).unwrap();
    /// lb.add(1_u32).unwrap();
    /// assert_eq!(lb.assign("k"), Some(&1));
    /// ```
    pub fn with_hasher(c: f64, hasher: S) -> Result<Self, Error> {
        let factor = check_factor(c)?;
        Ok(Self::from_ring(factor, HashRing::with_hasher(hasher)))
    }

    fn from_ring(factor: f64, ring: HashRing<N, S>) -> Self {
        Self {
            ring,
            loads: Vec::new(),
            total: 0,
            factor,
        }
    }

    /// Adds `node` with no load.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateNode`] when it is already a member;
    /// [`Error::TooManyPoints`] when the ring is full.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{BoundedLoad, Error};
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.add("a"), Err(Error::DuplicateNode));
    /// assert_eq!(lb.load("a"), Some(0));
    /// ```
    pub fn add(&mut self, node: N) -> Result<(), Error> {
        self.ring.add(node)?;
        self.loads.push(0);
        Ok(())
    }

    /// Removes `node` and returns it. Its load is dropped: the keys it held
    /// count nowhere any more, and `total_load` falls by its load; assign them
    /// again.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownNode`] when it is not a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{BoundedLoad, Error};
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// lb.assign("k").unwrap();
    /// assert_eq!(lb.remove("a"), Ok("a"));
    /// assert_eq!(lb.total_load(), 0);
    /// assert_eq!(lb.remove("a"), Err(Error::UnknownNode));
    /// ```
    pub fn remove<Q: StableKey + ?Sized>(&mut self, node: &Q) -> Result<N, Error> {
        let (index, node) = self.ring.remove_member(node)?;
        if index < self.loads.len() {
            let dropped = self.loads.swap_remove(index);
            self.total = self.total.saturating_sub(dropped);
        }
        Ok(node)
    }

    /// Places `key` on the first node along the ring, from the key's position,
    /// whose load is below [`capacity()`](Self::capacity), and counts it
    /// there. `None` only when there are no nodes.
    ///
    /// The same key may land on another node while its owner is full; callers
    /// remember where a key went and [`release`](Self::release) that node.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// assert_eq!(lb.assign("k"), None);
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.assign("k"), Some(&"a"));
    /// assert_eq!(lb.total_load(), 1);
    /// ```
    pub fn assign<K: StableKey + ?Sized>(&mut self, key: &K) -> Option<&N> {
        self.assign_hash(self.ring.hash_key(key))
    }

    /// Like [`assign`](Self::assign), for an already-hashed key.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.assign_hash(42), Some(&"a"));
    /// ```
    pub fn assign_hash(&mut self, hash: u64) -> Option<&N> {
        let member = self.probe_member(hash)?;
        let load = self.loads.get_mut(member as usize)?;
        *load += 1;
        self.total += 1;
        self.ring.node_at(member)
    }

    /// Where [`assign`](Self::assign) would place `key` now, without counting
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.probe("k"), Some(&"a"));
    /// assert_eq!(lb.total_load(), 0);
    /// ```
    #[must_use]
    pub fn probe<K: StableKey + ?Sized>(&self, key: &K) -> Option<&N> {
        let member = self.probe_member(self.ring.hash_key(key))?;
        self.ring.node_at(member)
    }

    /// Gives back one unit of load of `node` (a key it held is done).
    ///
    /// # Errors
    ///
    /// [`Error::UnknownNode`] when it is not a member; [`Error::NoLoad`] when
    /// it holds no load. Nothing changes on error.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{BoundedLoad, Error};
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.release("a"), Err(Error::NoLoad));
    /// assert_eq!(lb.release("b"), Err(Error::UnknownNode));
    /// lb.assign("k").unwrap();
    /// assert_eq!(lb.release("a"), Ok(()));
    /// ```
    pub fn release<Q: StableKey + ?Sized>(&mut self, node: &Q) -> Result<(), Error> {
        let index = self.ring.member_index(node).ok_or(Error::UnknownNode)?;
        let load = self.loads.get_mut(index).ok_or(Error::UnknownNode)?;
        *load = load.checked_sub(1).ok_or(Error::NoLoad)?;
        self.total = self.total.saturating_sub(1);
        Ok(())
    }

    /// The load of `node`; `None` when it is not a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// lb.assign("k").unwrap();
    /// assert_eq!(lb.load("a"), Some(1));
    /// assert_eq!(lb.load("b"), None);
    /// ```
    #[must_use]
    pub fn load<Q: StableKey + ?Sized>(&self, node: &Q) -> Option<u64> {
        self.loads.get(self.ring.member_index(node)?).copied()
    }

    /// Whether `node` is a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// assert!(lb.contains("a"));
    /// ```
    #[must_use]
    pub fn contains<Q: StableKey + ?Sized>(&self, node: &Q) -> bool {
        self.ring.contains(node)
    }

    /// The first member, from ring position `hash`, below the capacity.
    fn probe_member(&self, hash: u64) -> Option<u32> {
        let capacity = self.capacity();
        let start = self.ring.position(hash)?;
        let owners = self.ring.owners();
        let (after, before) = (owners.get(start..)?, owners.get(..start)?);
        // The loads sum to `total < capacity × n`, so some member (and each
        // member owns a point) is below the capacity.
        after.iter().chain(before).copied().find(|&member| {
            self.loads
                .get(member as usize)
                .is_some_and(|&load| load < capacity)
        })
    }
}

impl<N, S> BoundedLoad<N, S> {
    /// The load factor `c`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// assert_eq!(BoundedLoad::<&str>::new(1.25).unwrap().load_factor(), 1.25);
    /// ```
    #[must_use]
    pub const fn load_factor(&self) -> f64 {
        self.factor
    }

    /// The sum of all loads.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// lb.assign("x").unwrap();
    /// lb.assign("y").unwrap();
    /// assert_eq!(lb.total_load(), 2);
    /// ```
    #[must_use]
    pub const fn total_load(&self) -> u64 {
        self.total
    }

    /// The capacity the next [`assign`](BoundedLoad::assign) enforces:
    /// `ceil(c × (total_load + 1) / node_count)`; 0 when there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.5).unwrap();
    /// assert_eq!(lb.capacity(), 0);
    /// lb.add("a").unwrap();
    /// lb.add("b").unwrap();
    /// assert_eq!(lb.capacity(), 1); // ceil(1.5 * 1 / 2)
    /// ```
    #[must_use]
    pub fn capacity(&self) -> u64 {
        let nodes = self.ring.len();
        if nodes == 0 {
            return 0;
        }
        // Loads and node counts far below 2^53 are exact in f64; the result is
        // non-negative and `as` saturates.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let capacity = (self.factor * (self.total + 1) as f64 / nodes as f64).ceil() as u64;
        capacity
    }

    /// The number of nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.len(), 1);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether there are no nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// assert!(BoundedLoad::<&str>::new(1.25).unwrap().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// The nodes with their loads, in no particular order.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// lb.assign("k").unwrap();
    /// assert_eq!(lb.loads().collect::<Vec<_>>(), [(&"a", 1)]);
    /// ```
    pub fn loads(&self) -> impl ExactSizeIterator<Item = (&N, u64)> + '_ {
        self.ring.nodes().zip(self.loads.iter().copied())
    }

    /// The underlying ring (its members, hasher and virtual nodes).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::BoundedLoad;
    ///
    /// let mut lb = BoundedLoad::new(1.25).unwrap();
    /// lb.add("a").unwrap();
    /// assert_eq!(lb.ring().route("k"), Some(&"a"));
    /// ```
    #[must_use]
    pub const fn ring(&self) -> &HashRing<N, S> {
        &self.ring
    }
}

/// Checks a load factor: finite and greater than 1.
fn check_factor(c: f64) -> Result<f64, Error> {
    if c.is_finite() && c > 1.0 {
        Ok(c)
    } else {
        Err(Error::InvalidLoadFactor(c))
    }
}
