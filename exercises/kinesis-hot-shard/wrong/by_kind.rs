// exercise: kinesis-hot-shard
use cloudlab::prelude::*;

/// The event kind: only a handful of distinct keys.
pub fn partition_key(event: &Value) -> String {
    event["kind"].as_str().unwrap_or("unknown").to_string()
}
