// exercise: events-nightly-cleanup
use cloudlab::prelude::*;

pub fn schedule_cleanup(cloud: &mut Cloud, cleanup: &FunctionRef) -> CloudResult<RuleRef> {
    // TODO: when exactly? with what input? and if the function is gone?
    let rule = cloud
        .events()
        .put_rule("nightly-cleanup", Rule::schedule("rate(1 day)"))?;
    cloud.events().add_target(&rule, Target::function(cleanup))?;
    Ok(rule)
}
