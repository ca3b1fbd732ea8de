// exercise: kinesis-hot-shard
use cloudlab::prelude::*;

/// Shop and sequence number: spreads the load, but splits each order over shards.
pub fn partition_key(event: &Value) -> String {
    format!(
        "{}-{}",
        event["shop"].as_str().unwrap_or("unknown"),
        event["seq"].as_u64().unwrap_or(0)
    )
}
