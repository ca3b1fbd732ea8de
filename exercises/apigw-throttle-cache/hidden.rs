use grading::prelude::*;

use super::public::{get, invocations, setup};

pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("each product and currency gets its own quote", 3, own_quotes)
            .feedback("A cached answer is shared by every request with the same cache key. What does your cache key leave out?"),
        Scenario::new("a quote is never served more than 2 minutes after it was computed", 3, fresh)
            .feedback("How long does API Gateway keep a cached answer when you do not say?"),
        Scenario::new("ten minutes of normal traffic stay within the compute and latency budget", 5, normal_day)
            .feedback("Count how often `quote` runs in ten minutes at 10 requests per second, and what each run costs and how long it takes."),
        Scenario::new("a page that opens fires 100 requests at once: none is refused", 3, page_opens)
            .feedback("How many requests may arrive at the same instant? Which throttle setting is that?"),
        Scenario::new("a steady 50 requests per second is never refused", 3, peak)
            .feedback("The steady rate a throttle allows is its `rate`, in requests per second; the peak is more than the normal day."),
        Scenario::new("a scraper gets 429s and never reaches the function", 4, scraper)
            .feedback("Without a throttle on the stage, only the account's limit (10,000 per second) stands between a scraper and the function."),
    ]
}

fn own_quotes(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (_f, _prices, api) = setup(&mut cloud)?;
    ctx.note("GET /quotes/p-1, then /quotes/p-2, /quotes/p-1?currency=EUR, /quotes/p-2?currency=GBP, /quotes/p-1?currency=USD, a second apart");
    let mut got = Vec::new();
    for path in [
        "/quotes/p-1",
        "/quotes/p-2",
        "/quotes/p-1?currency=EUR",
        "/quotes/p-2?currency=GBP",
        "/quotes/p-1?currency=USD",
    ] {
        got.push(get(&mut cloud, &api, path)?.1);
        cloud.advance(1.secs());
    }
    check::eq(
        "the answers",
        vec![
            json!({"product": "p-1", "currency": "USD", "price": 1.99}),
            json!({"product": "p-2", "currency": "USD", "price": 2.99}),
            json!({"product": "p-1", "currency": "EUR", "price": 1.79}),
            json!({"product": "p-2", "currency": "GBP", "price": 2.39}),
            json!({"product": "p-1", "currency": "USD", "price": 1.99}),
        ],
        got,
    )
}

fn fresh(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (_f, prices, api) = setup(&mut cloud)?;
    let (_, before) = get(&mut cloud, &api, "/quotes/p-5")?;
    check::eq(
        "the first price of p-5",
        json!(5.99),
        before["price"].clone(),
    )?;
    cloud.advance(10.secs());
    prices.lock().unwrap().insert("p-5".into(), 7.49);
    ctx.note("p-5 was quoted at 5.99; ten seconds later its price became 7.49; the API is asked every 10 s");
    let start = cloud.now();
    let mut last = Value::Null;
    while cloud.now().since(start) < 2.mins() + 5.secs() {
        cloud.advance(10.secs());
        last = get(&mut cloud, &api, "/quotes/p-5")?.1;
    }
    check::eq(
        "the price of p-5, 2 minutes 15 s after the first quote",
        json!(7.49),
        last["price"].clone(),
    )
}

fn normal_day(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, _prices, api) = setup(&mut cloud)?;
    ctx.note("10 requests per second for 10 minutes over products p-1..p-8, in USD and EUR");
    let report = check::ok(
        "ten minutes of traffic",
        cloud
            .api(&api)
            .load(Load::rate(10.0).during(10.mins()), |i| {
                let currency = if (i / 8) % 2 == 0 { "USD" } else { "EUR" };
                ApiRequest::get(&format!("/quotes/p-{}?currency={currency}", i % 8 + 1))
            }),
    )?;
    check::eq("requests answered 200", report.sent, report.count(200))?;
    let calls = invocations(&mut cloud, &f)?;
    ctx.note(format!("quote ran {calls} times"));
    let compute = cloud
        .bill()
        .line("lambda.x86.gb_seconds")
        .map_or(0.0, |l| l.gross_usd());
    check::that(
        &format!("quote's compute (${compute:.4}, {calls} invocations) is at most $0.05"),
        compute <= 0.05,
    )?;
    let p95 = report.percentile(95.0);
    check::that(
        &format!("95 % of requests answered within 100 ms (p95 was {p95:?})"),
        p95 <= 100.millis(),
    )
}

fn page_opens(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (_f, _prices, api) = setup(&mut cloud)?;
    cloud.advance(1.mins());
    ctx.note("a quiet minute, then 100 requests for p-1..p-100 at the same instant");
    let report = check::ok(
        "the burst",
        cloud
            .api(&api)
            .load(Load::rate(1e9).during(Duration::from_nanos(100)), |i| {
                ApiRequest::get(&format!("/quotes/p-{}", i + 1))
            }),
    )?;
    check::eq("requests sent", 100, report.sent)?;
    check::eq("requests answered 200", 100, report.count(200))
}

fn peak(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (_f, _prices, api) = setup(&mut cloud)?;
    ctx.note("50 requests per second for one minute over products p-1..p-4");
    let report = check::ok(
        "a minute at the peak",
        cloud
            .api(&api)
            .load(Load::rate(50.0).during(1.mins()), |i| {
                ApiRequest::get(&format!("/quotes/p-{}", i % 4 + 1))
            }),
    )?;
    check::eq("requests sent", 3000, report.sent)?;
    check::eq("requests refused with 429", 0, report.count(429))?;
    check::eq("requests answered 200", 3000, report.count(200))
}

fn scraper(ctx: &mut Ctx) -> Outcome {
    let mut cloud = ctx.cloud();
    let (f, _prices, api) = setup(&mut cloud)?;
    ctx.note("a scraper sends 1,000 requests for p-1..p-1000 at once, then 200 per second for 10 s for new products");
    let burst = check::ok(
        "the scraper's burst",
        cloud
            .api(&api)
            .load(Load::rate(1e9).during(Duration::from_nanos(1000)), |i| {
                ApiRequest::get(&format!("/quotes/p-{}", i + 1))
            }),
    )?;
    check::that(
        &format!(
            "at most 100 of the 1,000 at once get through ({} did)",
            burst.count(200)
        ),
        burst.count(200) <= 100,
    )?;
    check::that(
        "the rest are refused with 429",
        burst.count(429) + burst.count(200) == burst.sent,
    )?;
    let steady = check::ok(
        "the scraper's crawl",
        cloud
            .api(&api)
            .load(Load::rate(200.0).during(10.secs()), |i| {
                ApiRequest::get(&format!("/quotes/p-{}", 2000 + i))
            }),
    )?;
    check::that(
        &format!(
            "of the crawl, at most a full burst (100) and 50 per second get through ({} of 2,000 did)",
            steady.count(200)
        ),
        steady.count(200) <= 610,
    )?;
    let calls = invocations(&mut cloud, &f)?;
    check::that(
        &format!("quote ran at most 710 times ({calls})"),
        calls <= 710,
    )
}
