// exercise: sns-fan-out
use cloudlab::prelude::*;

pub struct Shop {
    pub orders: Topic,
    pub billing: Queue,
    pub shipping: Queue,
    pub dead_letters: Queue,
}

/// One queue per service. Billing keeps SNS's envelope (it checks the topic
/// and message id); shipping gets the order as published (raw delivery) and
/// only physical orders (a filter on the `kind` attribute). Both
/// subscriptions send what they cannot deliver to the dead-letter queue.
pub fn setup(cloud: &mut Cloud) -> CloudResult<Shop> {
    let orders = cloud.sns().create_topic("orders")?;
    let dead_letters = cloud.sqs().create_queue_with(
        "orders-dead-letters",
        QueueOptions::new().retention(14.days()),
    )?;
    let billing = cloud.sqs().create_queue_with(
        "billing",
        QueueOptions::new().dead_letter_queue(&dead_letters, 5),
    )?;
    let shipping = cloud.sqs().create_queue_with(
        "shipping",
        QueueOptions::new().dead_letter_queue(&dead_letters, 5),
    )?;
    let to_billing = cloud.sns().subscribe_queue(&orders, &billing)?;
    let to_shipping = cloud.sns().subscribe_queue_raw(&orders, &shipping)?;
    cloud
        .sns()
        .set_filter_policy(&to_shipping, json!({"kind": ["physical"]}))?;
    let _ = (&to_billing, &to_shipping);
    Ok(Shop {
        orders,
        billing,
        shipping,
        dead_letters,
    })
}

/// Publishes the order with its kind as a message attribute (for the filter).
pub fn publish_order(cloud: &mut Cloud, shop: &Shop, order: &Value) -> CloudResult<String> {
    let kind = order["kind"].as_str().unwrap_or("physical");
    let out = cloud.sns().publish(
        &shop.orders,
        Publish::new(order.to_string()).attr("kind", kind),
    )?;
    Ok(out.message_id)
}
