// exercise: lambda-partial-batch
use cloudlab::prelude::*;

pub struct Settlement {
    pub queue: Queue,
    pub dlq: Queue,
    pub function: FunctionRef,
}

pub fn setup(cloud: &mut Cloud) -> CloudResult<Settlement> {
    let dlq = cloud.sqs().create_queue("payments-dlq")?;
    let queue = cloud.sqs().create_queue("payments")?;
    let function = cloud.lambda().create_function(
        "settle",
        Function::new(|event, ctx| {
            for record in event["Records"].as_array().cloned().unwrap_or_default() {
                let payment: Value = serde_json::from_str(record["body"].as_str().unwrap_or(""))?;
                let charged = ctx.lambda().invoke("charge", payment)?;
                // TODO: what if this charge failed, and the others did not?
                let _ = charged;
            }
            Ok(json!({}))
        }),
    )?;
    cloud
        .lambda()
        .poll_queue(&function, &queue, Polling::batch(10))?;
    Ok(Settlement {
        queue,
        dlq,
        function,
    })
}
