use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use grading::prelude::*;

use super::solution::deploy;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a sign-up gets its welcome e-mail", 5, welcomed).feedback(
            "Invoke `mailer` with {\"to\": <the event's email>, \"template\": \"welcome\"}.",
        ),
    ]
}

/// How the mailer treats an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Address {
    /// Delivered.
    Good,
    /// The mailer is down for the first this many attempts.
    Outage(u32),
    /// Never deliverable (`MailboxUnavailable`).
    Bounces,
}

/// E-mails the mailer sent: (to, template, minutes after the start).
pub type Sent = Arc<Mutex<Vec<(String, String, u64)>>>;

/// Creates `mailer`, which treats addresses per `rules` (others are Good).
pub fn mailer(cloud: &mut Cloud, rules: &[(&str, Address)]) -> Result<Sent, check::Fail> {
    let sent: Sent = Arc::new(Mutex::new(Vec::new()));
    let start = cloud.now();
    let attempts: Arc<Mutex<BTreeMap<String, u32>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let rules: BTreeMap<String, Address> = rules.iter().map(|(a, r)| (a.to_string(), *r)).collect();
    let log = sent.clone();
    check::ok(
        "create mailer",
        cloud.lambda().create_function(
            "mailer",
            Function::new(move |mail, ctx| {
                let to = mail["to"].as_str().ok_or("no address")?.to_string();
                let mut tries = attempts.lock().map_err(|_| "poisoned")?;
                let n = tries.entry(to.clone()).or_insert(0);
                *n += 1;
                match rules.get(&to).copied().unwrap_or(Address::Good) {
                    Address::Bounces => {
                        return Err(FnError::new(
                            "MailboxUnavailable",
                            format!("{to}: no such mailbox"),
                        ));
                    }
                    Address::Outage(k) if *n <= k => {
                        return Err(FnError::new("ServiceUnavailable", "the mail relay is down"));
                    }
                    _ => {}
                }
                let minutes = ctx.now().since(start).as_secs() / 60;
                let template = mail["template"].as_str().unwrap_or("?").to_string();
                log.lock()
                    .map_err(|_| "poisoned")?
                    .push((to, template, minutes));
                Ok(json!({"queued": true}))
            }),
        ),
    )?;
    Ok(sent)
}

/// A sign-up event.
pub fn signup(user: &str) -> Value {
    json!({"user": user, "email": format!("{user}@example.com")})
}

/// The e-mails sent so far.
pub fn sent(log: &Sent) -> Vec<(String, String, u64)> {
    log.lock().map(|s| s.clone()).unwrap_or_default()
}

fn welcomed(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let log = mailer(&mut cloud, &[])?;
    let w = check::ok("deploy", deploy(&mut cloud))?;
    check::ok(
        "invoke_async",
        cloud.lambda().invoke_async(&w.function, signup("ana")),
    )?;
    cloud.advance(1.mins());
    let to: Vec<(String, String)> = sent(&log).into_iter().map(|(to, t, _)| (to, t)).collect();
    check::eq(
        "e-mails sent (to, template)",
        vec![("ana@example.com".to_string(), "welcome".to_string())],
        to,
    )
}
