// exercise: states-batch-map
use cloudlab::prelude::*;

pub fn resize_workflow(resize: &FunctionRef) -> Value {
    // TODO: at most 5 at once; tolerate up to 10 % failed photos.
    json!({
        "StartAt": "Resize all",
        "States": {
            "Resize all": {
                "Type": "Map",
                "ItemsPath": "$.photos",
                "ItemProcessor": {
                    "StartAt": "Resize",
                    "States": {"Resize": {"Type": "Task", "Resource": resize.arn, "End": true}}
                },
                "ResultPath": "$.resized",
                "End": true
            }
        }
    })
}
