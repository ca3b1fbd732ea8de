//! API Gateway behaviour: routes, payload formats, stages, throttling,
//! caching, API keys and usage plans, authorizers, timeouts, errors, billing
//! and the JSON faces.

use cloudlab::prelude::*;

/// A function that answers with the event it got (as a proxy response).
fn mirror(cloud: &mut Cloud, name: &str) -> FunctionRef {
    cloud
        .lambda()
        .create_function(
            name,
            Function::new(|event, _| Ok(json!({"statusCode": 200, "body": event.to_string()}))),
        )
        .unwrap()
}

#[test]
fn http_api_v2_events_carry_the_request() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let api = cloud
        .apigw()
        .create_http_api(HttpApi::new("shop").route("POST /orders/{id}", &f))
        .unwrap();
    let r = cloud
        .api(&api)
        .request("POST", "/orders/42?tag=a&tag=b")
        .header("X-Trace", "1")
        .header("Cookie", "session=abc; theme=dark")
        .json(&json!({"qty": 2}))
        .send()
        .unwrap();
    assert_eq!(r.status, 200);
    let e = r.json();
    assert_eq!(e["version"], "2.0");
    assert_eq!(e["routeKey"], "POST /orders/{id}");
    assert_eq!(e["rawPath"], "/orders/42");
    assert_eq!(e["rawQueryString"], "tag=a&tag=b");
    assert_eq!(e["queryStringParameters"]["tag"], "a,b");
    assert_eq!(e["pathParameters"]["id"], "42");
    assert_eq!(e["headers"]["x-trace"], "1", "2.0 lower-cases header names");
    assert_eq!(e["cookies"], json!(["session=abc", "theme=dark"]));
    assert_eq!(e["body"], "{\"qty\":2}");
    assert_eq!(e["isBase64Encoded"], false);
    assert_eq!(e["requestContext"]["http"]["method"], "POST");
    assert_eq!(e["requestContext"]["stage"], "$default");
    assert_eq!(e["requestContext"]["apiId"], api.id);
    assert!(e.get("stageVariables").is_none());
    assert!(r.header("apigw-requestid").is_some());
}

#[test]
fn format_1_0_has_multi_value_members_and_needs_a_status_code() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let plain = cloud
        .lambda()
        .create_function("plain", Function::new(|_, _| Ok(json!({"hello": "world"}))))
        .unwrap();
    let api = cloud
        .apigw()
        .create_http_api(
            HttpApi::new("v1")
                .endpoint(Endpoint::new("GET /items", &f).payload_format("1.0"))
                .endpoint(Endpoint::new("GET /plain1", &plain).payload_format("1.0"))
                .route("GET /plain2", &plain),
        )
        .unwrap();
    let e = cloud.api(&api).get("/items?a=1&a=2").send().unwrap().json();
    assert_eq!(e["version"], "1.0");
    assert_eq!(e["queryStringParameters"]["a"], "2");
    assert_eq!(e["multiValueQueryStringParameters"]["a"], json!(["1", "2"]));
    assert_eq!(e["pathParameters"], Value::Null);
    // 2.0 turns any JSON into a 200; 1.0 needs {"statusCode": ...}.
    let r = cloud.api(&api).get("/plain2").send().unwrap();
    assert_eq!((r.status, r.json()["hello"].as_str()), (200, Some("world")));
    let r = cloud.api(&api).get("/plain1").send().unwrap();
    assert_eq!(r.status, 500);
    assert_eq!(r.json()["message"], "Internal Server Error");
    assert!(cloud.trace().kind("malformed-response").count() >= 1);
}

#[test]
fn routes_prefer_literals_then_variables_then_greedy_then_default() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let api = cloud
        .apigw()
        .create_http_api(
            HttpApi::new("r")
                .route("GET /orders/latest", &f)
                .route("GET /orders/{id}", &f)
                .route("ANY /files/{path+}", &f)
                .route("$default", &f),
        )
        .unwrap();
    let key = |cloud: &mut Cloud, m: &str, p: &str| {
        cloud.api(&api).request(m, p).send().unwrap().json()["routeKey"].clone()
    };
    assert_eq!(
        key(&mut cloud, "GET", "/orders/latest"),
        "GET /orders/latest"
    );
    assert_eq!(key(&mut cloud, "GET", "/orders/7"), "GET /orders/{id}");
    assert_eq!(
        key(&mut cloud, "DELETE", "/files/a/b/c.txt"),
        "ANY /files/{path+}"
    );
    assert_eq!(key(&mut cloud, "POST", "/orders/7"), "$default");
    let e = cloud
        .api(&api)
        .get("/files/docs/a%20b.txt")
        .send()
        .unwrap()
        .json();
    assert_eq!(e["pathParameters"]["path"], "docs/a b.txt");

    let bare = cloud
        .apigw()
        .create_http_api(HttpApi::new("bare").route("GET /x", &f))
        .unwrap();
    let r = cloud.api(&bare).get("/y").send().unwrap();
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (404, Some("Not Found"))
    );
}

#[test]
fn rest_apis_serve_what_was_deployed() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let api = cloud
        .apigw()
        .create_rest_api(RestApi::new("rest").method("GET /pets/{petId}", &f))
        .unwrap();
    let e = cloud.api(&api).get("/pets/7?q=x").send().unwrap().json();
    assert!(e.get("version").is_none(), "REST events have no version");
    assert_eq!(e["resource"], "/pets/{petId}");
    assert_eq!(e["path"], "/pets/7");
    assert_eq!(e["requestContext"]["path"], "/prod/pets/7");
    assert_eq!(e["requestContext"]["resourcePath"], "/pets/{petId}");
    assert_eq!(e["requestContext"]["stage"], "prod");
    assert_eq!(
        e["headers"]["Host"],
        format!("{}.execute-api.us-east-1.amazonaws.com", api.id)
    );
    let r = cloud.api(&api).get("/cats").send().unwrap();
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (403, Some("Missing Authentication Token"))
    );

    // A method added after the deployment is not live until redeployed.
    let root = cloud
        .call("apigateway", "GetResources", json!({"restApiId": api.id}))
        .unwrap();
    let root_id = root["items"][0]["id"].as_str().unwrap().to_string();
    let cats = cloud
        .call(
            "apigateway",
            "CreateResource",
            json!({"restApiId": api.id, "parentId": root_id, "pathPart": "cats"}),
        )
        .unwrap();
    let cid = cats["id"].as_str().unwrap();
    cloud
        .call("apigateway", "PutMethod", json!({"restApiId": api.id, "resourceId": cid, "httpMethod": "GET", "authorizationType": "NONE"}))
        .unwrap();
    cloud
        .call(
            "apigateway",
            "PutIntegration",
            json!({"restApiId": api.id, "resourceId": cid, "httpMethod": "GET", "type": "AWS_PROXY",
                   "integrationHttpMethod": "POST", "uri": f.arn}),
        )
        .unwrap();
    assert_eq!(cloud.api(&api).get("/cats").send().unwrap().status, 403);
    cloud.apigw().deploy(&api, "prod").unwrap();
    assert_eq!(cloud.api(&api).get("/cats").send().unwrap().status, 200);
}

#[test]
fn stage_variables_pick_the_function() {
    let mut cloud = Cloud::new();
    for name in ["orders-dev", "orders-prod"] {
        cloud
            .lambda()
            .create_function(
                name,
                Function::new(|_, ctx| Ok(json!({"fn": ctx.function_name()}))),
            )
            .unwrap();
    }
    let via_var = FunctionRef {
        name: "orders".into(),
        arn: "arn:aws:lambda:us-east-1:123456789012:function:orders-${stageVariables.env}".into(),
    };
    let api = cloud
        .apigw()
        .create_http_api(
            HttpApi::new("vars")
                .route("GET /", &via_var)
                .stage(Stage::named("dev").variable("env", "dev")),
        )
        .unwrap();
    let r = cloud.api(&api).get("/").send().unwrap();
    assert_eq!(r.json()["fn"], "orders-dev");
    assert_eq!(
        cloud.api(&api).url().unwrap(),
        format!("{}/dev", api.endpoint())
    );
}

#[test]
fn throttling_is_a_token_bucket_per_route() {
    let mut cloud = Cloud::new();
    let f = cloud
        .lambda()
        .create_function("echo", Function::echo())
        .unwrap();
    let api = cloud
        .apigw()
        .create_http_api(
            HttpApi::new("t")
                .route("GET /a", &f)
                .route("GET /b", &f)
                .stage(
                    Stage::named("$default")
                        .throttle(10.0, 20)
                        .route_throttle("GET /b", 1.0, 1),
                ),
        )
        .unwrap();
    let start = cloud.now();
    let burst = cloud.api(&api).burst(50, ApiRequest::get("/a")).unwrap();
    assert_eq!((burst.count(200), burst.count(429)), (20, 30));
    // The bucket refills at 10 tokens a second.
    cloud.advance(1.secs());
    let refilled = (10.0 * cloud.now().since(start).as_secs_f64()).floor() as usize;
    let again = cloud.api(&api).burst(15, ApiRequest::get("/a")).unwrap();
    assert_eq!(again.count(200), refilled.min(15));
    assert!(refilled >= 10);
    // The other route has its own, smaller bucket.
    let b = cloud.api(&api).burst(3, ApiRequest::get("/b")).unwrap();
    assert_eq!(b.count(200), 1);
    // A steady 5 requests/s fits the 10/s limit after the bucket refills.
    cloud.advance(10.secs());
    let steady = cloud
        .api(&api)
        .load(Load::rate(5.0).during(10.secs()), |_| ApiRequest::get("/a"))
        .unwrap();
    assert_eq!((steady.sent, steady.count(200)), (50, 50));
    let r = cloud.api(&api).burst(30, ApiRequest::get("/a")).unwrap();
    assert!(r.count(429) > 0);
    let stats = cloud.apigw().stats(&api, "$default").unwrap();
    assert_eq!(
        stats.throttled as usize,
        30 + again.count(429) + 2 + r.count(429)
    );
}

fn slow_products(cloud: &mut Cloud) -> FunctionRef {
    cloud
        .lambda()
        .create_function(
            "products",
            Function::new(|event, ctx| {
                ctx.spend(2.secs());
                let id = event["pathParameters"]["id"]
                    .as_str()
                    .unwrap_or("?")
                    .to_string();
                Ok(json!({"statusCode": 200, "body": json!({"id": id}).to_string()}))
            })
            .timeout(10.secs())
            .memory(1024),
        )
        .unwrap()
}

#[test]
fn the_rest_cache_serves_hits_until_the_ttl_and_keys_by_cache_key_parameters() {
    let mut cloud = Cloud::new();
    let f = slow_products(&mut cloud);
    let keyed = cloud
        .apigw()
        .create_rest_api(
            RestApi::new("keyed")
                .route(Endpoint::new("GET /products/{id}", &f).cache_key("path.id"))
                .stage(Stage::named("prod").cache(60.secs())),
        )
        .unwrap();
    let first = cloud.api(&keyed).get("/products/1").send().unwrap();
    assert!(first.latency >= 2.secs());
    let hit = cloud.api(&keyed).get("/products/1").send().unwrap();
    assert!(hit.from_cache && hit.latency < 50.millis());
    let other = cloud.api(&keyed).get("/products/2").send().unwrap();
    assert_eq!(
        (other.from_cache, other.json()["id"].as_str()),
        (false, Some("2"))
    );
    cloud.advance(61.secs());
    assert!(
        !cloud
            .api(&keyed)
            .get("/products/1")
            .send()
            .unwrap()
            .from_cache
    );
    let stats = cloud.apigw().stats(&keyed, "prod").unwrap();
    assert_eq!(
        (
            stats.cache_hits,
            stats.cache_misses,
            stats.integration_calls
        ),
        (1, 3, 3)
    );
    // POST is not cached by the stage-wide setting.

    // Without the path parameter in the cache key, every id gets product 1.
    let unkeyed = cloud
        .apigw()
        .create_rest_api(
            RestApi::new("unkeyed")
                .method("GET /products/{id}", &f)
                .stage(Stage::named("prod").cache(60.secs())),
        )
        .unwrap();
    cloud.api(&unkeyed).get("/products/1").send().unwrap();
    let wrong = cloud.api(&unkeyed).get("/products/2").send().unwrap();
    assert!(wrong.from_cache);
    assert_eq!(wrong.json()["id"], "1");

    // The cache bills by the hour while it is on.
    cloud.advance(2.hours());
    let hours = cloud
        .bill()
        .line("apigateway.cache.0_5gb.hours")
        .unwrap()
        .units;
    assert!(hours > 4.0 && hours < 4.1, "{hours}");
    cloud.apigw().set_cache(&unkeyed, "prod", None).unwrap();
    cloud.apigw().set_cache(&keyed, "prod", None).unwrap();
    let before = cloud
        .bill()
        .line("apigateway.cache.0_5gb.hours")
        .unwrap()
        .units;
    cloud.advance(5.hours());
    let after = cloud
        .bill()
        .line("apigateway.cache.0_5gb.hours")
        .unwrap()
        .units;
    assert!((after - before).abs() < 1e-9);
}

#[test]
fn api_keys_and_usage_plans_gate_and_meter() {
    let mut cloud = Cloud::new();
    let f = cloud
        .lambda()
        .create_function(
            "echo",
            Function::new(|_, _| Ok(json!({"statusCode": 200, "body": "ok"}))),
        )
        .unwrap();
    let api = cloud
        .apigw()
        .create_rest_api(
            RestApi::new("partners").route(Endpoint::new("GET /data", &f).api_key_required()),
        )
        .unwrap();
    let gold = cloud.apigw().create_api_key("gold").unwrap();
    let stray = cloud.apigw().create_api_key("stray").unwrap();
    let plan = cloud
        .apigw()
        .create_usage_plan(
            UsagePlan::new("basic")
                .stage(&api, "prod")
                .throttle(100.0, 5)
                .quota(8, QuotaPeriod::Day),
        )
        .unwrap();
    cloud.apigw().add_key(&plan, &gold).unwrap();
    let send = |cloud: &mut Cloud, key: Option<&str>| {
        let mut c = cloud.api(&api).get("/data");
        if let Some(k) = key {
            c = c.header("x-api-key", k);
        }
        c.send().unwrap()
    };
    let r = send(&mut cloud, None);
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (403, Some("Forbidden"))
    );
    assert_eq!(
        send(&mut cloud, Some(&stray.value)).status,
        403,
        "a key outside the plan"
    );
    assert_eq!(
        send(&mut cloud, Some("made-up-key-value-000000")).status,
        403
    );
    // Per-key throttle: bursts of 5.
    let burst = cloud
        .api(&api)
        .burst(7, ApiRequest::get("/data").header("x-api-key", &gold.value))
        .unwrap();
    assert_eq!((burst.count(200), burst.count(429)), (5, 2));
    cloud.advance(1.secs());
    // Quota: 8 a day; 5 used.
    let codes: Vec<u16> = (0..4)
        .map(|_| send(&mut cloud, Some(&gold.value)).status)
        .collect();
    assert_eq!(codes, [200, 200, 200, 429]);
    let r = send(&mut cloud, Some(&gold.value));
    assert_eq!(r.json()["message"], "Limit Exceeded");
    let usage = cloud
        .call(
            "apigateway",
            "GetUsage",
            json!({"usagePlanId": plan.id, "keyId": gold.id}),
        )
        .unwrap();
    assert_eq!(usage["items"][&gold.id], json!([[8, 0]]));
    cloud.advance(1.days());
    assert_eq!(
        send(&mut cloud, Some(&gold.value)).status,
        200,
        "a new day, a new quota"
    );
    // Refused requests are not billed: 8 + 1 went through.
    assert_eq!(
        cloud.bill().line("apigateway.rest.requests").unwrap().units,
        9.0
    );
}

fn token_authorizer(cloud: &mut Cloud) -> FunctionRef {
    cloud
        .lambda()
        .create_function(
            "auth",
            Function::new(|event, _| {
                let token = event["authorizationToken"].as_str().unwrap_or("");
                let arn = event["methodArn"].as_str().unwrap_or("");
                match token {
                    "allow" => Ok(json!({
                        "principalId": "ana",
                        "policyDocument": {"Version": "2012-10-17", "Statement": [
                            {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": arn}]},
                        "context": {"tier": "gold"},
                    })),
                    "deny" => Ok(json!({
                        "principalId": "bo",
                        "policyDocument": {"Version": "2012-10-17", "Statement": [
                            {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}]},
                    })),
                    _ => Err(FnError::new("Error", "Unauthorized")),
                }
            }),
        )
        .unwrap()
}

#[test]
fn token_authorizers_allow_deny_and_cache_whole_policies() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let auth = token_authorizer(&mut cloud);
    let api = cloud
        .apigw()
        .create_rest_api(
            RestApi::new("secure")
                .authorizer(Authorizer::token("tokens", &auth))
                .route(Endpoint::new("GET /orders/{id}", &f).authorizer("tokens")),
        )
        .unwrap();
    let call = |cloud: &mut Cloud, path: &str, token: Option<&str>| {
        let mut c = cloud.api(&api).get(path);
        if let Some(t) = token {
            c = c.header("Authorization", t);
        }
        c.send().unwrap()
    };
    assert_eq!(call(&mut cloud, "/orders/1", None).status, 401);
    assert_eq!(call(&mut cloud, "/orders/1", Some("nonsense")).status, 401);
    let denied = call(&mut cloud, "/orders/1", Some("deny"));
    assert_eq!(denied.status, 403);
    assert!(denied.text().contains("explicit deny"));
    let ok = call(&mut cloud, "/orders/1", Some("allow"));
    assert_eq!(ok.status, 200);
    let ctx = &ok.json()["requestContext"]["authorizer"];
    assert_eq!(
        (ctx["principalId"].as_str(), ctx["tier"].as_str()),
        (Some("ana"), Some("gold"))
    );
    let calls = cloud.lambda().stats(&auth).unwrap().invocations;
    // The cached policy allows only /orders/1's ARN: /orders/2 is refused
    // without asking the authorizer again (the classic caching pitfall).
    assert_eq!(call(&mut cloud, "/orders/1", Some("allow")).status, 200);
    let other = call(&mut cloud, "/orders/2", Some("allow"));
    assert_eq!(other.status, 403);
    assert_eq!(cloud.lambda().stats(&auth).unwrap().invocations, calls);
    cloud.advance(301.secs());
    assert_eq!(call(&mut cloud, "/orders/2", Some("allow")).status, 200);
    assert_eq!(cloud.lambda().stats(&auth).unwrap().invocations, calls + 1);
}

#[test]
fn http_authorizers_with_simple_responses_pass_context() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let auth = cloud
        .lambda()
        .create_function(
            "simple",
            Function::new(|event, _| {
                let ok = event["headers"]["authorization"] == "secret";
                assert_eq!(event["type"], "REQUEST");
                Ok(json!({"isAuthorized": ok, "context": {"user": "ana"}}))
            }),
        )
        .unwrap();
    let api = cloud
        .apigw()
        .create_http_api(
            HttpApi::new("h")
                .authorizer(
                    Authorizer::request("simple", &auth)
                        .simple_responses()
                        .ttl(0.secs()),
                )
                .endpoint(Endpoint::new("GET /me", &f).authorizer("simple")),
        )
        .unwrap();
    let r = cloud
        .api(&api)
        .get("/me")
        .header("Authorization", "secret")
        .send()
        .unwrap();
    assert_eq!(
        r.json()["requestContext"]["authorizer"]["lambda"]["user"],
        "ana"
    );
    let r = cloud
        .api(&api)
        .get("/me")
        .header("Authorization", "guess")
        .send()
        .unwrap();
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (403, Some("Forbidden"))
    );
    let r = cloud.api(&api).get("/me").send().unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(
        cloud.lambda().stats(&auth).unwrap().invocations,
        2,
        "TTL 0: no caching"
    );
}

#[test]
fn slow_functions_time_out_with_504_but_keep_running() {
    let mut cloud = Cloud::new();
    let f = cloud
        .lambda()
        .create_function(
            "slow",
            Function::new(|_, ctx| {
                ctx.spend(40.secs());
                Ok(json!({"statusCode": 200, "body": "late"}))
            })
            .timeout(60.secs()),
        )
        .unwrap();
    let api = cloud
        .apigw()
        .create_rest_api(RestApi::new("slow").method("GET /report", &f))
        .unwrap();
    let start = cloud.now();
    let r = cloud.api(&api).get("/report").send().unwrap();
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (504, Some("Endpoint request timed out"))
    );
    assert!(
        r.latency >= 29.secs() && r.latency < 30.secs(),
        "{:?}",
        r.latency
    );
    assert!(cloud.now().since(start) < 30.secs());
    cloud.run_until_idle();
    let gb_s = cloud.bill().line("lambda.x86.gb_seconds").unwrap().units;
    assert!(
        gb_s >= 40.0 * 128.0 / 1024.0,
        "the function was billed for all 40 s: {gb_s}"
    );
    let http = cloud
        .apigw()
        .create_http_api(
            HttpApi::new("slow-http").endpoint(Endpoint::new("GET /r", &f).timeout(5.secs())),
        )
        .unwrap();
    assert_eq!(cloud.api(&http).get("/r").send().unwrap().status, 504);
}

#[test]
fn function_errors_and_throttles_become_5xx() {
    let mut cloud = Cloud::new();
    let boom = cloud
        .lambda()
        .create_function("boom", Function::fail())
        .unwrap();
    let rest = cloud
        .apigw()
        .create_rest_api(RestApi::new("r").method("GET /x", &boom))
        .unwrap();
    let r = cloud.api(&rest).get("/x").send().unwrap();
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (502, Some("Internal server error"))
    );
    let http = cloud
        .apigw()
        .create_http_api(HttpApi::new("h").route("GET /x", &boom))
        .unwrap();
    let r = cloud.api(&http).get("/x").send().unwrap();
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (500, Some("Internal Server Error"))
    );
    // Reserved concurrency 2: a burst of 5 gets 2 answers and 3 errors.
    let slow = cloud
        .lambda()
        .create_function(
            "capped",
            Function::new(|_, ctx| {
                ctx.spend(1.secs());
                Ok(json!("ok"))
            })
            .reserved_concurrency(2),
        )
        .unwrap();
    let api = cloud
        .apigw()
        .create_http_api(HttpApi::new("c").route("GET /", &slow))
        .unwrap();
    let b = cloud.api(&api).burst(5, ApiRequest::get("/")).unwrap();
    assert_eq!((b.count(200), b.count(500)), (2, 3));
}

#[test]
fn requests_are_billed_per_api_type() {
    let mut cloud = Cloud::new();
    let f = cloud
        .lambda()
        .create_function("echo", Function::echo())
        .unwrap();
    let http = cloud
        .apigw()
        .create_http_api(HttpApi::new("h").route("GET /", &f))
        .unwrap();
    let rest = cloud
        .apigw()
        .create_rest_api(RestApi::new("r").method("GET /x", &f))
        .unwrap();
    for _ in 0..10 {
        cloud.api(&http).get("/").send().unwrap();
        cloud.api(&rest).get("/x").send().unwrap();
    }
    cloud.api(&http).get("/nowhere").send().unwrap(); // 404: not billed
    let big = "x".repeat(600 * 1024);
    cloud.api(&http).get("/").body(&big).send().unwrap(); // two 512 KB units
    let bill = cloud.bill();
    assert_eq!(bill.line("apigateway.http.requests").unwrap().units, 12.0);
    assert_eq!(bill.line("apigateway.rest.requests").unwrap().units, 10.0);
    assert!(
        (bill.line("apigateway.rest.requests").unwrap().gross_usd() - 10.0 * 3.5e-6).abs() < 1e-12
    );
}

#[test]
fn binary_bodies_arrive_base64_encoded() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let api = cloud
        .apigw()
        .create_http_api(HttpApi::new("b").route("POST /upload", &f))
        .unwrap();
    let mut c = cloud.api(&api);
    let e = c
        .send(
            ApiRequest::post("/upload")
                .header("Content-Type", "image/png")
                .bytes(&[0x89, 0x50, 0x4e, 0x47]),
        )
        .unwrap()
        .json();
    assert_eq!(
        (e["body"].as_str(), e["isBase64Encoded"].as_bool()),
        (Some("iVBORw=="), Some(true))
    );
}

#[test]
fn the_json_faces_quick_create_and_invoke() {
    let mut cloud = Cloud::new();
    let f = cloud
        .lambda()
        .create_function("hello", Function::new(|_, _| Ok(json!({"hi": 1}))))
        .unwrap();
    let api = cloud
        .call(
            "apigatewayv2",
            "CreateApi",
            json!({"Name": "quick", "ProtocolType": "HTTP", "Target": f.arn}),
        )
        .unwrap();
    let id = api["ApiId"].as_str().unwrap();
    let r = cloud
        .call(
            "apigatewayv2",
            "SandboxRequest",
            json!({"ApiId": id, "Method": "GET", "Path": "/anything"}),
        )
        .unwrap();
    assert_eq!(
        (r["status"].as_u64(), r["body"].as_str()),
        (Some(200), Some("{\"hi\":1}"))
    );
    let e = cloud
        .call(
            "apigatewayv2",
            "CreateRoute",
            json!({"ApiId": id, "RouteKey": "GET/orders"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "BadRequestException");
    let e = cloud
        .call(
            "apigatewayv2",
            "CreateRoute",
            json!({"ApiId": id, "RouteKey": "$default"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "ConflictException");
    let e = cloud
        .call("apigatewayv2", "GetApi", json!({"ApiId": "nope"}))
        .unwrap_err();
    assert_eq!((e.code.as_str(), e.status), ("NotFoundException", 404));
    let e = cloud
        .call("apigateway", "CreateRestAPI", json!({}))
        .unwrap_err();
    assert!(e.message.contains("CreateRestApi"), "{}", e.message);
    let e = cloud
        .call(
            "apigateway",
            "UpdateStage",
            json!({"restApiId": "x", "stageName": "prod"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "NotFoundException");
}

#[test]
fn test_invoke_method_skips_authorizers_and_uses_the_current_config() {
    let mut cloud = Cloud::new();
    let f = mirror(&mut cloud, "mirror");
    let auth = token_authorizer(&mut cloud);
    let api = cloud
        .apigw()
        .create_rest_api(
            RestApi::new("t")
                .authorizer(Authorizer::token("tokens", &auth))
                .route(Endpoint::new("GET /orders/{id}", &f).authorizer("tokens")),
        )
        .unwrap();
    let res = cloud
        .call("apigateway", "GetResources", json!({"restApiId": api.id}))
        .unwrap();
    let rid = res["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/orders/{id}")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = cloud
        .call(
            "apigateway",
            "TestInvokeMethod",
            json!({"restApiId": api.id, "resourceId": rid, "httpMethod": "GET", "pathWithQueryString": "/orders/9?x=1"}),
        )
        .unwrap();
    assert_eq!(out["status"], 200);
    let event: Value = out["body"].as_str().unwrap().parse().unwrap();
    assert_eq!(event["pathParameters"]["id"], "9");
    assert_eq!(event["requestContext"]["stage"], "test-invoke-stage");
    assert_eq!(cloud.lambda().stats(&auth).unwrap().invocations, 0);
}

#[test]
fn views_show_routes_and_stages() {
    let mut cloud = Cloud::new();
    let f = slow_products(&mut cloud);
    let api = cloud
        .apigw()
        .create_rest_api(
            RestApi::new("catalog")
                .route(Endpoint::new("GET /products/{id}", &f).cache_key("path.id"))
                .stage(Stage::named("prod").throttle(50.0, 100).cache(5.mins())),
        )
        .unwrap();
    cloud.api(&api).get("/products/1").send().unwrap();
    let html = cloud.apigw().view(&api).unwrap().to_html();
    assert!(
        html.contains("GET /products/{id}") && html.contains("path.id"),
        "{html}"
    );
    assert!(html.contains("50/s, burst 100"), "{html}");
    let svg = cloud.to_svg();
    assert!(
        svg.contains("catalog") && svg.contains(">API Gateway<"),
        "{svg}"
    );
}
