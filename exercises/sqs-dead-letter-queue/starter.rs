// exercise: sqs-dead-letter-queue
use cloudlab::prelude::*;

pub struct Orders {
    pub queue: Queue,
    pub dlq: Queue,
}

pub fn setup(cloud: &mut Cloud) -> CloudResult<Orders> {
    let dlq = cloud.sqs().create_queue("orders-dlq")?;
    let queue = cloud.sqs().create_queue("orders")?; // TODO: a redrive policy
    Ok(Orders { queue, dlq })
}

pub fn work(
    cloud: &mut Cloud,
    orders: &Orders,
    process: &mut dyn FnMut(&str) -> Result<(), String>,
) -> CloudResult<usize> {
    let _ = (cloud, orders, process);
    todo!("receive, process, delete what succeeded")
}
