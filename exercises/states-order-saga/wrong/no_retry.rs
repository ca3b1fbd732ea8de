// exercise: states-order-saga
use cloudlab::prelude::*;

/// Pay (retrying only what is transient), ship, and refund on any failure.
pub fn order_workflow(pay: &FunctionRef, ship: &FunctionRef, refund: &FunctionRef) -> Value {
    let compensate = json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}]);
    json!({
        "Comment": "Order saga: pay, ship; refund and fail if either fails",
        "StartAt": "Pay",
        "States": {
            "Pay": {
                "Type": "Task",
                "Resource": pay.arn,
                "ResultPath": "$.payment",
                "Catch": compensate,
                "Next": "Ship"
            },
            "Ship": {
                "Type": "Task",
                "Resource": ship.arn,
                "ResultPath": "$.shipment",
                "Catch": compensate,
                "End": true
            },
            "Refund": {
                "Type": "Task",
                "Resource": refund.arn,
                "ResultPath": "$.refund",
                "Next": "Order failed"
            },
            "Order failed": {"Type": "Fail", "Error": "OrderFailed", "Cause": "The order was refunded."}
        }
    })
}
