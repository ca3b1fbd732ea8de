// exercise: states-human-approval
use cloudlab::prelude::*;

/// Ask for approval with a task token; approve, reject, or expire after a day.
pub fn approval_workflow(approvals: &Queue, expired: &Topic) -> Value {
    json!({
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": approvals.url,
                    "MessageBody": {"token.$": "$$.Task.Token", "refund.$": "$.refund", "amount.$": "$.amount"}
                },
                "TimeoutSeconds": 86400,
                "ResultPath": "$.decision",
                "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.error", "Next": "Remind"}],
                "Next": "Approved"
            },
            "Approved": {"Type": "Succeed"},
            "Remind": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": expired.arn, "Message.$": "States.Format('Approval for refund {} expired', $.refund)"},
                "ResultPath": null,
                "Next": "Expired"
            },
            "Expired": {"Type": "Fail", "Error": "Expired", "Cause": "No answer within a day."}
        }
    })
}
