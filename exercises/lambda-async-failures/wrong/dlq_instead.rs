// exercise: lambda-async-failures
use cloudlab::prelude::*;

pub struct Welcome {
    pub function: FunctionRef,
    pub failures: Queue,
}

/// A handler that fails when the mailer fails (so Lambda retries it, twice),
/// an on-failure destination that records request and error, and a maximum
/// event age of one hour (a later e-mail is worse than none).
pub fn deploy(cloud: &mut Cloud) -> CloudResult<Welcome> {
    let failures = cloud
        .sqs()
        .create_queue_with("welcome-failures", QueueOptions::new().retention(14.days()))?;
    let function = cloud.lambda().create_function(
        "welcome",
        Function::new(|event, ctx| {
            let mail = json!({"to": event["email"], "template": "welcome"});
            let sent = ctx.lambda().invoke("mailer", mail)?;
            if sent.is_error() {
                let kind = sent.payload["errorType"].as_str().unwrap_or("MailerFailed");
                let message = sent.payload["errorMessage"].as_str().unwrap_or("");
                return Err(FnError::new(kind, message));
            }
            Ok(json!({"sent": true}))
        })
        .async_retries(2)
        .max_event_age(1.hours())
        .dead_letter_queue(&failures),
    )?;
    Ok(Welcome { function, failures })
}
