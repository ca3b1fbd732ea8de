//! The numbers Kinesis routes and orders records by: 128-bit hash keys (MD5
//! of the partition key), shard hash key ranges, shard ids, sequence numbers
//! and shard iterators.
//!
//! ```
//! use cloudlab::kinesis::keys::{hash_key, even_ranges};
//! // Two shards split the 128-bit key space in half.
//! let ranges = even_ranges(2);
//! assert_eq!(ranges[1].start, 1u128 << 127);
//! // A partition key lands where its MD5 falls.
//! let k = hash_key("user-1");
//! assert!(ranges.iter().any(|r| r.contains(k)));
//! ```

use base64::Engine;
use md5::{Digest, Md5};

use crate::time::SimTime;

/// A shard's slice of the 128-bit hash key space, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HashRange {
    /// StartingHashKey.
    pub start: u128,
    /// EndingHashKey.
    pub end: u128,
}

impl HashRange {
    /// The whole key space, 0 to 2^128 - 1.
    pub const ALL: HashRange = HashRange {
        start: 0,
        end: u128::MAX,
    };

    /// True when `key` falls in this range.
    pub fn contains(&self, key: u128) -> bool {
        self.start <= key && key <= self.end
    }

    /// How much of the key space this range covers, as a fraction of all of it.
    pub fn share(&self) -> f64 {
        ((self.end - self.start) as f64 + 1.0) / 2f64.powi(128)
    }

    /// True when `other` starts right after this range ends.
    pub fn adjacent_to(&self, other: &HashRange) -> bool {
        self.end.checked_add(1) == Some(other.start) || other.end.checked_add(1) == Some(self.start)
    }
}

/// The hash key Kinesis derives from a partition key: its MD5 digest read as a
/// 128-bit unsigned big-endian integer.
pub fn hash_key(partition_key: &str) -> u128 {
    let digest = Md5::digest(partition_key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest);
    u128::from_be_bytes(bytes)
}

/// Parses an ExplicitHashKey / StartingHashKey: a decimal in 0 to 2^128 - 1.
pub fn parse_hash_key(text: &str) -> Option<u128> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u128>().ok()
}

/// `floor(i * 2^128 / n)` without overflow, for `i <= n`.
fn split_point(i: u128, n: u128) -> u128 {
    // 2^128 = q * n + r with 0 <= r < n.
    let (q0, r0) = (u128::MAX / n, u128::MAX % n);
    let (q, r) = if r0 + 1 == n {
        (q0.wrapping_add(1), 0)
    } else {
        (q0, r0 + 1)
    };
    // i * 2^128 / n = i * q + i * r / n; i * r < n * n fits for n < 2^64.
    i.wrapping_mul(q).wrapping_add(i * r / n)
}

/// The hash ranges of `n` shards splitting the key space evenly, as AWS
/// creates them: shard `i` starts at `floor(i * 2^128 / n)`.
pub fn even_ranges(n: u32) -> Vec<HashRange> {
    let n = n.max(1) as u128;
    (0..n)
        .map(|i| HashRange {
            start: split_point(i, n),
            end: if i + 1 == n {
                u128::MAX
            } else {
                split_point(i + 1, n) - 1
            },
        })
        .collect()
}

/// The id of shard number `index`: `shardId-000000000007`.
pub fn shard_id(index: u32) -> String {
    format!("shardId-{index:012}")
}

/// The number in a shard id (`shardId-000000000007` -> 7); bare numbers are accepted too.
pub fn parse_shard_id(id: &str) -> Option<u32> {
    let digits = id.strip_prefix("shardId-").unwrap_or(id);
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Length of a sequence number, digits (the length AWS's have).
pub const SEQUENCE_NUMBER_DIGITS: usize = 56;

/// A record's sequence number: 56 decimal digits, as AWS's are. The sandbox
/// lays them out as `49` + stream creation (12) + arrival in ms (16) + shard
/// number (6) + position in the shard (20), so they increase within a shard,
/// a child shard's numbers are greater than its parents', and the shard and
/// position can be read back.
pub fn sequence_number(
    stream_created: SimTime,
    arrival: SimTime,
    shard: u32,
    position: u64,
) -> String {
    format!(
        "49{:012}{:016}{:06}{:020}",
        stream_created.unix_secs(),
        arrival.unix_millis(),
        shard,
        position
    )
}

/// The (shard number, position) a sequence number encodes, if it is one of this sandbox's.
pub fn parse_sequence_number(text: &str) -> Option<(u32, u64)> {
    if text.len() != SEQUENCE_NUMBER_DIGITS || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let shard = text[30..36].parse().ok()?;
    let position = text[36..56].parse().ok()?;
    Some((shard, position))
}

/// What a shard iterator points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IteratorToken {
    /// The stream's name.
    pub stream: String,
    /// When the stream was created (a deleted and recreated stream is another stream).
    pub stream_created: SimTime,
    /// Shard number.
    pub shard: u32,
    /// Position in the shard of the next record to read.
    pub position: u64,
    /// When this iterator was issued (it expires 5 minutes later).
    pub issued: SimTime,
    /// Which reader this iterator belongs to (the chain of NextShardIterators
    /// that started with one GetShardIterator), for views.
    pub reader: u64,
}

impl IteratorToken {
    /// The opaque string handed to clients (base64, as AWS's are).
    pub fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(64 + self.stream.len());
        bytes.extend_from_slice(&[0u8; 8]);
        bytes.push(1);
        bytes.extend_from_slice(&self.stream_created.unix_nanos().to_be_bytes());
        bytes.extend_from_slice(&self.shard.to_be_bytes());
        bytes.extend_from_slice(&self.position.to_be_bytes());
        bytes.extend_from_slice(&self.issued.unix_nanos().to_be_bytes());
        bytes.extend_from_slice(&self.reader.to_be_bytes());
        bytes.extend_from_slice(self.stream.as_bytes());
        let check = Md5::digest(&bytes);
        bytes.extend_from_slice(&check[..4]);
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// Reads an iterator string back; `None` if it was not made here or was altered.
    pub fn decode(text: &str) -> Option<IteratorToken> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        if bytes.len() < 8 + 1 + 8 + 4 + 8 + 8 + 8 + 4 || bytes[..8] != [0u8; 8] || bytes[8] != 1 {
            return None;
        }
        let (body, check) = bytes.split_at(bytes.len() - 4);
        if Md5::digest(body)[..4] != *check {
            return None;
        }
        let u64_at = |i: usize| u64::from_be_bytes(body[i..i + 8].try_into().expect("8 bytes"));
        let shard = u32::from_be_bytes(body[17..21].try_into().ok()?);
        Some(IteratorToken {
            stream_created: SimTime::from_unix_nanos(u64_at(9)),
            shard,
            position: u64_at(21),
            issued: SimTime::from_unix_nanos(u64_at(29)),
            reader: u64_at(37),
            stream: String::from_utf8(body[45..].to_vec()).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    const TWO_128_MINUS_1: &str = "340282366920938463463374607431768211455";

    #[test]
    fn even_splits_match_the_ranges_aws_creates() {
        let one = even_ranges(1);
        assert_eq!(one, vec![HashRange::ALL]);
        assert_eq!(one[0].end.to_string(), TWO_128_MINUS_1);
        let two = even_ranges(2);
        assert_eq!(
            two[0].end.to_string(),
            "170141183460469231731687303715884105727"
        );
        assert_eq!(
            two[1].start.to_string(),
            "170141183460469231731687303715884105728"
        );
        let three = even_ranges(3);
        assert_eq!(
            three[1].start.to_string(),
            "113427455640312821154458202477256070485"
        );
        assert_eq!(
            three[2].start.to_string(),
            "226854911280625642308916404954512140970"
        );
        assert_eq!(three[2].end.to_string(), TWO_128_MINUS_1);
    }

    #[test]
    fn even_ranges_tile_the_key_space() {
        for n in [1u32, 2, 3, 5, 7, 10, 64, 1000, 20_000] {
            let r = even_ranges(n);
            assert_eq!(r.len(), n as usize);
            assert_eq!(r[0].start, 0);
            assert_eq!(r.last().unwrap().end, u128::MAX);
            for w in r.windows(2) {
                assert_eq!(w[0].end + 1, w[1].start, "n={n}");
                assert!(w[0].adjacent_to(&w[1]));
            }
            let widths: Vec<u128> = r.iter().map(|x| x.end - x.start).collect();
            let (lo, hi) = (widths.iter().min().unwrap(), widths.iter().max().unwrap());
            assert!(hi - lo <= 1, "n={n}: shards differ by at most one key");
        }
    }

    #[test]
    fn hash_keys_are_md5_big_endian() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(hash_key(""), 0xd41d8cd98f00b204e9800998ecf8427e);
        assert_eq!(parse_hash_key(TWO_128_MINUS_1), Some(u128::MAX));
        assert_eq!(
            parse_hash_key("340282366920938463463374607431768211456"),
            None
        );
        assert_eq!(parse_hash_key("-1"), None);
        assert_eq!(parse_hash_key(""), None);
    }

    #[test]
    fn shard_ids_round_trip() {
        assert_eq!(shard_id(7), "shardId-000000000007");
        assert_eq!(parse_shard_id("shardId-000000000007"), Some(7));
        assert_eq!(parse_shard_id("7"), Some(7));
        assert_eq!(parse_shard_id("shard-7"), None);
    }

    #[test]
    fn sequence_numbers_sort_like_numbers_and_round_trip() {
        let created = SimTime::EPOCH;
        let a = sequence_number(created, SimTime::EPOCH + 1.secs(), 0, 9);
        let b = sequence_number(created, SimTime::EPOCH + 1.secs(), 0, 10);
        let child = sequence_number(created, SimTime::EPOCH + 1.secs(), 2, 0);
        assert_eq!(a.len(), SEQUENCE_NUMBER_DIGITS);
        assert!(a.starts_with("49"));
        assert!(a < b && b < child);
        assert_eq!(parse_sequence_number(&b), Some((0, 10)));
        assert_eq!(parse_sequence_number("49"), None);
    }

    #[test]
    fn iterators_round_trip_and_reject_tampering() {
        let t = IteratorToken {
            stream: "clicks".into(),
            stream_created: SimTime::EPOCH,
            shard: 3,
            position: 42,
            issued: SimTime::EPOCH + 5.secs(),
            reader: 9,
        };
        let s = t.encode();
        assert!(s.starts_with("AAAAAAAAAA"));
        assert_eq!(IteratorToken::decode(&s), Some(t));
        let mut bad = s.into_bytes();
        let i = bad.len() - 10;
        bad[i] = if bad[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            IteratorToken::decode(&String::from_utf8(bad).unwrap()),
            None
        );
        assert_eq!(IteratorToken::decode("not an iterator"), None);
    }
}
