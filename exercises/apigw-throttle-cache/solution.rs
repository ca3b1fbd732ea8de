// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// A REST API (only REST APIs cache) whose cache keys hold every parameter
/// the answer depends on (the product and the currency), a TTL between what
/// the bill needs and what freshness allows (2 minutes), and a stage
/// throttle of 50 requests/s steady with bursts of 100.
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(
                Endpoint::new("GET /quotes/{product}", quote)
                    .cache_key("path.product")
                    .cache_key("querystring.currency"),
            )
            .stage(Stage::named("prod").throttle(50.0, 100).cache(2.mins())),
    )
}
