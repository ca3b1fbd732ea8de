// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// A cache and a throttle; the cache keys itself on the URL (it does not).
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(Endpoint::new("GET /quotes/{product}", quote))
            .stage(Stage::named("prod").throttle(50.0, 100).cache(2.mins())),
    )
}
