// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// Throttled to the normal day's 10 requests per second, forgetting the peak.
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(
                Endpoint::new("GET /quotes/{product}", quote)
                    .cache_key("path.product")
                    .cache_key("querystring.currency"),
            )
            .stage(Stage::named("prod").throttle(10.0, 100).cache(2.mins())),
    )
}
