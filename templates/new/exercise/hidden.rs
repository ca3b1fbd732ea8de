use grading::prelude::*;

use super::solution::count_visible;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("in-flight messages are not visible", 3, one_in_flight)
            .feedback("A received message stays hidden until its visibility timeout runs out."),
    ]
}

fn one_in_flight(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("jobs"))?;
    for i in 0..3 {
        check::ok("send", cloud.sqs().send(&q, format!("job {i}")))?;
    }
    check::ok("receive", cloud.sqs().receive(&q, Receive::max(1)))?;
    let n = check::ok("count_visible", count_visible(&mut cloud, &q))?;
    check::eq("visible messages with one in flight", 2, n)
}
