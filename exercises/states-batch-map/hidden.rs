use grading::prelude::*;

use super::public::{peak, run_batch};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("never more than 5 resizes at once", 4, five_at_once)
            .feedback("The image service takes 5 requests at a time. Which Map field caps that?"),
        Scenario::new("a batch with 2 broken photos out of 20 succeeds", 4, tolerated)
            .feedback("One broken photo should not fail the whole batch: how does a Map state tolerate failed items?"),
        Scenario::new("a batch with 5 broken photos out of 20 fails", 4, too_many)
            .feedback("Up to 10 %, not more: the threshold should stop a batch that is mostly broken."),
        Scenario::new("20 photos take about 4 seconds, not 20", 4, not_one_by_one)
            .feedback("5 at a time, not one at a time."),
    ]
}

fn five_at_once(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (_, spans) = run_batch(&mut cloud, 20, &[])?;
    check::within("resizes running at once", 1, 5, peak(&spans))
}

fn tolerated(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, _) = run_batch(&mut cloud, 20, &[3, 11])?;
    check::eq("status", "SUCCEEDED", d.status.as_str())
}

fn too_many(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, _) = run_batch(&mut cloud, 20, &[1, 4, 9, 12, 17])?;
    check::eq("status", "FAILED", d.status.as_str())?;
    check::eq("error", Some("States.ExceedToleratedFailureThreshold".to_string()), d.error)
}

fn not_one_by_one(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, _) = run_batch(&mut cloud, 20, &[])?;
    let took = d.stop.map(|s| s.since(d.start).as_secs_f64()).unwrap_or(999.0);
    check::within("seconds for 20 photos", 3.5, 6.0, took)
}
