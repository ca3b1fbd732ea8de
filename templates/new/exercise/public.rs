use grading::prelude::*;

use super::solution::count_visible;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("counts the messages sent", 2, three_sent)
            .feedback("Three messages were sent and none received: all three are visible."),
    ]
}

fn three_sent(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let q = check::ok("create the queue", cloud.sqs().create_queue("jobs"))?;
    for i in 0..3 {
        check::ok("send", cloud.sqs().send(&q, format!("job {i}")))?;
    }
    let n = check::ok("count_visible", count_visible(&mut cloud, &q))?;
    check::eq("visible messages", 3, n)
}
