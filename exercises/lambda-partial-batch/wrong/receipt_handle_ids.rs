// exercise: lambda-partial-batch
use cloudlab::prelude::*;

pub struct Settlement {
    pub queue: Queue,
    pub dlq: Queue,
    pub function: FunctionRef,
}

/// Charges one record's payment; `Err` when it was not charged.
fn settle_one(ctx: &mut Ctx<'_>, record: &Value) -> Result<(), String> {
    let body = record["body"].as_str().unwrap_or("");
    let payment: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let out = ctx
        .lambda()
        .invoke("charge", payment)
        .map_err(|e| e.to_string())?;
    if out.is_error() {
        return Err(out.payload.to_string());
    }
    Ok(())
}

/// A redrive policy after 5 receives (the DLQ keeps messages 14 days), and a
/// handler that reports only the failed records, by `messageId`, to a mapping
/// created with `ReportBatchItemFailures`.
pub fn setup(cloud: &mut Cloud) -> CloudResult<Settlement> {
    let dlq = cloud
        .sqs()
        .create_queue_with("payments-dlq", QueueOptions::new().retention(14.days()))?;
    let queue = cloud.sqs().create_queue_with(
        "payments",
        QueueOptions::new()
            .visibility_timeout(30.secs())
            .dead_letter_queue(&dlq, 5),
    )?;
    let function = cloud.lambda().create_function(
        "settle",
        Function::new(|event, ctx| {
            let records = event["Records"].as_array().cloned().unwrap_or_default();
            let mut failures = Vec::new();
            for record in &records {
                if let Err(why) = settle_one(ctx, record) {
                    ctx.log(format!("{}: {why}", record["messageId"]));
                    // The receipt handle identifies this delivery of the message.
                    failures.push(json!({"itemIdentifier": record["receiptHandle"]}));
                }
            }
            Ok(json!({ "batchItemFailures": failures }))
        }),
    )?;
    cloud
        .lambda()
        .poll_queue(&function, &queue, Polling::batch(10).report_failures())?;
    Ok(Settlement {
        queue,
        dlq,
        function,
    })
}
