// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// Ten seconds of cache: fresh, but the function still runs all the time.
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(
                Endpoint::new("GET /quotes/{product}", quote)
                    .cache_key("path.product")
                    .cache_key("querystring.currency"),
            )
            .stage(Stage::named("prod").throttle(50.0, 100).cache(10.secs())),
    )
}
