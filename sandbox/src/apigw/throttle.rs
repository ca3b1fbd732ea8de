//! The token bucket API Gateway throttles with: a bucket holds at most
//! `burst` tokens, refills at `rate` tokens per second, and each request takes
//! one; a request that finds the bucket empty gets 429 Too Many Requests.

use crate::time::SimTime;

/// A rate (requests per second) and a burst (bucket size).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Limit {
    /// Steady-state requests per second.
    pub rate: f64,
    /// Bucket size: requests that may arrive at once.
    pub burst: u32,
}

/// A token bucket in virtual time.
///
/// ```
/// use cloudlab::apigw::throttle::{Limit, TokenBucket};
/// use cloudlab::prelude::*;
/// let mut b = TokenBucket::new(Limit { rate: 10.0, burst: 2 }, SimTime::EPOCH);
/// let t = SimTime::EPOCH;
/// assert!(b.take(t) && b.take(t));
/// assert!(!b.take(t)); // burst spent
/// assert!(b.take(t + 100.millis())); // 10/s refills one token per 100 ms
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    limit: Limit,
    tokens: f64,
    at: SimTime,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: Limit, now: SimTime) -> TokenBucket {
        TokenBucket {
            limit,
            tokens: limit.burst as f64,
            at: now,
        }
    }

    /// The limit.
    pub fn limit(&self) -> Limit {
        self.limit
    }

    /// Changes the limit (keeps the tokens, capped at the new burst).
    pub fn set_limit(&mut self, limit: Limit) {
        self.limit = limit;
        self.tokens = self.tokens.min(limit.burst as f64);
    }

    fn refill(&mut self, now: SimTime) {
        if now > self.at {
            let secs = now.since(self.at).as_secs_f64();
            self.tokens = (self.tokens + secs * self.limit.rate).min(self.limit.burst as f64);
            self.at = now;
        }
    }

    /// Tokens available at `now`.
    pub fn available(&mut self, now: SimTime) -> f64 {
        self.refill(now);
        self.tokens
    }

    /// True when a token was there to take (the request may pass).
    pub fn take(&mut self, now: SimTime) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 - 1e-9 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Puts back a token taken by a request another limit then refused.
    pub fn give_back(&mut self) {
        self.tokens = (self.tokens + 1.0).min(self.limit.burst as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;
    use proptest::prelude::*;

    #[test]
    fn a_zero_rate_admits_only_the_burst() {
        let mut b = TokenBucket::new(
            Limit {
                rate: 0.0,
                burst: 3,
            },
            SimTime::EPOCH,
        );
        let admitted = (0..10)
            .filter(|i| b.take(SimTime::EPOCH + (*i as u64).secs()))
            .count();
        assert_eq!(admitted, 3);
    }

    proptest! {
        /// Over any window, admitted requests never exceed burst + rate × time.
        #[test]
        fn never_admits_more_than_burst_plus_rate(
            rate in 0.0f64..500.0,
            burst in 0u32..200,
            gaps in proptest::collection::vec(0u64..50, 1..300),
        ) {
            let mut b = TokenBucket::new(Limit { rate, burst }, SimTime::EPOCH);
            let mut t = SimTime::EPOCH;
            let mut admitted = 0u32;
            for g in gaps {
                t += g.millis();
                if b.take(t) {
                    admitted += 1;
                }
            }
            let bound = burst as f64 + rate * t.since(SimTime::EPOCH).as_secs_f64() + 1e-6;
            prop_assert!(admitted as f64 <= bound, "{} > {}", admitted, bound);
        }
    }
}
