// exercise: {{ id }}
use cloudlab::prelude::*;

/// Wrong: counts the messages hidden by their visibility timeout too.
pub fn count_visible(cloud: &mut Cloud, queue: &Queue) -> CloudResult<usize> {
    Ok(cloud.sqs().counts(queue)?.total())
}
