// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// Rate and burst swapped: 100 per second, bursts of 50.
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(
                Endpoint::new("GET /quotes/{product}", quote)
                    .cache_key("path.product")
                    .cache_key("querystring.currency"),
            )
            .stage(Stage::named("prod").throttle(100.0, 50).cache(2.mins())),
    )
}
