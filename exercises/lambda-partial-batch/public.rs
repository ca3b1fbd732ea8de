use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use grading::prelude::*;

use super::solution::setup;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("every payment is charged and deleted", 2, all_charged)
            .feedback("Invoke `charge` with each record's body parsed as JSON; Lambda deletes a batch that succeeded."),
        Scenario::new("more payments than one batch holds", 2, many)
            .feedback("The event source mapping keeps polling while the queue has messages."),
    ]
}

/// How `charge` treats each payment id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Card {
    /// Charged at once.
    Good,
    /// Fails this many times, then is charged.
    Flaky(u32),
    /// Never charged.
    Declined,
}

/// Successful charges by payment id, as `charge` saw them.
pub type Charges = Arc<Mutex<BTreeMap<String, u32>>>;

/// Creates `charge`: it fails or succeeds per `cards` (unknown ids are Good).
pub fn charge_function(cloud: &mut Cloud, cards: &[(&str, Card)]) -> Result<Charges, check::Fail> {
    let charges: Charges = Arc::new(Mutex::new(BTreeMap::new()));
    let attempts: Arc<Mutex<BTreeMap<String, u32>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let cards: BTreeMap<String, Card> = cards.iter().map(|(id, c)| (id.to_string(), *c)).collect();
    let seen = charges.clone();
    check::ok(
        "create charge",
        cloud.lambda().create_function(
            "charge",
            Function::new(move |payment, _ctx| {
                let id = payment["payment"]
                    .as_str()
                    .ok_or("no payment id")?
                    .to_string();
                let mut tries = attempts.lock().map_err(|_| "poisoned")?;
                let n = tries.entry(id.clone()).or_insert(0);
                *n += 1;
                match cards.get(&id).copied().unwrap_or(Card::Good) {
                    Card::Declined => {
                        return Err(FnError::new("CardDeclined", format!("{id} declined")));
                    }
                    Card::Flaky(k) if *n <= k => {
                        return Err(FnError::new("NetworkTimeout", format!("{id} timed out")));
                    }
                    _ => {}
                }
                *seen.lock().map_err(|_| "poisoned")?.entry(id).or_insert(0) += 1;
                Ok(json!({"charged": payment["amount"]}))
            }),
        ),
    )?;
    Ok(charges)
}

/// Sends payments `p-<i>` for each i, amount 10.
pub fn send_payments(cloud: &mut Cloud, queue: &Queue, ids: &[String]) -> Result<(), check::Fail> {
    for id in ids {
        check::ok(
            "send",
            cloud
                .sqs()
                .send(queue, json!({"payment": id, "amount": 10})),
        )?;
    }
    Ok(())
}

/// Payment ids `p-1` .. `p-n`.
pub fn ids(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("p-{i}")).collect()
}

/// The charges so far.
pub fn charged(charges: &Charges) -> BTreeMap<String, u32> {
    charges.lock().map(|c| c.clone()).unwrap_or_default()
}

fn all_charged(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let charges = charge_function(&mut cloud, &[])?;
    let s = check::ok("setup", setup(&mut cloud))?;
    let ids = ids(5);
    send_payments(&mut cloud, &s.queue, &ids)?;
    cloud.advance(1.mins());
    let want: BTreeMap<String, u32> = ids.iter().map(|i| (i.clone(), 1)).collect();
    check::eq("charges per payment", want, charged(&charges))?;
    let left = check::ok("count", cloud.sqs().counts(&s.queue))?;
    check::eq("messages left in payments", 0, left.total())
}

fn many(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let charges = charge_function(&mut cloud, &[])?;
    let s = check::ok("setup", setup(&mut cloud))?;
    send_payments(&mut cloud, &s.queue, &ids(35))?;
    cloud.advance(2.mins());
    check::eq("payments charged", 35, charged(&charges).len())
}
