// exercise: lambda-async-failures
use cloudlab::prelude::*;

pub struct Welcome {
    pub function: FunctionRef,
    pub failures: Queue,
}

pub fn deploy(cloud: &mut Cloud) -> CloudResult<Welcome> {
    let failures = cloud.sqs().create_queue("welcome-failures")?;
    // TODO: retries, where failures go, how long an event may wait.
    let function = cloud.lambda().create_function(
        "welcome",
        Function::new(|event, ctx| {
            let mail = json!({"to": event["email"], "template": "welcome"});
            let sent = ctx.lambda().invoke("mailer", mail)?;
            if sent.is_error() {
                ctx.log(format!("could not send: {}", sent.payload));
            }
            Ok(json!({"sent": !sent.is_error()}))
        }),
    )?;
    Ok(Welcome { function, failures })
}
