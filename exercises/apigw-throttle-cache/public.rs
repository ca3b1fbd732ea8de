use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use grading::prelude::*;

use super::solution::build_api;

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("a quote comes back with the product's price", 2, one_quote).feedback(
            "`GET /quotes/{product}` on the API must reach `quote` and return what it answered.",
        ),
        Scenario::new(
            "asking twice in a row invokes the function once",
            2,
            asked_twice,
        )
        .feedback(
            "The second identical request should be answered by API Gateway itself, from a cache.",
        ),
    ]
}

/// Prices that differ from the default (`p-N` costs N + 0.99 USD).
pub type Prices = Arc<Mutex<BTreeMap<String, f64>>>;

/// Creates `quote`: 3 s and 4,096 MB per call; the price of
/// `pathParameters.product` in `queryStringParameters.currency`.
pub fn quote_function(cloud: &mut Cloud) -> Result<(FunctionRef, Prices), check::Fail> {
    let prices: Prices = Arc::default();
    let table = Arc::clone(&prices);
    let f = check::ok(
        "create the quote function",
        cloud.lambda().create_function(
            "quote",
            Function::new(move |event, ctx| {
                ctx.spend(3.secs());
                let product = event["pathParameters"]["product"].as_str().unwrap_or("").to_string();
                let currency = event["queryStringParameters"]["currency"]
                    .as_str()
                    .unwrap_or("USD")
                    .to_string();
                let base = table.lock().unwrap().get(&product).copied().or_else(|| {
                    product.strip_prefix("p-").and_then(|n| n.parse::<f64>().ok()).map(|n| n + 0.99)
                });
                let rate = match currency.as_str() {
                    "USD" => Some(1.0),
                    "EUR" => Some(0.9),
                    "GBP" => Some(0.8),
                    _ => None,
                };
                match (base, rate) {
                    (Some(p), Some(r)) => {
                        let price = (p * r * 100.0).round() / 100.0;
                        Ok(json!({"statusCode": 200, "headers": {"content-type": "application/json"},
                                  "body": json!({"product": product, "currency": currency, "price": price}).to_string()}))
                    }
                    _ => Ok(json!({"statusCode": 404, "body": json!({"message": "no such product or currency"}).to_string()})),
                }
            })
            .memory(4096)
            .timeout(10.secs()),
        ),
    )?;
    Ok((f, prices))
}

/// The function and the API built on it.
pub fn setup(cloud: &mut Cloud) -> Result<(FunctionRef, Prices, ApiRef), check::Fail> {
    let (f, prices) = quote_function(cloud)?;
    let api = check::ok("build_api", build_api(cloud, &f))?;
    check::eq("the API's name", "quotes".to_string(), api.name.clone())?;
    Ok((f, prices, api))
}

/// Sends `GET path` and returns (status, body as JSON).
pub fn get(cloud: &mut Cloud, api: &ApiRef, path: &str) -> Result<(u16, Value), check::Fail> {
    let r = check::ok(&format!("GET {path}"), cloud.api(api).get(path).send())?;
    Ok((r.status, r.json()))
}

/// How many times `quote` ran.
pub fn invocations(cloud: &mut Cloud, f: &FunctionRef) -> Result<u64, check::Fail> {
    Ok(check::ok("quote's stats", cloud.lambda().stats(f))?.invocations)
}

fn one_quote(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (_f, _prices, api) = setup(&mut cloud)?;
    check::eq(
        "GET /quotes/p-3",
        (
            200,
            json!({"product": "p-3", "currency": "USD", "price": 3.99}),
        ),
        get(&mut cloud, &api, "/quotes/p-3")?,
    )
}

fn asked_twice(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, _prices, api) = setup(&mut cloud)?;
    let first = get(&mut cloud, &api, "/quotes/p-7")?;
    cloud.advance(5.secs());
    let second = get(&mut cloud, &api, "/quotes/p-7")?;
    check::eq("the second answer", first, second)?;
    check::eq("invocations of quote", 1, invocations(&mut cloud, &f)?)
}
