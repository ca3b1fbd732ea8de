// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// The product is in the cache key; the currency is forgotten.
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(Endpoint::new("GET /quotes/{product}", quote).cache_key("path.product"))
            .stage(Stage::named("prod").throttle(50.0, 100).cache(2.mins())),
    )
}
