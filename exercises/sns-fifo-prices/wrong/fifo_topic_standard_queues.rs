// exercise: sns-fifo-prices
use cloudlab::prelude::*;

pub struct Prices {
    pub topic: Topic,
    pub stores: Vec<Queue>,
}

/// A FIFO topic fanning out to one FIFO queue per store (a FIFO topic's
/// order only holds through FIFO queues).
pub fn setup(cloud: &mut Cloud, stores: &[&str]) -> CloudResult<Prices> {
    let topic = cloud.sns().create_topic("prices.fifo")?;
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

/// One message group per product (order per product; products never wait
/// for each other), deduplicated by the update id (a retry is dropped, a
/// new change with an old price is not).
pub fn publish_price(
    cloud: &mut Cloud,
    prices: &Prices,
    update_id: &str,
    product: &str,
    price: u64,
) -> CloudResult<()> {
    let change = json!({"product": product, "price": price});
    cloud.sns().publish(
        &prices.topic,
        Publish::new(change.to_string())
            .group(product)
            .dedup_id(update_id),
    )?;
    Ok(())
}
