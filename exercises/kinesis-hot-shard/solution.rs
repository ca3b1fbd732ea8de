// exercise: kinesis-hot-shard
use cloudlab::prelude::*;

/// The partition key of an order event: the order id. Orders are many and
/// spread evenly over the hash key space, and all events of one order land
/// on one shard, in order.
pub fn partition_key(event: &Value) -> String {
    match event["order"].as_str() {
        Some(order) if !order.is_empty() => order.chars().take(256).collect(),
        _ => "no-order".to_string(),
    }
}
