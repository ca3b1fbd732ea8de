// exercise: apigw-throttle-cache
use cloudlab::prelude::*;

pub fn build_api(cloud: &mut Cloud, quote: &FunctionRef) -> CloudResult<ApiRef> {
    // TODO: this API works, but every request invokes the slow function, and
    // nothing stops a scraper. Which kind of API can cache? Which stage
    // settings keep the function's bill and the scrapers down?
    cloud.apigw().create_http_api(
        HttpApi::new("quotes")
            .route("GET /quotes/{product}", quote)
            .stage(Stage::named("prod")),
    )
}
