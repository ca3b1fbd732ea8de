// exercise: states-batch-map
use cloudlab::prelude::*;

/// Resize every photo, 5 at a time, tolerating up to 10 % failures.
pub fn resize_workflow(resize: &FunctionRef) -> Value {
    json!({
        "StartAt": "Resize all",
        "States": {
            "Resize all": {
                "Type": "Map",
                "ItemsPath": "$.photos",
                "MaxConcurrency": 5,
                "ToleratedFailurePercentage": 10,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Resize",
                    "States": {"Resize": {"Type": "Task", "Resource": resize.arn, "End": true}}
                },
                "ResultPath": "$.resized",
                "End": true
            }
        }
    })
}
