// exercise: sns-fifo-prices
use cloudlab::prelude::*;

pub struct Prices {
    pub topic: Topic,
    pub stores: Vec<Queue>,
}

pub fn setup(cloud: &mut Cloud, stores: &[&str]) -> CloudResult<Prices> {
    // TODO: order, retries and stuck stores: is a standard topic enough?
    let topic = cloud.sns().create_topic("prices")?;
    let mut queues = Vec::new();
    for store in stores {
        let queue = cloud.sqs().create_queue(&format!("{store}-prices"))?;
        cloud.sns().subscribe_queue_raw(&topic, &queue)?;
        queues.push(queue);
    }
    Ok(Prices {
        topic,
        stores: queues,
    })
}

pub fn publish_price(
    cloud: &mut Cloud,
    prices: &Prices,
    update_id: &str,
    product: &str,
    price: u64,
) -> CloudResult<()> {
    let _ = update_id;
    let change = json!({"product": product, "price": price});
    cloud.sns().publish(&prices.topic, change)?;
    Ok(())
}
