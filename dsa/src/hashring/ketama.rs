//! Ketama: the MD5 ring layout of libketama, libmemcached and twemproxy, so a
//! Rust service and existing memcached clients agree on which server holds a
//! key.
//!
//! # Which clients this matches
//!
//! * **libmemcached** (and clients built on it, such as PHP's `memcached`
//!   and pylibmc): only in *weighted* Ketama mode, which it enters with
//!   `MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED` or as soon as any server has a
//!   weight above 1, with `MEMCACHED_BEHAVIOR_KETAMA_HASH` set to MD5 (as
//!   `MEMCACHED_BEHAVIOR_KETAMA_COMPAT` does). Plain
//!   `MEMCACHED_BEHAVIOR_KETAMA` with unit weights uses another layout (100
//!   points per server, one per hashed string), which is **not** reproduced
//!   here.
//! * **twemproxy**: `distribution: ketama` **and** `hash: md5`. Its default
//!   key hash is `fnv1a_64`, which places keys elsewhere; only with
//!   `hash: md5` do its keys land where [`ketama_hash`] puts them.
//! * **libketama** (the original): with [`KetamaCompat::Libketama`].
//!
//! # The format (followed literally)
//!
//! * A server is named by its canonical bytes ([`StableKey`]), used verbatim:
//!   pass the string your other clients hash. libketama and twemproxy use
//!   `"host:port"` (twemproxy: the server's name when one is configured);
//!   libmemcached uses `"host"` alone when the port is the default 11211 and
//!   `"host:port"` otherwise. These bytes are also the server's identity:
//!   [`Ketama::remove`], [`Ketama::contains`] and [`Ketama::weight`] accept
//!   anything with the same bytes (a `&str` for a `String` server).
//! * With `n` servers of total weight `W`, a server of weight `w` gets
//!   `ks = ⌊w/W · 40 · n⌋` groups of 4 points: 160 points at equal weights,
//!   except where the C clients' floating-point rounding falls just short of
//!   40 and gives 156. libmemcached and twemproxy (single precision
//!   throughout): `n` = 25, 47, 50, 55, 61, 71, 94, 100, 107, 109, 110, …
//!   (103 of the `n` up to 1000). libketama (a double product narrowed to
//!   float): `n` = 61, 122, 237, 244, 474, 488, 933, 948, 951, 953, 976 up
//!   to 1000. [`KetamaCompat`] picks whose rounding to reproduce; the
//!   default is libmemcached's, which twemproxy shares.
//! * Group `k` (0-based) is `d = md5("{server}-{k}")`, and gives the 4 points
//!   `d[4h+3] << 24 | d[4h+2] << 16 | d[4h+1] << 8 | d[4h]` for `h = 0..4`.
//! * A key hashes to the `h = 0` point of `md5(key bytes)` ([`ketama_hash`]),
//!   and goes to the server of the first point `≥` that hash, wrapping to the
//!   first point.
//! * Equal points of different servers (a collision) are ordered by the
//!   servers' canonical bytes, so the result is deterministic. The C clients
//!   `qsort` by point value alone and leave the order of equal points
//!   unspecified, so on a collision they may disagree with this ring, and
//!   with each other. Collisions are rare (for `p` points in all, a chance
//!   of about `p² / 2³³`: 3 % at 100 servers) and then touch one arc, about
//!   `1 / p` of the keys.
//!
//! Lookup is a binary search over about `160 · n` points, with one MD5 of the
//! key; there is no custom hasher, because the MD5 layout is the point.

use md5::{Digest, Md5};

use super::{Error, Router};
use crate::hash::StableKey;

/// Groups of 4 points per server at equal weight (libketama's 40).
const GROUPS_PER_SERVER: u64 = 40;

/// Whose arithmetic computes a server's number of point groups,
/// `⌊w/W · 40 · n⌋`: the C clients round it in floating point, and a Rust
/// service must round the same way to share their key layout exactly.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::{Ketama, KetamaCompat};
///
/// let servers: Vec<String> = (0..25).map(|i| format!("10.0.0.{i}:11211")).collect();
/// let mut memcached = Ketama::new(); // KetamaCompat::Libmemcached
/// memcached.add_all(servers.iter().cloned()).unwrap();
/// let mut libketama = Ketama::with_compat(KetamaCompat::Libketama);
/// libketama.add_all(servers.iter().cloned()).unwrap();
/// let mut exact = Ketama::with_compat(KetamaCompat::Exact);
/// exact.add_all(servers.iter().cloned()).unwrap();
/// // libmemcached and twemproxy compute 39.99999 groups for 25 equal servers.
/// assert_eq!(memcached.point_count(), 25 * 156);
/// assert_eq!(libketama.point_count(), 25 * 160);
/// assert_eq!(exact.point_count(), 25 * 160);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum KetamaCompat {
    /// libmemcached (weighted Ketama) and twemproxy:
    /// `floor((float)(pct * 160 / 4 * (float)n + 0.0000000001))` with
    /// `float pct = (float)w / (float)W`: the products in single precision,
    /// the tiny bias added in double and the sum narrowed back to float.
    /// The default.
    #[default]
    Libmemcached,
    /// libketama: `floorf(pct * 40.0 * (float)n)` with
    /// `float pct = (float)w / (float)W`: the fraction in single precision,
    /// the product in double precision, narrowed to float by `floorf`.
    Libketama,
    /// Exact rational arithmetic: always 160 points at equal weights.
    Exact,
}

impl KetamaCompat {
    /// The number of 4-point groups for a server of weight `w` among `n`
    /// servers of total weight `total`.
    // The casts mirror the C clients' `(float)` conversions on purpose.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    fn groups(self, w: u32, total: u64, n: u64) -> u64 {
        match self {
            Self::Libmemcached => {
                // libmemcached `update_continuum` (twemproxy `ketama_update`
                // is the same with `floorf`):
                //   float pct = (float)weight / (float)total_weight;
                //   floor((float)(pct * 160 / 4 * (float)live_servers + 0.0000000001))
                // The products are float; adding the double literal widens to
                // double; the cast narrows back to float before the floor.
                let pct = w as f32 / total as f32;
                let product: f32 = pct * 160.0 / 4.0 * n as f32;
                let biased = (f64::from(product) + 0.000_000_000_1_f64) as f32;
                f64::from(biased).floor() as u64
            }
            Self::Libketama => {
                // libketama `ketama_create_continuum`:
                //   float pct = (float)slist[i].memory / (float)memory;
                //   unsigned int ks = floorf(pct * 40.0 * (float)numservers);
                // `40.0` is a double, so the product is double; `floorf`
                // takes a float, so it is narrowed (rounded) before the floor.
                let pct = w as f32 / total as f32;
                let product: f64 = f64::from(pct) * 40.0 * f64::from(n as f32);
                (product as f32).floor() as u64
            }
            Self::Exact => {
                // w · 40 · n < 2³² · 40 · 2⁶⁴ fits u128.
                let g = u128::from(w) * u128::from(GROUPS_PER_SERVER) * u128::from(n)
                    / u128::from(total.max(1));
                u64::try_from(g).unwrap_or(u64::MAX)
            }
        }
    }
}

/// The 32-bit Ketama hash of `key`: the first 4 bytes of `md5(key bytes)`,
/// little-endian.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::ketama_hash;
/// // md5("") = d41d8cd98f00b204e9800998ecf8427e
/// assert_eq!(ketama_hash(""), 0xd98c_1dd4);
/// ```
pub fn ketama_hash<K: StableKey + ?Sized>(key: &K) -> u32 {
    key.with_key_bytes(|b| {
        let d = Md5::digest(b);
        u32::from_le_bytes([d[0], d[1], d[2], d[3]])
    })
}

/// A Ketama-compatible consistent-hash ring (libketama / libmemcached /
/// twemproxy point layout).
///
/// Nodes are identified by their canonical bytes ([`StableKey`]), as in
/// [`HashRing`](super::HashRing): two nodes with the same bytes are
/// duplicates, and `remove`, `contains` and `weight` take anything with a
/// node's bytes.
///
/// # Examples
///
/// ```
/// use pillars_dsa::hashring::Ketama;
///
/// let mut ring = Ketama::new();
/// ring.add_weighted("10.0.1.1:11211", 600).unwrap();
/// ring.add_weighted("10.0.1.2:11211", 300).unwrap();
/// let server = *ring.route("user:42").unwrap();
/// assert!(server.starts_with("10.0.1."));
/// ```
#[derive(Debug, Clone)]
pub struct Ketama<N> {
    nodes: Vec<N>,
    weights: Vec<u32>,
    /// Each node's points for groups `0..k`, generated so far (a prefix of its
    /// infinite point sequence, kept so a rebuild needs no new MD5 unless a
    /// node's group count grows).
    cache: Vec<Vec<u32>>,
    /// The sorted continuum.
    points: Vec<u32>,
    compat: KetamaCompat,
    /// `owners[i]` is the index in `nodes` of the server at `points[i]`.
    owners: Vec<u32>,
}

impl<N> Default for Ketama<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<N> Ketama<N> {
    /// An empty ring.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let ring: Ketama<&str> = Ketama::new();
    /// assert!(ring.route("k").is_none());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Self::with_compat(KetamaCompat::default())
    }

    /// An empty ring that rounds point counts like `compat`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Ketama, KetamaCompat};
    /// let ring: Ketama<&str> = Ketama::with_compat(KetamaCompat::Libketama);
    /// assert_eq!(ring.compat(), KetamaCompat::Libketama);
    /// ```
    #[must_use]
    pub fn with_compat(compat: KetamaCompat) -> Self {
        Self {
            compat,
            nodes: Vec::new(),
            weights: Vec::new(),
            cache: Vec::new(),
            points: Vec::new(),
            owners: Vec::new(),
        }
    }

    /// Whose point-count rounding this ring reproduces.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Ketama, KetamaCompat};
    /// assert_eq!(Ketama::<&str>::new().compat(), KetamaCompat::Libmemcached);
    /// ```
    pub fn compat(&self) -> KetamaCompat {
        self.compat
    }

    /// The number of servers.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add("a:11211").unwrap();
    /// assert_eq!(ring.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no servers.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// assert!(Ketama::<&str>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The member servers, in no particular order.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add("a:11211").unwrap();
    /// assert_eq!(ring.nodes(), &["a:11211"]);
    /// ```
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }

    /// The number of points on the continuum (160 per server at equal weights).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add_all(["a:11211", "b:11211", "c:11211"]).unwrap();
    /// assert_eq!(ring.point_count(), 480);
    /// ```
    pub fn point_count(&self) -> usize {
        self.points.len()
    }

    /// Routes an already-hashed key. Only the low 32 bits of `hash` are used:
    /// pass [`ketama_hash`] (or [`Router::hash_key`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{ketama_hash, Ketama};
    /// let mut ring = Ketama::new();
    /// ring.add_all(["a:11211", "b:11211"]).unwrap();
    /// assert_eq!(ring.route_hash(u64::from(ketama_hash("k"))), ring.route("k"));
    /// ```
    #[inline]
    pub fn route_hash(&self, hash: u64) -> Option<&N> {
        let owner = *self.owners.get(self.start(hash)?)?;
        self.nodes.get(owner as usize)
    }

    /// Up to `n` distinct servers for an already-hashed key, in continuum
    /// order from its owner. See [`route_n`](Self::route_n).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{ketama_hash, Ketama};
    /// let mut ring = Ketama::new();
    /// ring.add_all(["a:11211", "b:11211"]).unwrap();
    /// assert_eq!(ring.route_n_hash(u64::from(ketama_hash("k")), 2), ring.route_n("k", 2));
    /// ```
    pub fn route_n_hash(&self, hash: u64, n: usize) -> Vec<&N> {
        let n = n.min(self.nodes.len());
        let mut out = Vec::with_capacity(n);
        let Some(start) = self.start(hash).filter(|_| n > 0) else {
            return out;
        };
        let mut seen = vec![false; self.nodes.len()];
        let (after, before) = self.owners.split_at(start.min(self.owners.len()));
        for &owner in before.iter().chain(after) {
            if let Some(s) = seen.get_mut(owner as usize).filter(|s| !**s) {
                *s = true;
                out.extend(self.nodes.get(owner as usize));
                if out.len() == n {
                    break;
                }
            }
        }
        out
    }

    /// The position of the first point `>=` the low 32 bits of `hash`,
    /// wrapping to 0; `None` when there are no points.
    #[inline]
    fn start(&self, hash: u64) -> Option<usize> {
        if self.points.is_empty() {
            return None;
        }
        #[allow(clippy::cast_possible_truncation)] // the Ketama hash is 32 bits
        let h = hash as u32;
        let i = self.points.partition_point(|&p| p < h);
        Some(if i == self.points.len() { 0 } else { i })
    }
}

impl<N: StableKey> Ketama<N> {
    /// The index of the server with `server`'s canonical bytes.
    fn position<Q: StableKey + ?Sized>(&self, server: &Q) -> Option<usize> {
        server.with_key_bytes(|b| self.nodes.iter().position(|n| n.with_key_bytes(|a| a == b)))
    }

    /// Adds `server` with weight 1 and rebuilds the continuum.
    ///
    /// # Errors
    ///
    /// [`Error::DuplicateNode`] if it is already a member;
    /// [`Error::TooManyPoints`] if the continuum would exceed `u32::MAX` points.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Ketama};
    /// let mut ring = Ketama::new();
    /// ring.add("a:11211").unwrap();
    /// assert_eq!(ring.add("a:11211"), Err(Error::DuplicateNode));
    /// ```
    pub fn add(&mut self, server: N) -> Result<(), Error> {
        self.add_weighted(server, 1)
    }

    /// Adds `server` with a relative `weight` and rebuilds the continuum.
    /// Every server's point count depends on the total weight and the server
    /// count, so other servers' points change too, as in libketama.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroWeight`] if `weight` is 0, otherwise as [`add`](Self::add).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Ketama};
    /// let mut ring = Ketama::new();
    /// ring.add_weighted("a:11211", 3).unwrap();
    /// ring.add_weighted("b:11211", 1).unwrap();
    /// assert_eq!(ring.add_weighted("c:11211", 0), Err(Error::ZeroWeight));
    /// // ⌊3/4 · 40 · 2⌋ · 4 + ⌊1/4 · 40 · 2⌋ · 4
    /// assert_eq!(ring.point_count(), 240 + 80);
    /// ```
    pub fn add_weighted(&mut self, server: N, weight: u32) -> Result<(), Error> {
        self.add_all_weighted([(server, weight)])
    }

    /// Adds every server of `servers` with weight 1, rebuilding once. Either
    /// all are added or, on error, none.
    ///
    /// # Errors
    ///
    /// As [`add`](Self::add), for any of the servers (including one given twice).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Ketama};
    /// let mut ring = Ketama::new();
    /// ring.add_all(["a:11211", "b:11211"]).unwrap();
    /// assert_eq!(ring.add_all(["c:11211", "c:11211"]), Err(Error::DuplicateNode));
    /// assert_eq!(ring.len(), 2);
    /// ```
    pub fn add_all<I: IntoIterator<Item = N>>(&mut self, servers: I) -> Result<(), Error> {
        self.add_all_weighted(servers.into_iter().map(|s| (s, 1)))
    }

    /// Adds every `(server, weight)` of `servers`, rebuilding once. Either all
    /// are added or, on error, none.
    ///
    /// # Errors
    ///
    /// As [`add_weighted`](Self::add_weighted), for any of the servers.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add_all_weighted([("a:11211", 600), ("b:11211", 300)]).unwrap();
    /// assert_eq!(ring.weight(&"a:11211"), Some(600));
    /// ```
    pub fn add_all_weighted<I: IntoIterator<Item = (N, u32)>>(
        &mut self,
        servers: I,
    ) -> Result<(), Error> {
        let before = self.nodes.len();
        let result = self.push_all(servers).and_then(|()| self.rebuild());
        if result.is_err() {
            self.nodes.truncate(before);
            self.weights.truncate(before);
            self.cache.truncate(before);
        }
        result
    }

    fn push_all<I: IntoIterator<Item = (N, u32)>>(&mut self, servers: I) -> Result<(), Error> {
        for (server, weight) in servers {
            if weight == 0 {
                return Err(Error::ZeroWeight);
            }
            if self.position(&server).is_some() {
                return Err(Error::DuplicateNode);
            }
            self.nodes.push(server);
            self.weights.push(weight);
            self.cache.push(Vec::new());
        }
        Ok(())
    }

    /// Removes the server with `server`'s canonical bytes, rebuilds the
    /// continuum and returns the server that was stored.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownNode`] if no member has those bytes;
    /// [`Error::TooManyPoints`] if the rebuilt continuum cannot be allocated
    /// (the ring is then unchanged).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::{Error, Ketama};
    /// let mut ring = Ketama::new();
    /// ring.add_all([String::from("a:11211"), String::from("b:11211")]).unwrap();
    /// assert_eq!(ring.remove("a:11211").unwrap(), "a:11211");
    /// assert_eq!(ring.route("k").map(String::as_str), Some("b:11211"));
    /// assert_eq!(ring.remove("a:11211"), Err(Error::UnknownNode));
    /// ```
    pub fn remove<Q: StableKey + ?Sized>(&mut self, server: &Q) -> Result<N, Error> {
        let i = self.position(server).ok_or(Error::UnknownNode)?;
        let node = self.nodes.swap_remove(i);
        let weight = self.weights.swap_remove(i);
        let cache = self.cache.swap_remove(i);
        match self.rebuild() {
            Ok(()) => Ok(node),
            Err(e) => {
                // Undo the swap_remove: the ring is as it was.
                let last = self.nodes.len();
                self.nodes.push(node);
                self.weights.push(weight);
                self.cache.push(cache);
                self.nodes.swap(i, last);
                self.weights.swap(i, last);
                self.cache.swap(i, last);
                Err(e)
            }
        }
    }

    /// Whether a server with `server`'s canonical bytes is a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add(String::from("a:11211")).unwrap();
    /// assert!(ring.contains("a:11211") && !ring.contains("b:11211"));
    /// ```
    pub fn contains<Q: StableKey + ?Sized>(&self, server: &Q) -> bool {
        self.position(server).is_some()
    }

    /// The weight of the server with `server`'s canonical bytes, or `None`
    /// if it is not a member.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add_weighted("a:11211", 5).unwrap();
    /// assert_eq!(ring.weight("a:11211"), Some(5));
    /// ```
    pub fn weight<Q: StableKey + ?Sized>(&self, server: &Q) -> Option<u32> {
        self.position(server)
            .and_then(|i| self.weights.get(i).copied())
    }

    /// Routes `key` to its server; `None` when there are no servers.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// assert_eq!(ring.route("k"), None);
    /// ring.add("a:11211").unwrap();
    /// assert_eq!(ring.route("k"), Some(&"a:11211"));
    /// ```
    #[inline]
    pub fn route<K: StableKey + ?Sized>(&self, key: &K) -> Option<&N> {
        self.route_hash(u64::from(ketama_hash(key)))
    }

    /// Up to `n` distinct servers for `key`, in continuum order starting at
    /// its owner: a replica (or fallback) list. Gives `min(n, len())`
    /// servers, fewer only when a server has no points (a weight too small
    /// for one group of 4).
    ///
    /// Removing a server recomputes every server's point count, as the C
    /// clients do, so the key's owner afterwards is usually, not always, the
    /// second server of this list.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::hashring::Ketama;
    /// let mut ring = Ketama::new();
    /// ring.add_all(["a:11211", "b:11211", "c:11211"]).unwrap();
    /// let replicas = ring.route_n("user:42", 2);
    /// assert_eq!(replicas.len(), 2);
    /// assert_eq!(replicas[0], ring.route("user:42").unwrap());
    /// assert_ne!(replicas[0], replicas[1]);
    /// assert!(ring.route_n("user:42", 0).is_empty());
    /// ```
    pub fn route_n<K: StableKey + ?Sized>(&self, key: &K, n: usize) -> Vec<&N> {
        self.route_n_hash(u64::from(ketama_hash(key)), n)
    }

    /// Recomputes every server's group count and the sorted continuum.
    fn rebuild(&mut self) -> Result<(), Error> {
        let n = self.nodes.len() as u64;
        let total: u64 = self.weights.iter().map(|&w| u64::from(w)).sum();
        let groups: Vec<u64> = self
            .weights
            .iter()
            .map(|&w| self.compat.groups(w, total, n))
            .collect();
        let points = groups
            .iter()
            .fold(0_u64, |acc, &g| acc.saturating_add(g.saturating_mul(4)));
        let max = u64::from(u32::MAX);
        if points > max {
            return Err(Error::TooManyPoints { points, max });
        }

        // Rank servers by canonical bytes for the tie-break among equal points.
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_unstable_by(|&a, &b| match (self.nodes.get(a), self.nodes.get(b)) {
            (Some(x), Some(y)) => x.with_key_bytes(|xb| y.with_key_bytes(|yb| xb.cmp(yb))),
            _ => std::cmp::Ordering::Equal,
        });

        let too_many = Error::TooManyPoints { points, max };
        // `points` ≤ u32::MAX, so every length and rank below fits.
        #[allow(clippy::cast_possible_truncation)]
        let total = points as usize;
        let mut keyed: Vec<u64> = Vec::new();
        keyed
            .try_reserve_exact(total)
            .map_err(|_| too_many.clone())?;
        for (rank, &i) in order.iter().enumerate() {
            let (Some(node), Some(cache), Some(&g)) =
                (self.nodes.get(i), self.cache.get_mut(i), groups.get(i))
            else {
                continue;
            };
            #[allow(clippy::cast_possible_truncation)]
            let want = (g * 4) as usize;
            if !extend_points(node, cache, want) {
                return Err(too_many);
            }
            let rank = rank as u64;
            keyed.extend(
                cache
                    .iter()
                    .take(want)
                    .map(|&p| (u64::from(p) << 32) | rank),
            );
        }
        keyed.sort_unstable();

        let (mut points, mut owners) = (Vec::new(), Vec::new());
        points
            .try_reserve_exact(keyed.len())
            .and_then(|()| owners.try_reserve_exact(keyed.len()))
            .map_err(|_| too_many)?;
        for k in keyed {
            #[allow(clippy::cast_possible_truncation)] // the high and low halves
            let (point, rank) = ((k >> 32) as u32, (k & 0xffff_ffff) as usize);
            if let Some(&i) = order.get(rank) {
                points.push(point);
                #[allow(clippy::cast_possible_truncation)] // i < servers ≤ points
                owners.push(i as u32);
            }
        }
        self.points = points;
        self.owners = owners;
        Ok(())
    }
}

/// Generates `server`'s points until `cache` holds at least `want` of them;
/// `false` when the memory for them cannot be allocated.
fn extend_points<N: StableKey + ?Sized>(server: &N, cache: &mut Vec<u32>, want: usize) -> bool {
    if cache.len() >= want {
        return true;
    }
    if cache.try_reserve_exact(want - cache.len()).is_err() {
        return false;
    }
    server.with_key_bytes(|name| {
        let mut buf = Vec::with_capacity(name.len() + 12);
        let mut group = cache.len() / 4;
        while cache.len() < want {
            buf.clear();
            buf.extend_from_slice(name);
            buf.push(b'-');
            buf.extend_from_slice(group.to_string().as_bytes());
            let d = Md5::digest(&buf);
            for h in d.chunks_exact(4) {
                cache.push(u32::from_le_bytes([h[0], h[1], h[2], h[3]]));
            }
            group += 1;
        }
    });
    true
}

impl<N: StableKey> Router for Ketama<N> {
    type Node = N;

    /// The [`ketama_hash`] of `key`, widened to 64 bits.
    #[inline]
    fn hash_key<K: StableKey + ?Sized>(&self, key: &K) -> u64 {
        u64::from(ketama_hash(key))
    }

    #[inline]
    fn route_hash(&self, hash: u64) -> Option<&N> {
        Ketama::route_hash(self, hash)
    }

    fn node_count(&self) -> usize {
        self.nodes.len()
    }
}
