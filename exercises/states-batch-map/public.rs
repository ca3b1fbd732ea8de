use grading::prelude::*;
use std::sync::{Arc, Mutex};

use super::solution::resize_workflow;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a clean batch is resized", 4, clean)
            .feedback("Every photo goes through `resize`; the results go under $.resized."),
    ]
}

/// (start, end) of every resize call.
pub type Spans = Arc<Mutex<Vec<(SimTime, SimTime)>>>;

/// Runs a batch of `n` photos of which the ones in `broken` fail.
pub fn run_batch(cloud: &mut Cloud, n: usize, broken: &[usize]) -> Result<(ExecutionInfo, Spans), check::Fail> {
    let spans: Spans = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&spans);
    let bad: Vec<String> = broken.iter().map(|i| format!("p-{i}")).collect();
    let resize = check::ok(
        "create resize",
        cloud.lambda().create_function(
            "resize",
            Function::new(move |e, ctx| {
                let start = ctx.now();
                ctx.spend(1.secs());
                log.lock().unwrap().push((start, ctx.now()));
                let key = e["key"].as_str().unwrap_or_default().to_string();
                if bad.contains(&key) {
                    return Err(FnError::new("Image.Broken", format!("{key} is not an image")));
                }
                Ok(json!({"key": key, "small": format!("{key}-small")}))
            })
            .timeout(10.secs()),
        ),
    )?;
    let sm = check::ok("create the state machine", cloud.states().create_state_machine("resize", resize_workflow(&resize)))?;
    let photos: Vec<Value> = (0..n).map(|i| json!({"key": format!("p-{i}")})).collect();
    let exec = check::ok("start", cloud.states().start_execution(&sm, json!({"photos": photos})))?;
    cloud.run_until_idle();
    let d = check::ok("describe", cloud.states().describe(&exec))?;
    Ok((d, spans))
}

/// The most calls running at one instant.
pub fn peak(spans: &Spans) -> usize {
    let spans = spans.lock().unwrap();
    spans
        .iter()
        .map(|(s, _)| spans.iter().filter(|(a, b)| a <= s && s < b).count())
        .max()
        .unwrap_or(0)
}

fn clean(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (d, _) = run_batch(&mut cloud, 6, &[])?;
    check::eq("status", "SUCCEEDED", d.status.as_str())?;
    let out = check::some("output", d.output)?;
    check::eq("photos resized", 6, out["resized"].as_array().map(Vec::len).unwrap_or(0))
}
