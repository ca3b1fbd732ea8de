// exercise: apigw-queue-backend
use cloudlab::prelude::*;

pub struct Backend {
    pub api: ApiRef,
    pub orders: Queue,
    pub dlq: Queue,
}

pub fn setup(cloud: &mut Cloud, fulfil: &FunctionRef) -> CloudResult<Backend> {
    let dlq = cloud.sqs().create_queue("orders-dlq")?;
    let orders = cloud.sqs().create_queue("orders")?;
    let accept = cloud.lambda().create_function(
        "accept-order",
        Function::new(|event, _ctx| {
            // TODO: check the order, queue it, answer 202 with its id (or 400).
            Ok(json!({"statusCode": 200, "body": event["body"].clone()}))
        }),
    )?;
    let api = cloud
        .apigw()
        .create_http_api(HttpApi::new("shop").route("POST /orders", &accept))?;
    // TODO: who hands the queue's orders to `fulfil`? And what happens to an
    // order it keeps failing on?
    let _ = fulfil;
    Ok(Backend { api, orders, dlq })
}
