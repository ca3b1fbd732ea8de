// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// Throttling alone: every request that gets through runs the function.
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(
                Endpoint::new("GET /quotes/{product}", quote)
                    .cache_key("path.product")
                    .cache_key("querystring.currency"),
            )
            .stage(Stage::named("prod").throttle(50.0, 100)),
    )
}
