//! Wait-free single-producer single-consumer ring.
//!
//! [`channel`] returns a [`Producer`] and a [`Consumer`], each `Send`, each
//! owned by one thread. Every operation finishes in a bounded number of
//! steps: no CAS loops, no locks, no waiting.
//!
//! # Algorithm
//!
//! Two free-running indices, `head` (next slot to read, written only by the
//! consumer) and `tail` (next slot to write, written only by the producer),
//! each on its own cache line. The ring holds `tail - head` values (wrapping
//! arithmetic), and slot `i` lives at `i & (capacity - 1)`, which is why the
//! capacity is rounded up to a power of two. Each side keeps a private copy of
//! the other's index and reloads it (with `Acquire`) only when that copy says
//! the ring is full (producer) or empty (consumer); after writing or reading a
//! slot it publishes its own index with `Release`. The `Release`/`Acquire`
//! pair on an index orders the slot access before it with the other side's
//! access after it, which is the whole synchronisation protocol.
//!
//! # Capacity
//!
//! A requested capacity of `0` is an error ([`CapacityError::Zero`]); any
//! other is rounded up to the next power of two (`capacity()` reports the real
//! one). A capacity that cannot be rounded or allocated is
//! [`CapacityError::TooLarge`].
//!
//! # Zero-sized types
//!
//! A ring of a zero-sized type (`()`, a marker struct) allocates nothing but
//! behaves exactly like any other ring: it holds at most `capacity()` values,
//! `push` fails when full, and each value pushed is dropped exactly once, so
//! it can serve as a bounded counting semaphore.
//!
//! # Thread safety
//!
//! [`Producer`] and [`Consumer`] are `Send` when `T: Send`. A `Consumer` is
//! `Sync` only when `T` is also `Sync`, because [`Consumer::peek`] hands out
//! `&T` through `&Consumer`:
//!
//! ```compile_fail
//! use pillars_dsa::ringbuf::spsc;
//! fn sync<S: Sync>(_: &S) {}
//! let (_tx, rx) = spsc::channel::<std::cell::Cell<u8>>(1).unwrap();
//! sync(&rx); // `Cell` is not `Sync`
//! ```
//!
//! ```compile_fail
//! use pillars_dsa::ringbuf::spsc;
//! let (_tx, rx) = spsc::channel::<std::rc::Rc<u8>>(1).unwrap();
//! std::thread::spawn(move || drop(rx)); // `Rc` is not `Send`
//! ```
//!
//! # Drops
//!
//! Every value pushed is dropped exactly once: by the caller after `pop`, by
//! [`ReadChunk::commit`], or by the ring when both the producer and the
//! consumer have been dropped.
//!
//! # Examples
//!
//! ```
//! use pillars_dsa::ringbuf::spsc;
//!
//! let (mut tx, mut rx) = spsc::channel::<String>(3)?;
//! assert_eq!(tx.capacity(), 4); // rounded up to a power of two
//! tx.push("hello".to_owned())?;
//! assert_eq!(rx.peek().map(String::as_str), Some("hello"));
//! assert_eq!(rx.pop()?, "hello");
//! assert!(rx.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crossbeam_utils::CachePadded;

use super::sync::{Arc, AtomicUsize, Ordering, UnsafeCell};
use super::{CapacityError, PopError, PushError};

/// One slot of the ring: uninitialised unless its index is in `head..tail`.
type Slot<T> = UnsafeCell<MaybeUninit<T>>;

/// The state both halves point to.
///
/// Invariants:
/// - `buf` is the start of a `Box<[Slot<T>]>` of exactly `mask + 1` slots,
///   leaked in [`Shared::new`] and freed in `Drop`; `mask + 1` is a power of
///   two.
/// - `tail.wrapping_sub(head) <= mask + 1`; the slots for indices in
///   `head..tail` (wrapping) hold initialised values, all others are
///   uninitialised.
/// - Only the producer stores `tail`, only the consumer stores `head`. The
///   producer is the only one touching slots in `tail..head + capacity`, the
///   consumer the only one touching slots in `head..tail`.
struct Shared<T> {
    head: CachePadded<AtomicUsize>,
    tail: CachePadded<AtomicUsize>,
    buf: NonNull<Slot<T>>,
    mask: usize,
}

// SAFETY: `Shared` owns the `T`s in the ring and hands them from one thread to
// another, so it can move between threads and be shared between them when
// `T: Send`. No `&T` is reachable through `&Shared` except through the
// consumer's `peek`, and `Consumer` is only `Sync` when `T: Sync` (see its
// `PhantomData<T>`).
unsafe impl<T: Send> Send for Shared<T> {}
// SAFETY: see the `Send` impl; the index protocol keeps every slot access
// exclusive to one side at a time.
unsafe impl<T: Send> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// Allocates a ring of exactly `capacity` (a power of two) slots, or
    /// `None` if the allocation cannot be made.
    fn new(capacity: usize) -> Option<Self> {
        debug_assert!(capacity.is_power_of_two());
        let slots = alloc_slots::<T>(capacity)?;
        let buf = NonNull::from(Box::leak(slots)).cast::<Slot<T>>();
        Some(Self {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            buf,
            mask: capacity - 1,
        })
    }

    #[inline]
    fn capacity(&self) -> usize {
        self.mask + 1
    }

    /// The slot for the free-running index `pos`.
    #[inline]
    fn slot(&self, pos: usize) -> &Slot<T> {
        // SAFETY: `pos & mask < capacity`, the number of slots in the
        // allocation, which lives as long as `self`. Only a shared reference
        // to this one slot is made; its contents are reached through the
        // cell's raw pointer.
        unsafe { &*self.buf.as_ptr().add(pos & self.mask) }
    }

    /// Raw pointer to slot 0, typed as `T`; valid for the whole allocation.
    #[cfg(not(loom))]
    #[inline]
    fn base(&self) -> *mut T {
        // The shim's `UnsafeCell` is `repr(transparent)` over
        // `core::cell::UnsafeCell`, itself over `MaybeUninit<T>`, itself of
        // `T`'s layout: slot `i` is at `base + i` as a `T`. The pointer comes
        // from the leaked `Box` so it carries the whole allocation's
        // provenance, and writes through it are inside an `UnsafeCell`.
        self.buf.as_ptr().cast::<T>()
    }
}

/// Allocates `capacity` uninitialised slots without aborting on failure.
#[cfg_attr(loom, allow(clippy::unnecessary_wraps))]
fn alloc_slots<T>(capacity: usize) -> Option<Box<[Slot<T>]>> {
    #[cfg(not(loom))]
    {
        let mut v: Vec<MaybeUninit<Slot<T>>> = Vec::new();
        v.try_reserve_exact(capacity).ok()?;
        // SAFETY: `capacity` elements were just reserved, and a
        // `MaybeUninit` needs no initialisation.
        unsafe { v.set_len(capacity) };
        // SAFETY: `Slot<T>` is `UnsafeCell<MaybeUninit<T>>` (transparent
        // wrappers), which is valid for any bytes, initialised or not.
        Some(unsafe { v.into_boxed_slice().assume_init() })
    }
    #[cfg(loom)]
    {
        // Loom's cells carry tracking state and must be constructed.
        Some(
            (0..capacity)
                .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
                .collect(),
        )
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        /// Frees the slot memory when dropped, so it is freed even if
        /// dropping a value below panics.
        struct FreeSlots<T> {
            slots: *mut [Slot<T>],
        }
        impl<T> Drop for FreeSlots<T> {
            fn drop(&mut self) {
                // SAFETY: `slots` is the boxed slice leaked in `Shared::new`
                // (`buf`, `capacity()` slots), freed only here, once. Its
                // `MaybeUninit` slots drop nothing, so this only frees the
                // memory; the values were dropped before.
                drop(unsafe { Box::from_raw(self.slots) });
            }
        }
        let _free = FreeSlots {
            slots: ptr::slice_from_raw_parts_mut(self.buf.as_ptr(), self.capacity()),
        };

        if !core::mem::needs_drop::<T>() {
            return;
        }
        // Both halves are gone, and the `Arc` that owned us synchronised with
        // their last stores, so these loads see the final indices.
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Relaxed);
        let len = tail.wrapping_sub(head);
        #[cfg(not(loom))]
        {
            let ((start, first), (_, second)) = split(head, len, self.capacity());
            let base = self.base();
            // SAFETY: the `len` values from `head` are initialised (the
            // struct invariant) and nobody else can reach them any more;
            // `split` keeps both pieces inside the allocation. They are
            // dropped once here and the slots are never read again.
            unsafe {
                drop_two(
                    ptr::slice_from_raw_parts_mut(base.add(start), first),
                    ptr::slice_from_raw_parts_mut(base, second),
                );
            }
        }
        #[cfg(loom)]
        for i in 0..len {
            // SAFETY: as above, one slot at a time.
            self.slot(head.wrapping_add(i))
                .with_mut(|p| unsafe { ptr::drop_in_place(p.cast::<T>()) });
        }
    }
}

/// The (start slot, length) of the at most two contiguous pieces that `len`
/// values starting at free-running index `pos` occupy in a ring of
/// `capacity` slots.
#[cfg(not(loom))]
#[inline]
fn split(pos: usize, len: usize, capacity: usize) -> ((usize, usize), (usize, usize)) {
    let start = pos & (capacity - 1);
    let first = len.min(capacity - start);
    ((start, first), (0, len - first))
}

/// Drops the elements of `first`, then those of `second`, even if a drop in
/// `first` panics.
///
/// # Safety
///
/// Both slices must be valid for `drop_in_place` and not overlap.
#[cfg(not(loom))]
unsafe fn drop_two<T>(first: *mut [T], second: *mut [T]) {
    struct DropOnExit<T>(*mut [T]);
    impl<T> Drop for DropOnExit<T> {
        fn drop(&mut self) {
            // SAFETY: the caller of `drop_two` guarantees the slice is valid
            // to drop, and this guard runs exactly once.
            unsafe { ptr::drop_in_place(self.0) }
        }
    }
    let second = DropOnExit(second);
    // SAFETY: guaranteed by the caller. `drop_in_place` on a slice goes on
    // dropping the rest of the slice if one element panics, and the guard
    // then drops `second` during the unwind.
    unsafe { ptr::drop_in_place(first) };
    drop(second);
}

/// Creates a wait-free single-producer single-consumer ring holding at least
/// `capacity` values.
///
/// The capacity is rounded up to the next power of two; [`Producer::capacity`]
/// and [`Consumer::capacity`] report the real one.
///
/// # Errors
///
/// [`CapacityError::Zero`] if `capacity` is 0; [`CapacityError::TooLarge`] if
/// the rounded capacity overflows `usize` or its memory cannot be allocated.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::{spsc, CapacityError};
///
/// let (tx, rx) = spsc::channel::<u32>(1000)?;
/// assert_eq!(tx.capacity(), 1024);
/// assert_eq!(rx.capacity(), 1024);
/// assert_eq!(spsc::channel::<u32>(0).unwrap_err(), CapacityError::Zero);
/// # Ok::<(), CapacityError>(())
/// ```
pub fn channel<T>(capacity: usize) -> Result<(Producer<T>, Consumer<T>), CapacityError> {
    if capacity == 0 {
        return Err(CapacityError::Zero);
    }
    let too_large = CapacityError::TooLarge {
        requested: capacity,
    };
    let capacity = capacity.checked_next_power_of_two().ok_or(too_large)?;
    let shared = Arc::new(Shared::new(capacity).ok_or(too_large)?);
    let producer = Producer {
        shared: Arc::clone(&shared),
        tail: 0,
        cached_head: 0,
    };
    let consumer = Consumer {
        shared,
        head: 0,
        cached_tail: 0,
        _not_sync_unless_t_sync: PhantomData,
    };
    Ok((producer, consumer))
}

/// The writing half of an [`spsc`](self) ring. Created by [`channel`].
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::spsc;
///
/// let (mut tx, rx) = spsc::channel(2)?;
/// tx.push(1)?;
/// tx.push(2)?;
/// assert!(tx.is_full());
/// assert_eq!(tx.push(3).unwrap_err().into_inner(), 3);
/// drop(rx);
/// assert!(tx.is_abandoned());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Producer<T> {
    shared: Arc<Shared<T>>,
    /// Our own index; equal to `shared.tail` (we are its only writer).
    tail: usize,
    /// The consumer's index as last seen; never ahead of the real one.
    cached_head: usize,
}

impl<T> Producer<T> {
    /// Pushes `value` at the back of the ring.
    ///
    /// # Errors
    ///
    /// [`PushError::Full`], carrying `value` back, if the ring is full.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::{spsc, PushError};
    ///
    /// let (mut tx, _rx) = spsc::channel(1)?;
    /// assert_eq!(tx.push('a'), Ok(()));
    /// assert_eq!(tx.push('b'), Err(PushError::Full('b')));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[inline]
    pub fn push(&mut self, value: T) -> Result<(), PushError<T>> {
        if self.reserve(1) == 0 {
            return Err(PushError::Full(value));
        }
        // SAFETY: `reserve` saw a free slot at `tail`: the consumer has
        // finished with it (its `Release` store of `head` was read with
        // `Acquire`), and the consumer will not touch it until we publish
        // `tail` below. Writing overwrites nothing initialised.
        self.shared
            .slot(self.tail)
            .with_mut(|p| unsafe { p.write(MaybeUninit::new(value)) });
        self.advance(1);
        Ok(())
    }

    /// The number of free slots, `capacity() - len()`.
    ///
    /// It is exact for the producer: it can only grow behind its back, as the
    /// consumer pops.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, _rx) = spsc::channel(4)?;
    /// tx.push(0)?;
    /// assert_eq!(tx.slots(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn slots(&self) -> usize {
        self.capacity() - self.len()
    }

    /// Whether the ring is full (no free slot).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, _rx) = spsc::channel(1)?;
    /// assert!(!tx.is_full());
    /// tx.push(0)?;
    /// assert!(tx.is_full());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.slots() == 0
    }

    /// The number of values in the ring (it may shrink concurrently as the
    /// consumer pops).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel(4)?;
    /// tx.push(0)?;
    /// tx.push(1)?;
    /// rx.pop()?;
    /// assert_eq!(tx.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        let head = self.shared.head.load(Ordering::Acquire);
        self.tail.wrapping_sub(head)
    }

    /// Whether the ring holds no value (it may become so concurrently).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (tx, _rx) = spsc::channel::<u8>(4)?;
    /// assert!(tx.is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of values the ring holds when full (a power of two).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (tx, _rx) = spsc::channel::<u8>(5)?;
    /// assert_eq!(tx.capacity(), 8);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    /// Whether the [`Consumer`] has been dropped. Pushing still works, but
    /// nobody will pop the values; they are dropped with the producer.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (tx, rx) = spsc::channel::<u8>(4)?;
    /// assert!(!tx.is_abandoned());
    /// drop(rx);
    /// assert!(tx.is_abandoned());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_abandoned(&self) -> bool {
        Arc::strong_count(&self.shared) < 2
    }

    /// The number of free slots, at most `wanted`; reloads the consumer's
    /// index only if the cached one shows fewer than `wanted`.
    #[inline]
    fn reserve(&mut self, wanted: usize) -> usize {
        let capacity = self.capacity();
        let mut free = capacity - self.tail.wrapping_sub(self.cached_head);
        if free < wanted {
            self.cached_head = self.shared.head.load(Ordering::Acquire);
            free = capacity - self.tail.wrapping_sub(self.cached_head);
        }
        free.min(wanted)
    }

    /// Publishes `n` slots after `tail` as written.
    #[inline]
    fn advance(&mut self, n: usize) {
        self.tail = self.tail.wrapping_add(n);
        self.shared.tail.store(self.tail, Ordering::Release);
    }
}

#[cfg(not(loom))]
impl<T> Producer<T> {
    /// Copies as many values from the front of `src` as there are free slots
    /// and returns how many: one or two `memcpy`s and one index store.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel::<u8>(4)?;
    /// assert_eq!(tx.push_slice(b"hello"), 4);
    /// let mut out = [0; 8];
    /// assert_eq!(rx.pop_slice(&mut out), 4);
    /// assert_eq!(&out[..4], b"hell");
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn push_slice(&mut self, src: &[T]) -> usize
    where
        T: Copy,
    {
        let n = self.reserve(src.len());
        if n == 0 {
            return 0;
        }
        let ((start, first), (_, second)) = split(self.tail, n, self.capacity());
        let base = self.shared.base();
        // SAFETY: the `n` slots from `tail` are free and ours (see `push`);
        // `split` keeps both pieces in bounds; `src` has at least `n = first +
        // second` elements and cannot overlap the free slots, which no
        // reference points into. `T: Copy`, so overwriting needs no drop.
        unsafe {
            ptr::copy_nonoverlapping(src.as_ptr(), base.add(start), first);
            ptr::copy_nonoverlapping(src.as_ptr().add(first), base, second);
        }
        self.advance(n);
        n
    }

    /// Borrows up to `n` free slots, in at most two pieces, to be written in
    /// place and then published with [`WriteChunkUninit::commit`] or
    /// [`WriteChunkUninit::fill_from_iter`].
    ///
    /// The chunk has `min(n, slots())` slots; it may be empty. Dropping it
    /// without committing publishes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel::<u32>(4)?;
    /// let chunk = tx.write_chunk_uninit(3);
    /// assert_eq!(chunk.len(), 3);
    /// assert_eq!(chunk.fill_from_iter(10..), 3);
    /// assert_eq!(rx.pop(), Ok(10));
    ///
    /// let mut chunk = tx.write_chunk_uninit(10);
    /// assert_eq!(chunk.len(), 2);
    /// let (first, _second) = chunk.as_mut_slices();
    /// first[0].write(99);
    /// // SAFETY: the first slot was initialised just above.
    /// unsafe { chunk.commit(1) };
    /// assert_eq!(rx.len(), 3);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn write_chunk_uninit(&mut self, n: usize) -> WriteChunkUninit<'_, T> {
        let len = self.reserve(n);
        WriteChunkUninit {
            producer: self,
            len,
        }
    }
}

impl<T> fmt::Debug for Producer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Producer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}

/// The reading half of an [`spsc`](self) ring. Created by [`channel`].
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::{spsc, PopError};
///
/// let (mut tx, mut rx) = spsc::channel(2)?;
/// tx.push(1)?;
/// drop(tx);
/// assert!(rx.is_abandoned());
/// assert_eq!(rx.pop(), Ok(1)); // values left behind can still be read
/// assert_eq!(rx.pop(), Err(PopError::Empty));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Consumer<T> {
    shared: Arc<Shared<T>>,
    /// Our own index; equal to `shared.head` (we are its only writer).
    head: usize,
    /// The producer's index as last seen; never ahead of the real one.
    cached_tail: usize,
    /// `peek` hands out `&T` through `&Consumer`, so sharing a `Consumer`
    /// between threads shares `&T`: it must be `Sync` only if `T` is.
    _not_sync_unless_t_sync: PhantomData<T>,
}

impl<T> Consumer<T> {
    /// Removes and returns the value at the front of the ring.
    ///
    /// # Errors
    ///
    /// [`PopError::Empty`] if the ring holds no value.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::{spsc, PopError};
    ///
    /// let (mut tx, mut rx) = spsc::channel(2)?;
    /// tx.push("x")?;
    /// assert_eq!(rx.pop(), Ok("x"));
    /// assert_eq!(rx.pop(), Err(PopError::Empty));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Result<T, PopError> {
        if self.available(1) == 0 {
            return Err(PopError::Empty);
        }
        // SAFETY: `available` saw `head < tail`: the producer initialised this
        // slot before its `Release` store of `tail`, which we read with
        // `Acquire`, and will not touch it until we publish `head` below. The
        // value is moved out exactly once; the slot is uninitialised after.
        let value = self
            .shared
            .slot(self.head)
            .with(|p| unsafe { p.cast::<T>().read() });
        self.advance(1);
        Ok(value)
    }

    /// A reference to the value at the front of the ring, without removing
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, rx) = spsc::channel(2)?;
    /// assert_eq!(rx.peek(), None);
    /// tx.push(5)?;
    /// assert_eq!(rx.peek(), Some(&5));
    /// assert_eq!(rx.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn peek(&self) -> Option<&T> {
        if self.head == self.cached_tail && self.shared.tail.load(Ordering::Acquire) == self.head {
            return None;
        }
        // SAFETY: the slot at `head` is initialised (as in `pop`). The
        // reference borrows `self`, so no `pop` or chunk commit (all `&mut
        // self`) can move or drop the value while it lives, and the producer
        // never writes a slot in `head..tail`.
        Some(
            self.shared
                .slot(self.head)
                .with(|p| unsafe { (*p).assume_init_ref() }),
        )
    }

    /// The number of values in the ring (it may grow concurrently as the
    /// producer pushes).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, rx) = spsc::channel(4)?;
    /// tx.push(0)?;
    /// assert_eq!(rx.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        let tail = self.shared.tail.load(Ordering::Acquire);
        tail.wrapping_sub(self.head)
    }

    /// Whether the ring holds no value. Exact for the consumer: it can only
    /// become non-empty behind its back.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, rx) = spsc::channel(4)?;
    /// assert!(rx.is_empty());
    /// tx.push(0)?;
    /// assert!(!rx.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of values the ring holds when full (a power of two).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (_tx, rx) = spsc::channel::<u8>(16)?;
    /// assert_eq!(rx.capacity(), 16);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    /// Whether the [`Producer`] has been dropped. Values it left in the ring
    /// can still be popped.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (tx, rx) = spsc::channel::<u8>(4)?;
    /// drop(tx);
    /// assert!(rx.is_abandoned());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_abandoned(&self) -> bool {
        Arc::strong_count(&self.shared) < 2
    }

    /// The number of readable values, at most `wanted`; reloads the
    /// producer's index only if the cached one shows fewer than `wanted`.
    #[inline]
    fn available(&mut self, wanted: usize) -> usize {
        let mut n = self.cached_tail.wrapping_sub(self.head);
        if n < wanted {
            self.cached_tail = self.shared.tail.load(Ordering::Acquire);
            n = self.cached_tail.wrapping_sub(self.head);
        }
        n.min(wanted)
    }

    /// Publishes `n` slots after `head` as free.
    #[inline]
    fn advance(&mut self, n: usize) {
        self.head = self.head.wrapping_add(n);
        self.shared.head.store(self.head, Ordering::Release);
    }
}

#[cfg(not(loom))]
impl<T> Consumer<T> {
    /// Copies as many values from the front of the ring into the front of
    /// `dst` as both allow, removes them, and returns how many: one or two
    /// `memcpy`s and one index store.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel::<i16>(8)?;
    /// tx.push_slice(&[1, 2, 3]);
    /// let mut out = [0; 2];
    /// assert_eq!(rx.pop_slice(&mut out), 2);
    /// assert_eq!(out, [1, 2]);
    /// assert_eq!(rx.pop(), Ok(3));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn pop_slice(&mut self, dst: &mut [T]) -> usize
    where
        T: Copy,
    {
        let n = self.available(dst.len());
        if n == 0 {
            return 0;
        }
        let ((start, first), (_, second)) = split(self.head, n, self.capacity());
        let base = self.shared.base();
        // SAFETY: the `n` slots from `head` are initialised and ours (see
        // `pop`); `split` keeps both pieces in bounds; `dst` has room for `n`
        // and, being a unique borrow, cannot overlap the ring's slots (a
        // `peek` borrow would conflict with `&mut self`). `T: Copy`, so the
        // slots need no drop and `dst`'s old values need none either.
        unsafe {
            ptr::copy_nonoverlapping(base.add(start), dst.as_mut_ptr(), first);
            ptr::copy_nonoverlapping(base, dst.as_mut_ptr().add(first), second);
        }
        self.advance(n);
        n
    }

    /// Borrows up to `n` values at the front of the ring, in at most two
    /// pieces, to be read in place; [`ReadChunk::commit`] then drops and
    /// removes the first `k` of them.
    ///
    /// The chunk has `min(n, len())` values; it may be empty. Dropping it
    /// without committing removes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel(4)?;
    /// for s in ["a", "b", "c"] {
    ///     tx.push(s.to_owned())?;
    /// }
    /// let chunk = rx.read_chunk(8);
    /// assert_eq!(chunk.len(), 3);
    /// let (first, second) = chunk.as_slices();
    /// assert_eq!([first, second].concat(), ["a", "b", "c"]);
    /// chunk.commit(2); // drops "a" and "b"
    /// assert_eq!(rx.pop().as_deref(), Ok("c"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_chunk(&mut self, n: usize) -> ReadChunk<'_, T> {
        let len = self.available(n);
        ReadChunk {
            consumer: self,
            len,
        }
    }
}

impl<T> fmt::Debug for Consumer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish_non_exhaustive()
    }
}

/// Free slots borrowed from a [`Producer`] by
/// [`Producer::write_chunk_uninit`], in at most two pieces.
///
/// Nothing is published until [`commit`](Self::commit) or
/// [`fill_from_iter`](Self::fill_from_iter); dropping the chunk publishes
/// nothing (values written into it are then leaked, never dropped).
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::spsc;
///
/// let (mut tx, rx) = spsc::channel::<u8>(4)?;
/// assert_eq!(tx.write_chunk_uninit(4).fill_from_iter([1, 2]), 2);
/// assert_eq!(rx.len(), 2);
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[cfg(not(loom))]
pub struct WriteChunkUninit<'a, T> {
    producer: &'a mut Producer<T>,
    /// Number of free slots borrowed, from `producer.tail`.
    len: usize,
}

#[cfg(not(loom))]
impl<T> WriteChunkUninit<'_, T> {
    /// The number of slots in the chunk.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, _rx) = spsc::channel::<u8>(2)?;
    /// assert_eq!(tx.write_chunk_uninit(5).len(), 2);
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the chunk has no slot (the ring was full, or `n` was 0).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, _rx) = spsc::channel::<u8>(2)?;
    /// assert!(tx.write_chunk_uninit(0).is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk's slots as two slices, in ring order: the second is
    /// non-empty only when the chunk wraps around the end of the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel::<u8>(4)?;
    /// tx.push_slice(&[0, 0, 0]);
    /// rx.pop_slice(&mut [0; 3]);
    /// let mut chunk = tx.write_chunk_uninit(3); // starts at slot 3, wraps
    /// let (first, second) = chunk.as_mut_slices();
    /// assert_eq!((first.len(), second.len()), (1, 2));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn as_mut_slices(&mut self) -> (&mut [MaybeUninit<T>], &mut [MaybeUninit<T>]) {
        let shared = &self.producer.shared;
        let ((start, first), (_, second)) = split(self.producer.tail, self.len, shared.capacity());
        let base = shared.base().cast::<MaybeUninit<T>>();
        // SAFETY: the `len` slots from `tail` are free, so only the producer
        // may touch them, and the producer is mutably borrowed by this chunk,
        // itself mutably borrowed by the returned slices: nothing else can
        // reach these slots while they live. The two pieces are disjoint and
        // in bounds (`split`), and `MaybeUninit` needs no initialisation.
        unsafe {
            (
                core::slice::from_raw_parts_mut(base.add(start), first),
                core::slice::from_raw_parts_mut(base, second),
            )
        }
    }

    /// Publishes the first `k` slots of the chunk (first piece, then second)
    /// as pushed values. `k` is clamped to [`len`](Self::len).
    ///
    /// # Safety
    ///
    /// The first `min(k, len())` slots must have been initialised through
    /// [`as_mut_slices`](Self::as_mut_slices).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel::<u64>(4)?;
    /// let mut chunk = tx.write_chunk_uninit(2);
    /// let (first, _) = chunk.as_mut_slices();
    /// first[0].write(1);
    /// first[1].write(2);
    /// // SAFETY: both slots were written above.
    /// unsafe { chunk.commit(2) };
    /// assert_eq!(rx.pop(), Ok(1));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub unsafe fn commit(self, k: usize) {
        self.producer.advance(k.min(self.len));
    }

    /// Moves values from `iter` into the chunk's slots until either runs out,
    /// publishes them, and returns how many. Safe: only slots actually
    /// written are published, even if `iter` panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel(2)?;
    /// let n = tx.write_chunk_uninit(2).fill_from_iter(["x".to_owned()]);
    /// assert_eq!(n, 1);
    /// assert_eq!(rx.pop().as_deref(), Ok("x"));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn fill_from_iter<I: IntoIterator<Item = T>>(self, iter: I) -> usize {
        /// Publishes what was written, also when `iter` panics.
        struct Publish<'p, T> {
            producer: &'p mut Producer<T>,
            written: usize,
        }
        impl<T> Drop for Publish<'_, T> {
            fn drop(&mut self) {
                self.producer.advance(self.written);
            }
        }

        let len = self.len;
        let mut publish = Publish {
            producer: self.producer,
            written: 0,
        };
        let mut iter = iter.into_iter();
        while publish.written < len {
            let Some(value) = iter.next() else { break };
            let pos = publish.producer.tail.wrapping_add(publish.written);
            let slot = publish
                .producer
                .shared
                .base()
                .wrapping_add(pos & publish.producer.shared.mask);
            // SAFETY: slot `pos` is one of the chunk's free slots (`written <
            // len`), ours alone (see `as_mut_slices`), and uninitialised, so
            // writing leaks nothing. It is published by `publish`'s drop.
            unsafe { slot.write(value) };
            publish.written += 1;
        }
        publish.written
    }
}

#[cfg(not(loom))]
impl<T> fmt::Debug for WriteChunkUninit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteChunkUninit")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// Values borrowed from the front of a [`Consumer`] by
/// [`Consumer::read_chunk`], in at most two pieces.
///
/// Nothing is removed until [`commit`](Self::commit); dropping the chunk
/// removes nothing.
///
/// # Examples
///
/// ```
/// use pillars_dsa::ringbuf::spsc;
///
/// let (mut tx, mut rx) = spsc::channel(4)?;
/// tx.push_slice(&[1, 2, 3]);
/// let chunk = rx.read_chunk(2);
/// assert_eq!(chunk.as_slices(), (&[1, 2][..], &[][..]));
/// drop(chunk);
/// assert_eq!(rx.len(), 3);
/// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
/// ```
#[cfg(not(loom))]
pub struct ReadChunk<'a, T> {
    consumer: &'a mut Consumer<T>,
    /// Number of values borrowed, from `consumer.head`.
    len: usize,
}

#[cfg(not(loom))]
impl<T> ReadChunk<'_, T> {
    /// The number of values in the chunk.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel(4)?;
    /// tx.push(1)?;
    /// assert_eq!(rx.read_chunk(3).len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the chunk has no value (the ring was empty, or `n` was 0).
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (_tx, mut rx) = spsc::channel::<u8>(4)?;
    /// assert!(rx.read_chunk(3).is_empty());
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunk's values as two slices, oldest first: the second is
    /// non-empty only when the chunk wraps around the end of the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel(2)?;
    /// tx.push(1)?;
    /// rx.pop()?;
    /// tx.push_slice(&[2, 3]); // wraps: slot 1, then slot 0
    /// assert_eq!(rx.read_chunk(2).as_slices(), (&[2][..], &[3][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn as_slices(&self) -> (&[T], &[T]) {
        let shared = &self.consumer.shared;
        let ((start, first), (_, second)) = split(self.consumer.head, self.len, shared.capacity());
        let base = shared.base();
        // SAFETY: the `len` values from `head` are initialised and the
        // producer does not touch them; the consumer is mutably borrowed by
        // this chunk, so they cannot be popped or dropped while the returned
        // slices (which borrow the chunk) live. In bounds and disjoint.
        unsafe {
            (
                core::slice::from_raw_parts(base.add(start), first),
                core::slice::from_raw_parts(base, second),
            )
        }
    }

    /// Drops the first `k` values of the chunk (first piece, then second)
    /// and removes them from the ring; the rest stay. `k` is clamped to
    /// [`len`](Self::len).
    ///
    /// If dropping a value panics, the other values are still dropped and
    /// all `k` are removed before the panic goes on.
    ///
    /// # Examples
    ///
    /// ```
    /// use pillars_dsa::ringbuf::spsc;
    ///
    /// let (mut tx, mut rx) = spsc::channel(4)?;
    /// tx.push_slice(&[1, 2, 3]);
    /// rx.read_chunk(3).commit(1);
    /// assert_eq!(rx.pop(), Ok(2));
    /// # Ok::<(), pillars_dsa::ringbuf::CapacityError>(())
    /// ```
    pub fn commit(self, k: usize) {
        /// Publishes the new `head`, also when a drop panics.
        struct Publish<'p, T> {
            consumer: &'p mut Consumer<T>,
            n: usize,
        }
        impl<T> Drop for Publish<'_, T> {
            fn drop(&mut self) {
                self.consumer.advance(self.n);
            }
        }

        let k = k.min(self.len);
        let publish = Publish {
            consumer: self.consumer,
            n: k,
        };
        if core::mem::needs_drop::<T>() {
            let shared = &publish.consumer.shared;
            let ((start, first), (_, second)) = split(publish.consumer.head, k, shared.capacity());
            let base = shared.base();
            // SAFETY: the `k` values from `head` are initialised and ours
            // (see `as_slices`); no slice into them outlives the chunk, which
            // this call consumes. Each is dropped exactly once here, and
            // `publish` then marks the slots free so they are never read or
            // dropped again.
            unsafe {
                drop_two(
                    ptr::slice_from_raw_parts_mut(base.add(start), first),
                    ptr::slice_from_raw_parts_mut(base, second),
                );
            }
        }
        drop(publish);
    }
}

#[cfg(not(loom))]
impl<T> fmt::Debug for ReadChunk<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadChunk")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn auto_traits() {
        fn send_sync<S: Send + Sync>() {}
        fn send<S: Send>() {}
        send_sync::<Producer<u8>>();
        send_sync::<Consumer<u8>>();
        // `Cell` is `Send` but not `Sync`: both halves can move, and the
        // producer (which never hands out `&T`) can still be shared.
        send_sync::<Producer<core::cell::Cell<u8>>>();
        send::<Consumer<core::cell::Cell<u8>>>();
    }

    #[test]
    fn rounds_capacity_up() {
        for (asked, real) in [(1, 1), (2, 2), (3, 4), (5, 8), (1000, 1024)] {
            let (tx, rx) = channel::<u8>(asked).unwrap();
            assert_eq!((tx.capacity(), rx.capacity()), (real, real));
        }
        assert_eq!(channel::<u8>(0).unwrap_err(), CapacityError::Zero);
        assert_eq!(
            channel::<u8>(usize::MAX).unwrap_err(),
            CapacityError::TooLarge {
                requested: usize::MAX
            }
        );
        // Rounds to 2^63 slots of 8 bytes: does not fit in the address space.
        assert!(matches!(
            channel::<u64>((1 << 62) + 1),
            Err(CapacityError::TooLarge { .. })
        ));
    }

    #[test]
    fn zst_ring_is_bounded_and_counts() {
        let (mut tx, mut rx) = channel::<()>(3).unwrap();
        assert_eq!(tx.capacity(), 4);
        for _ in 0..4 {
            tx.push(()).unwrap();
        }
        assert_eq!(tx.push(()), Err(PushError::Full(())));
        assert_eq!(rx.len(), 4);
        assert_eq!(rx.peek(), Some(&()));
        for _ in 0..4 {
            rx.pop().unwrap();
        }
        assert_eq!(rx.pop(), Err(PopError::Empty));
        // Huge ZST rings allocate nothing.
        let (mut tx, rx) = channel::<()>(1 << 63).unwrap();
        assert_eq!(tx.capacity(), 1 << 63);
        assert_eq!(tx.push_slice(&[(); 3]), 3);
        assert_eq!(rx.len(), 3);
    }

    #[test]
    fn indices_wrap_around_usize() {
        let (mut tx, mut rx) = channel::<u32>(4).unwrap();
        // Start both sides just below the wrap point.
        let start = usize::MAX - 5;
        tx.tail = start;
        tx.cached_head = start;
        tx.shared.tail.store(start, Ordering::Relaxed);
        tx.shared.head.store(start, Ordering::Relaxed);
        rx.head = start;
        rx.cached_tail = start;
        let mut expect = 0;
        for i in 0..40u32 {
            assert_eq!(tx.push_slice(&[i, i + 100]), 2);
            assert_eq!(tx.len(), 2);
            assert_eq!(rx.pop(), Ok(i));
            assert_eq!(rx.pop(), Ok(i + 100));
            expect += 2;
        }
        assert_eq!(expect, 80);
        assert!(rx.is_empty());
    }
}
