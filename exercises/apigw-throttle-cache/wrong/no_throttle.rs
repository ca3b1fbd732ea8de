// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

/// A good cache, and nothing to stop a scraper.
pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    cloud.apigw().create_rest_api(
        RestApi::new("quotes")
            .route(
                Endpoint::new("GET /quotes/{product}", quote)
                    .cache_key("path.product")
                    .cache_key("querystring.currency"),
            )
            .stage(Stage::named("prod").cache(2.mins())),
    )
}
