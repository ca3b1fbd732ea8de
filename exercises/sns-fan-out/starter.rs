// exercise: sns-fan-out
use cloudlab::prelude::*;

pub struct Shop {
    pub orders: Topic,
    pub billing: Queue,
    pub shipping: Queue,
    pub dead_letters: Queue,
}

pub fn setup(cloud: &mut Cloud) -> CloudResult<Shop> {
    let orders = cloud.sns().create_topic("orders")?;
    let billing = cloud.sqs().create_queue("billing")?;
    let shipping = cloud.sqs().create_queue("shipping")?;
    let dead_letters = cloud.sqs().create_queue("orders-dead-letters")?;
    // TODO: what does each service read? What may shipping skip? What if a queue is gone?
    cloud.sns().subscribe_queue(&orders, &billing)?;
    cloud.sns().subscribe_queue(&orders, &shipping)?;
    Ok(Shop {
        orders,
        billing,
        shipping,
        dead_letters,
    })
}

pub fn publish_order(cloud: &mut Cloud, shop: &Shop, order: &Value) -> CloudResult<String> {
    let out = cloud.sns().publish(&shop.orders, order.to_string())?;
    Ok(out.message_id)
}
