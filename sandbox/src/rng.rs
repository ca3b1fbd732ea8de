//! The seeded random source behind every id and every documented bit of AWS
//! randomness (standard-queue duplicates, retry jitter, cold-start times).
//!
//! One `SimRng` per `Cloud`. Same seed, same sequence, on every machine: ChaCha8
//! is specified bit for bit, unlike `thread_rng`.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// Deterministic random numbers and the AWS-shaped ids made from them.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

/// Lower-case hex digits (ids here, MD5s in `attributes`).
pub(crate) const HEX: &[u8; 16] = b"0123456789abcdef";
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl SimRng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SimRng {
        SimRng {
            inner: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }

    /// A number in `lo..=hi` (returns `lo` when the range is empty).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// A version-4 UUID, lower case: `9f4c2d1e-...`, the shape of SQS MessageIds
    /// and Lambda RequestIds.
    pub fn uuid(&mut self) -> String {
        self.uuid_raw().to_text()
    }

    /// The same UUID as [`SimRng::uuid`] (it draws the same bits), kept as 16
    /// bytes: for ids stored by the million and formatted only when shown.
    pub fn uuid_raw(&mut self) -> Uuid {
        let a = self.next_u64();
        let b = self.next_u64();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_be_bytes());
        bytes[8..].copy_from_slice(&b.to_be_bytes());
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Uuid(bytes)
    }

    /// `n` lower-case hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n);
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = self.next_u64();
            }
            out.push(HEX[(bits & 0xf) as usize] as char);
            bits >>= 4;
        }
        out
    }

    /// `n` characters from `[A-Za-z0-9]`.
    pub fn alnum(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| ALNUM[(self.next_u64() % ALNUM.len() as u64) as usize] as char)
            .collect()
    }
}

/// A version-4 UUID as 16 bytes; displays as the lower-case text form
/// (`9f4c2d1e-...`, 36 characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Uuid([u8; 16]);

impl Uuid {
    /// The text form (what `to_string` gives, without the formatting machinery).
    pub fn to_text(&self) -> String {
        String::from_utf8(self.ascii().to_vec()).expect("hex digits are ASCII")
    }

    /// The 36 ASCII characters of the text form.
    fn ascii(&self) -> [u8; 36] {
        // Where each byte's two digits go; the gaps are the dashes.
        const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
        let mut out = [b'-'; 36];
        for (byte, at) in self.0.iter().zip(AT) {
            out[at] = HEX[(byte >> 4) as usize];
            out[at + 1] = HEX[(byte & 0xf) as usize];
        }
        out
    }
}

impl std::fmt::Display for Uuid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ascii = self.ascii();
        f.write_str(std::str::from_utf8(&ascii).expect("hex digits are ASCII"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids() {
        let mut a = SimRng::new(7);
        let mut b = SimRng::new(7);
        assert_eq!(a.uuid(), b.uuid());
        assert_ne!(SimRng::new(7).uuid(), SimRng::new(8).uuid());
    }

    #[test]
    fn raw_uuid_displays_as_the_text_uuid() {
        let text = SimRng::new(5).uuid();
        assert_eq!(SimRng::new(5).uuid_raw().to_string(), text);
    }

    #[test]
    fn uuid_has_version_4_shape() {
        let id = SimRng::new(1).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(id.matches('-').count(), 4);
    }

    #[test]
    fn range_and_unit_stay_in_bounds() {
        let mut r = SimRng::new(3);
        for _ in 0..1000 {
            let x = r.range(5, 9);
            assert!((5..=9).contains(&x));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(r.range(4, 2), 4);
    }
}
