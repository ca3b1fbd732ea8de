// exercise: kinesis-hot-shard
use cloudlab::prelude::*;

/// The shop: keeps a shop's events together, and its traffic on one shard.
pub fn partition_key(event: &Value) -> String {
    event["shop"].as_str().unwrap_or("unknown").to_string()
}
