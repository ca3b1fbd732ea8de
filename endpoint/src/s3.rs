//! S3's REST-XML API, enough for the course: buckets by path
//! (`/bucket/key`) or by virtual host (`bucket.localhost:4566/key`,
//! `bucket.s3.amazonaws.com`), and CreateBucket, HeadBucket, DeleteBucket,
//! ListBuckets, PutObject (and CopyObject via `x-amz-copy-source`),
//! GetObject, HeadObject, DeleteObject and ListObjectsV2. Errors are
//! `<Error><Code>NoSuchKey</Code>...` with AWS's status (404 for a missing
//! bucket or key). Not served: multipart uploads, DeleteObjects, ranges,
//! versioning, notifications configuration over HTTP.

use base64::Engine;
use cloudlab::CloudError;
use serde_json::{Map, Value, json};

use crate::json_protocol::request_id;
use crate::lambda_rest::percent_decode;
use crate::xml::{Writer, scalar_text};
use crate::{Request, Response, SharedCloud, lock};

/// S3's XML namespace.
pub const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The bucket named by a virtual-host style `Host` header, if any.
pub fn virtual_host_bucket(host: &str) -> Option<String> {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    for suffix in [
        ".localhost",
        ".s3.amazonaws.com",
        ".s3.us-east-1.amazonaws.com",
        ".localhost.localstack.cloud",
    ] {
        if let Some(b) = host.strip_suffix(suffix)
            && !b.is_empty()
        {
            return Some(b.to_string());
        }
    }
    None
}

/// Query members this endpoint understands; any other (`?acl`, `?tagging`,
/// `?uploads`, `?uploadId=`...) names a sub-resource it does not serve, and
/// gets `NotImplemented` rather than being mistaken for a plain object call.
const KNOWN_QUERY: &[&str] = &[
    "list-type",
    "prefix",
    "delimiter",
    "max-keys",
    "continuation-token",
    "start-after",
    "encoding-type",
    "fetch-owner",
    "x-id",
    "notification",
    "location",
];

fn unknown_subresource(q: &[(String, String)]) -> Option<&str> {
    q.iter().map(|(k, _)| k.as_str()).find(|k| {
        !KNOWN_QUERY.contains(k)
            && !k.to_ascii_lowercase().starts_with("x-amz-")
            && !k.starts_with("response-")
    })
}

/// (bucket, key) of a request; either may be empty.
pub fn bucket_and_key(req: &Request) -> (String, String) {
    let path = req.uri.path().trim_start_matches('/');
    if let Some(b) = virtual_host_bucket(req.header("host")) {
        return (b, percent_decode(path));
    }
    match path.split_once('/') {
        Some((b, k)) => (percent_decode(b), percent_decode(k)),
        None => (percent_decode(path), String::new()),
    }
}

/// The S3 error XML (no body for HEAD, as S3 answers).
pub fn error_response(err: &CloudError, resource: &str, id: &str) -> Response {
    let status = if err.status >= 400 { err.status } else { 400 };
    let mut w = Writer::new();
    w.open("Error")
        .leaf("Code", &err.code)
        .leaf("Message", &err.message)
        .leaf("Resource", resource)
        .leaf("RequestId", id)
        .close("Error");
    Response::new(status, "application/xml", w.finish()).with_header("x-amz-request-id", id)
}

fn write_value(w: &mut Writer, name: &str, v: &Value) {
    match v {
        Value::Object(m) => {
            w.open(name);
            for (k, v) in m {
                write_value(w, k, v);
            }
            w.close(name);
        }
        // S3's lists are flattened: one element per item, named as the member.
        Value::Array(items) => {
            for i in items {
                write_value(w, name, i);
            }
        }
        s => {
            w.leaf(name, &scalar_text(s));
        }
    }
}

/// Renders a JSON result as `<root xmlns=S3>...</root>`, flattening lists.
pub fn render(root: &str, v: &Value) -> String {
    let mut w = Writer::new();
    w.open_ns(root, S3_NS);
    if let Value::Object(m) = v {
        for (k, v) in m {
            write_value(&mut w, k, v);
        }
    }
    w.close(root);
    w.finish()
}

fn list_buckets_xml(v: &Value) -> String {
    let mut w = Writer::new();
    w.open_ns("ListAllMyBucketsResult", S3_NS);
    write_value(&mut w, "Owner", &v["Owner"]);
    w.open("Buckets");
    for b in v["Buckets"].as_array().into_iter().flatten() {
        write_value(&mut w, "Bucket", b);
    }
    w.close("Buckets").close("ListAllMyBucketsResult");
    w.finish()
}

fn query(req: &Request) -> Vec<(String, String)> {
    form_urlencoded::parse(req.uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn object_headers(mut r: Response, out: &Value) -> Response {
    for (member, header) in [
        ("ETag", "ETag"),
        ("ContentType", "Content-Type"),
        ("LastModified", "Last-Modified"),
        ("AcceptRanges", "Accept-Ranges"),
    ] {
        if let Some(v) = out[member].as_str() {
            r.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(header));
            r = r.with_header(header, v);
        }
    }
    if let Some(Value::Object(meta)) = out.get("Metadata") {
        for (k, v) in meta {
            r = r.with_header(&format!("x-amz-meta-{k}"), scalar_text(v));
        }
    }
    r
}

/// Runs one S3 request.
pub fn handle(cloud: &SharedCloud, req: &Request) -> Response {
    let id = request_id();
    let (bucket, key) = bucket_and_key(req);
    let q = query(req);
    let has = |name: &str| q.iter().any(|(k, _)| k == name);
    let method = req.method.as_str();
    let resource = format!(
        "/{bucket}{}",
        if key.is_empty() {
            String::new()
        } else {
            format!("/{key}")
        }
    );
    let head = method == "HEAD";
    let fail = |e: &CloudError| {
        let mut r = error_response(e, &resource, &id);
        if head {
            r.body.clear();
        }
        r
    };
    if let Some(sub) = unknown_subresource(&q) {
        return fail(
            &CloudError::new(
                "NotImplemented",
                format!("This sandbox's S3 endpoint does not serve the '{sub}' sub-resource ({method} {resource})."),
            )
            .with_status(501),
        );
    }
    if method == "GET" && has("location") && !bucket.is_empty() && key.is_empty() {
        // Every bucket here is in us-east-1, which S3 reports as an empty constraint.
        let exists = lock(cloud).call("s3", "HeadBucket", json!({ "Bucket": bucket }));
        return match exists {
            Ok(_) => Response::new(
                200,
                "application/xml",
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"{S3_NS}\"/>"),
            )
            .with_header("x-amz-request-id", &id),
            Err(e) => fail(&e),
        };
    }
    let mut params = Map::new();
    if !bucket.is_empty() {
        params.insert("Bucket".into(), json!(bucket));
    }
    if !key.is_empty() {
        params.insert("Key".into(), json!(key));
    }
    let op = match (method, bucket.is_empty(), key.is_empty()) {
        ("GET", true, _) => "ListBuckets",
        ("PUT", false, true) => "CreateBucket",
        ("HEAD", false, true) => "HeadBucket",
        ("DELETE", false, true) => "DeleteBucket",
        ("GET", false, true) if has("notification") => "GetBucketNotificationConfiguration",
        ("GET", false, true) => {
            for (k, member) in [
                ("prefix", "Prefix"),
                ("delimiter", "Delimiter"),
                ("continuation-token", "ContinuationToken"),
                ("start-after", "StartAfter"),
            ] {
                if let Some((_, v)) = q.iter().find(|(n, _)| n == k) {
                    params.insert(member.into(), json!(v));
                }
            }
            if let Some((_, v)) = q.iter().find(|(n, _)| n == "max-keys") {
                match v.parse::<i64>() {
                    Ok(n) => params.insert("MaxKeys".into(), json!(n)),
                    Err(_) => {
                        return fail(&CloudError::new(
                            "InvalidArgument",
                            "Provided max-keys not an integer or within integer range",
                        ));
                    }
                };
            }
            "ListObjectsV2"
        }
        ("PUT", false, false) if !req.header("x-amz-copy-source").is_empty() => {
            params.insert(
                "CopySource".into(),
                json!(percent_decode(req.header("x-amz-copy-source"))),
            );
            let directive = req.header("x-amz-metadata-directive");
            if !directive.is_empty() {
                params.insert("MetadataDirective".into(), json!(directive));
            }
            "CopyObject"
        }
        ("PUT", false, false) => {
            match std::str::from_utf8(&req.body) {
                Ok(text) => {
                    params.insert("Body".into(), json!(text));
                }
                Err(_) => {
                    params.insert(
                        "Body".into(),
                        json!(base64::engine::general_purpose::STANDARD.encode(&req.body)),
                    );
                    params.insert("BodyEncoding".into(), json!("base64"));
                }
            }
            let ct = req.header("content-type");
            if !ct.is_empty() {
                params.insert("ContentType".into(), json!(ct));
            }
            let mut meta = Map::new();
            for (name, value) in &req.headers {
                if let Some(k) = name.as_str().strip_prefix("x-amz-meta-") {
                    meta.insert(k.to_string(), json!(value.to_str().unwrap_or("")));
                }
            }
            if !meta.is_empty() {
                params.insert("Metadata".into(), Value::Object(meta));
            }
            "PutObject"
        }
        ("GET", false, false) => "GetObject",
        ("HEAD", false, false) => "HeadObject",
        ("DELETE", false, false) => "DeleteObject",
        _ => {
            return fail(
                &CloudError::new(
                    "NotImplemented",
                    format!("This sandbox's S3 endpoint does not serve {method} {resource}."),
                )
                .with_status(501),
            );
        }
    };
    let result = lock(cloud).call("s3", op, Value::Object(params));
    let out = match result {
        Ok(v) => v,
        Err(e) => return fail(&e),
    };
    let ok = |body: String| {
        Response::new(200, "application/xml", body).with_header("x-amz-request-id", &id)
    };
    match op {
        "ListBuckets" => ok(list_buckets_xml(&out)),
        "ListObjectsV2" => ok(render("ListBucketResult", &out)),
        "GetBucketNotificationConfiguration" => ok(render("NotificationConfiguration", &out)),
        "CreateBucket" => {
            let loc = out["Location"].as_str().unwrap_or("").to_string();
            ok(String::new()).with_header("Location", loc)
        }
        "CopyObject" => ok(render("CopyObjectResult", &out["CopyObjectResult"])),
        "DeleteBucket" | "DeleteObject" => {
            Response::new(204, "application/xml", "").with_header("x-amz-request-id", &id)
        }
        "PutObject" | "HeadBucket" => object_headers(ok(String::new()), &out),
        "HeadObject" => {
            let len = out["ContentLength"].as_u64().unwrap_or(0);
            object_headers(ok(String::new()), &out).with_header("content-length", len.to_string())
        }
        "GetObject" => {
            let body = match (out["Body"].as_str(), out["BodyEncoding"].as_str()) {
                (Some(b), Some("base64")) => base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .unwrap_or_default(),
                (Some(b), _) => b.as_bytes().to_vec(),
                _ => Vec::new(),
            };
            let mut r = object_headers(ok(String::new()), &out);
            r.body = body;
            r
        }
        _ => ok(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::tests::req;

    #[test]
    fn virtual_hosts() {
        assert_eq!(
            virtual_host_bucket("photos.localhost:4566").as_deref(),
            Some("photos")
        );
        assert_eq!(
            virtual_host_bucket("photos.s3.amazonaws.com").as_deref(),
            Some("photos")
        );
        assert_eq!(virtual_host_bucket("127.0.0.1:4566"), None);
        assert_eq!(virtual_host_bucket("localhost:4566"), None);
    }

    #[test]
    fn put_get_list_and_errors() {
        let cloud = crate::shared(cloudlab::Cloud::new());
        let r = crate::handle(&cloud, &req("PUT", "/photos", &[], ""));
        assert_eq!(r.status, 200, "{}", r.text());
        let r = crate::handle(
            &cloud,
            &req(
                "PUT",
                "/a.txt",
                &[
                    ("host", "photos.localhost:4566"),
                    ("content-type", "text/plain"),
                ],
                "hello",
            ),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.header("ETag").is_some());
        let r = crate::handle(&cloud, &req("GET", "/photos/a.txt", &[], ""));
        assert_eq!(r.text(), "hello");
        assert_eq!(r.header("content-type"), Some("text/plain"));
        let r = crate::handle(&cloud, &req("GET", "/photos?list-type=2", &[], ""));
        assert!(
            r.text().contains("<Contents><Key>a.txt</Key>"),
            "{}",
            r.text()
        );
        let r = crate::handle(&cloud, &req("GET", "/photos/missing", &[], ""));
        assert_eq!(r.status, 404);
        assert!(r.text().contains("<Code>NoSuchKey</Code>"));
        let r = crate::handle(&cloud, &req("GET", "/nobucket/k", &[], ""));
        assert!(
            r.text().contains("<Code>NoSuchBucket</Code>"),
            "{}",
            r.text()
        );
    }
}
