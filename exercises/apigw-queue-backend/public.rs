use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use grading::prelude::*;

use super::solution::{Backend, setup};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("an order is accepted with 202 and an order id", 2, accepted)
            .feedback("`POST /orders` answers `{\"statusCode\": 202, \"body\": \"{\\\"orderId\\\": ...}\"}` for a good order."),
        Scenario::new("an accepted order is fulfilled", 2, fulfilled)
            .feedback("The order must reach `fulfil` through the `orders` queue, with its `orderId`."),
    ]
}

/// What `fulfil` did: the order ids it fulfilled, in order, and how many
/// times it was handed each order id.
#[derive(Clone, Default)]
pub struct Warehouse {
    pub fulfilled: Arc<Mutex<Vec<String>>>,
    pub attempts: Arc<Mutex<BTreeMap<String, u32>>>,
}

impl Warehouse {
    /// The fulfilled order ids, sorted.
    pub fn fulfilled_sorted(&self) -> Vec<String> {
        let mut v = self.fulfilled.lock().unwrap().clone();
        v.sort();
        v
    }

    /// How many times `fulfil` was handed this order.
    pub fn attempts(&self, id: &str) -> u32 {
        self.attempts.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

/// Creates `fulfil`: SQS batches, 20 s per order, fails the batch on a
/// discontinued sku; reserved concurrency 5, timeout 5 minutes.
pub fn fulfil_function(cloud: &mut Cloud) -> Result<(FunctionRef, Warehouse), check::Fail> {
    let w = Warehouse::default();
    let seen = w.clone();
    let f = check::ok(
        "create fulfil",
        cloud.lambda().create_function(
            "fulfil",
            Function::new(move |event, ctx| {
                let Some(records) = event["Records"].as_array() else {
                    return Err(FnError::new(
                        "NotAnSqsBatch",
                        "fulfil reads SQS batches (Records)",
                    ));
                };
                for r in records {
                    let order: Value = serde_json::from_str(r["body"].as_str().unwrap_or(""))
                        .map_err(|_| FnError::new("BadOrder", "a message body is not JSON"))?;
                    let id = order["orderId"].as_str().unwrap_or("").to_string();
                    *seen.attempts.lock().unwrap().entry(id.clone()).or_default() += 1;
                    if id.is_empty() {
                        return Err(FnError::new("BadOrder", "an order without orderId"));
                    }
                    if order["sku"] == "discontinued-vase" {
                        return Err(FnError::new(
                            "Discontinued",
                            "discontinued-vase is no longer made",
                        ));
                    }
                    ctx.spend(20.secs());
                    seen.fulfilled.lock().unwrap().push(id);
                }
                Ok(json!({}))
            })
            .memory(512)
            .timeout(5.mins())
            .reserved_concurrency(5),
        ),
    )?;
    Ok((f, w))
}

/// `fulfil`, then the learner's back end.
pub fn build(cloud: &mut Cloud) -> Result<(Backend, Warehouse, FunctionRef), check::Fail> {
    let (f, w) = fulfil_function(cloud)?;
    let b = check::ok("setup", setup(cloud, &f))?;
    check::eq("the API's name", "shop".to_string(), b.api.name.clone())?;
    Ok((b, w, f))
}

/// Posts an order body; returns the response.
pub fn post(cloud: &mut Cloud, api: &ApiRef, body: &Value) -> Result<ApiResponse, check::Fail> {
    check::ok(
        "POST /orders",
        cloud.api(api).post("/orders").json(body).send(),
    )
}

/// The `orderId` of a 202 response, or a failure.
pub fn order_id(r: &ApiResponse) -> Result<String, check::Fail> {
    check::eq("status of POST /orders", 202, r.status)?;
    let id = r.json()["orderId"].as_str().unwrap_or("").to_string();
    check::that(
        &format!("the 202 body has a non-empty orderId (body: {})", r.text()),
        !id.is_empty(),
    )?;
    Ok(id)
}

fn accepted(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (b, _w, _f) = build(&mut cloud)?;
    let r = post(&mut cloud, &b.api, &json!({"sku": "mug-blue", "qty": 2}))?;
    order_id(&r).map(|_| ())
}

fn fulfilled(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (b, w, _f) = build(&mut cloud)?;
    let r = post(&mut cloud, &b.api, &json!({"sku": "mug-blue", "qty": 2}))?;
    let id = order_id(&r)?;
    cloud.advance(10.mins());
    cloud.run_until_idle();
    check::eq("orders fulfilled", vec![id], w.fulfilled_sorted())
}
