// exercise: kinesis-checkpoint
use cloudlab::kinesis::Record;
use cloudlab::prelude::*;
use std::collections::BTreeMap;

/// Handles every record after the checkpoints, checkpointing as it goes.
pub fn process(
    cloud: &mut Cloud,
    stream: &Stream,
    checkpoints: &mut BTreeMap<String, String>,
    handle: &mut dyn FnMut(&Record) -> bool,
) -> CloudResult<usize> {
    let mut handled = 0;
    for shard in cloud.kinesis().open_shard_ids(stream)? {
        // TODO: resume from the checkpoint.
        let it = cloud.kinesis().iterator(stream, &shard, Start::Latest)?;
        for r in cloud.kinesis().get_records(&it)?.records {
            if !handle(&r) {
                return Ok(handled);
            }
            handled += 1;
        }
    }
    let _ = checkpoints;
    Ok(handled)
}
