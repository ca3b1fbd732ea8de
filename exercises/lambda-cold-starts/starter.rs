// exercise: lambda-cold-starts
use cloudlab::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The invoices database (a stand-in for a DynamoDB table): it survives cold
/// starts, deployments and every environment. Keep this type as it is.
pub type Db = Arc<Mutex<BTreeMap<String, u64>>>;

pub fn deploy(cloud: &mut Cloud, db: Db) -> CloudResult<FunctionRef> {
    let _ = db;
    cloud.lambda().create_function(
        "invoice",
        Function::new(|event, ctx| {
            // TODO: which of these survive a cold start?
            let next = ctx.state::<u64>();
            *next += 1;
            let invoice = *next;
            let amount = event["amount"].as_u64().unwrap_or(0);
            Ok(json!({"order": event["order"], "invoice": invoice, "total": amount}))
        }),
    )
}
