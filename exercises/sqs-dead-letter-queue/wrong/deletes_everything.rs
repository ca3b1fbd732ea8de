// exercise: sqs-dead-letter-queue
use cloudlab::prelude::*;

pub struct Orders {
    pub queue: Queue,
    pub dlq: Queue,
}

/// A DLQ that keeps messages for the maximum 14 days (longer than the
/// source's 4), and a redrive after 4 receives: transient failures get
/// retries, a poison message stops after the fourth.
pub fn setup(cloud: &mut Cloud) -> CloudResult<Orders> {
    let dlq = cloud
        .sqs()
        .create_queue_with("orders-dlq", QueueOptions::new().retention(14.days()))?;
    let queue = cloud.sqs().create_queue_with(
        "orders",
        QueueOptions::new()
            .visibility_timeout(30.secs())
            .dead_letter_queue(&dlq, 4),
    )?;
    Ok(Orders { queue, dlq })
}

/// One round: receive, process, delete only the successes.
pub fn work(
    cloud: &mut Cloud,
    orders: &Orders,
    process: &mut dyn FnMut(&str) -> Result<(), String>,
) -> CloudResult<usize> {
    let got = cloud.sqs().receive(&orders.queue, Receive::max(10))?;
    let mut done = 0;
    for message in &got {
        if process(&message.body).is_ok() {
            done += 1;
        }
        cloud.sqs().delete(&orders.queue, message)?;
    }
    Ok(done)
}
