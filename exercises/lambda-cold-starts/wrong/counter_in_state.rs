// exercise: lambda-cold-starts
use cloudlab::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The invoices database (a stand-in for a DynamoDB table): it survives cold
/// starts, deployments and every environment. Keep this type as it is.
pub type Db = Arc<Mutex<BTreeMap<String, u64>>>;

/// What one execution environment keeps: the tax rate, fetched on its cold start.
#[derive(Default)]
struct Warm {
    rate_percent: Option<u64>,
    next: u64,
    invoices: BTreeMap<String, u64>,
}

/// The tax rate: cached per environment (rates change only with a deployment,
/// and a deployment starts new environments).
fn rate(ctx: &mut Ctx<'_>) -> Result<u64, FnError> {
    if let Some(rate) = ctx.state::<Warm>().rate_percent {
        return Ok(rate);
    }
    let out = ctx.lambda().invoke("tax-rates", json!({}))?;
    if out.is_error() {
        return Err(FnError::new("TaxRatesFailed", out.payload.to_string()));
    }
    let rate = out.payload["rate_percent"]
        .as_u64()
        .ok_or("tax-rates answered without rate_percent")?;
    ctx.state::<Warm>().rate_percent = Some(rate);
    Ok(rate)
}

/// Invoice numbers live with the function, like a global counter would.
pub fn deploy(cloud: &mut Cloud, db: Db) -> CloudResult<FunctionRef> {
    let _ = db;
    cloud.lambda().create_function(
        "invoice",
        Function::new(|event, ctx| {
            let order = event["order"].as_str().ok_or("the event has no order id")?;
            let amount = event["amount"].as_u64().ok_or("the event has no amount")?;
            let rate = rate(ctx)?;
            let warm = ctx.state::<Warm>();
            let invoice = match warm.invoices.get(order) {
                Some(n) => *n,
                None => {
                    warm.next += 1;
                    let n = warm.next;
                    warm.invoices.insert(order.to_string(), n);
                    n
                }
            };
            Ok(json!({"order": order, "invoice": invoice, "total": amount * (100 + rate) / 100}))
        }),
    )
}
