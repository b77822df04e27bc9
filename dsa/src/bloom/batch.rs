//! Parallel batch lookups and inserts (feature `rayon`).
//!
//! A batch is split into chunks of [`BATCH_CHUNK`] keys that rayon's workers
//! take in turn; each chunk writes its answers into its own part of the
//! output, so the answers are in key order and equal, one for one, to the
//! single-key calls. Below [`PARALLEL_BATCH_MIN`] keys the batch runs on the
//! calling thread: a lookup costs tens of nanoseconds, so handing a few
//! thousand of them to other threads costs more than it saves.

use rayon::prelude::*;

/// Batches with fewer keys than this run sequentially on the calling thread
/// (4096 keys: about 0.1 ms of lookups, the point where spreading work over
/// rayon's pool starts to pay).
///
/// # Examples
///
/// ```
/// use pillars_dsa::bloom::{BloomFilter, PARALLEL_BATCH_MIN};
///
/// let mut f = BloomFilter::with_rate(10_000, 0.01)?;
/// f.insert_all(0_u64..5000);
/// // Below the threshold the batch is answered on this thread, above it in
/// // parallel; either way the answers are those of `contains`, in order.
/// for n in [PARALLEL_BATCH_MIN / 2, PARALLEL_BATCH_MIN * 2] {
///     let keys: Vec<u64> = (0..n as u64).collect();
///     let one_by_one: Vec<bool> = keys.iter().map(|k| f.contains(k)).collect();
///     assert_eq!(f.contains_batch(&keys), one_by_one);
/// }
/// # Ok::<(), pillars_dsa::bloom::Error>(())
/// ```
pub const PARALLEL_BATCH_MIN: usize = 4096;

/// Keys per parallel work item.
///
/// # Examples
///
/// ```
/// assert!(pillars_dsa::bloom::BATCH_CHUNK <= pillars_dsa::bloom::PARALLEL_BATCH_MIN);
/// ```
pub const BATCH_CHUNK: usize = 1024;

/// `f(key)` for every key, in key order; parallel for large batches.
pub(crate) fn map_keys<K, F>(keys: &[K], f: F) -> Vec<bool>
where
    K: Sync,
    F: Fn(&K) -> bool + Sync,
{
    if keys.len() < PARALLEL_BATCH_MIN {
        return keys.iter().map(f).collect();
    }
    let mut out = vec![false; keys.len()];
    out.par_chunks_mut(BATCH_CHUNK)
        .zip(keys.par_chunks(BATCH_CHUNK))
        .for_each(|(answers, chunk)| {
            for (a, k) in answers.iter_mut().zip(chunk) {
                *a = f(k);
            }
        });
    out
}

/// `f(key)` for every key, for its effect; parallel for large batches.
pub(crate) fn for_each_key<K, F>(keys: &[K], f: F)
where
    K: Sync,
    F: Fn(&K) + Sync,
{
    if keys.len() < PARALLEL_BATCH_MIN {
        keys.iter().for_each(f);
        return;
    }
    keys.par_chunks(BATCH_CHUNK)
        .for_each(|chunk| chunk.iter().for_each(&f));
}
