//! Events this account's own AWS services put on the default bus (free, as
//! AWS service events are): S3 calls [`put_aws_event`] for buckets with
//! EventBridge notifications on; Step Functions reports every status change
//! of a Standard execution as a `Step Functions Execution Status Change`.

use serde_json::{Value, json};

use super::route::{envelope, put_aws_event};
use crate::cloud::Cloud;
use crate::states::model::WorkflowType;

/// A UUID derived from `key` (SHA-256), so reporting a status does not draw
/// from the account's random stream (other services' ids stay as they were).
fn derived_id(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(key.as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][(h[8] & 3) as usize],
        &hex[17..20],
        &hex[20..32]
    )
}

fn millis(t: crate::time::SimTime) -> Value {
    json!(t.unix_millis())
}

/// Puts a `Step Functions Execution Status Change` event on the default bus
/// when execution `id` has a status not yet reported (Standard workflows
/// only, as AWS documents; each status once).
pub(crate) fn execution_status(cloud: &mut Cloud, id: usize) {
    let Some(ex) = cloud.states.execs.get(id) else {
        return;
    };
    if ex.kind != WorkflowType::Standard || ex.test {
        return;
    }
    let status = ex.status.as_str();
    if cloud.events.reported.get(&id) == Some(&status) {
        return;
    }
    let failure = ex.failure.as_ref();
    let detail = json!({
        "executionArn": ex.arn,
        "stateMachineArn": ex.machine_arn,
        "name": ex.name,
        "status": status,
        "startDate": millis(ex.start),
        "stopDate": ex.stop.map(millis),
        "input": ex.input_text,
        "output": ex.output,
        "inputDetails": {"included": true},
        "outputDetails": ex.output.as_ref().map(|_| json!({"included": true})),
        "error": failure.map(|f| f.error.clone()),
        "cause": failure.map(|f| f.cause.clone()),
    });
    let resources = [ex.arn.clone()];
    let ex_arn = ex.arn.clone();
    cloud.events.reported.insert(id, status);
    let event_id = derived_id(&format!(
        "{}|{status}|{}",
        ex_arn,
        cloud.core.now.unix_nanos()
    ));
    let event = envelope(
        &event_id,
        "aws.states",
        "Step Functions Execution Status Change",
        cloud.core.now,
        &resources,
        detail,
    );
    put_aws_event(cloud, event);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_look_like_uuids_and_differ() {
        let a = derived_id("x|RUNNING|1");
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, derived_id("x|SUCCEEDED|2"));
        assert_eq!(a, derived_id("x|RUNNING|1"));
    }
}
