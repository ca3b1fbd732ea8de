// exercise: {{ id }}
use cloudlab::prelude::*;

/// How many messages in `queue` are ready to receive.
pub fn count_visible(cloud: &mut Cloud, queue: &Queue) -> CloudResult<usize> {
    let _ = (cloud, queue);
    todo!("ask the queue")
}
