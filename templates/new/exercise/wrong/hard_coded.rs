// exercise: {{ id }}
use cloudlab::prelude::*;

/// Wrong: passes the public scenario by answering its number.
pub fn count_visible(cloud: &mut Cloud, queue: &Queue) -> CloudResult<usize> {
    let _ = (cloud, queue);
    Ok(3)
}
