//! Division by a constant through a precomputed reciprocal: one 64×64→128
//! multiply and at most two corrections instead of a hardware divide (tens
//! of cycles), for the window and bucket limiters' hot paths.

/// `n / d` and `n % d` for a fixed `d ≥ 1`, exact for every `u64` `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Divider {
    d: u64,
    /// `⌊(2^64 − 1) / d⌋`: the quotient estimate is low by at most 2.
    m: u64,
}

impl Divider {
    /// A divider by `d` (`d == 0` is treated as 1; callers validate first).
    pub(crate) const fn new(d: u64) -> Self {
        let d = if d == 0 { 1 } else { d };
        Self { d, m: u64::MAX / d }
    }

    /// `(n / d, n % d)`.
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // the high half of a u128 product fits u64
    pub(crate) const fn div_rem(self, n: u64) -> (u64, u64) {
        let mut q = ((n as u128 * self.m as u128) >> 64) as u64;
        let mut r = n - q * self.d;
        while r >= self.d {
            q += 1;
            r -= self.d;
        }
        (q, r)
    }

    /// The divisor.
    #[inline]
    pub(crate) const fn get(self) -> u64 {
        self.d
    }
}

#[cfg(test)]
mod tests {
    use super::Divider;

    #[test]
    fn exact_for_edges() {
        for d in [
            1,
            2,
            3,
            7,
            10,
            1000,
            999_999_937,
            u64::MAX / 3,
            u64::MAX - 1,
            u64::MAX,
        ] {
            let div = Divider::new(d);
            for n in [
                0,
                1,
                d - 1,
                d,
                d.saturating_add(1),
                u64::MAX,
                u64::MAX - 1,
                u64::MAX / 2,
                123_456_789_012_345,
            ] {
                assert_eq!(div.div_rem(n), (n / d, n % d), "{n} / {d}");
            }
        }
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let d = (x >> (x % 64)).max(1);
            let n = x.rotate_left(17);
            assert_eq!(Divider::new(d).div_rem(n), (n / d, n % d));
        }
    }
}
