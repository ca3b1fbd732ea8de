//! Buffering and delivery: records wait until the buffer holds SizeInMBs or
//! its oldest record is IntervalInSeconds old, then (after the optional
//! Lambda transformation) become one S3 object named as Firehose names them:
//! `<prefix>` (default `YYYY/MM/dd/HH/`, UTC, from the oldest record's arrival)
//! then `<stream>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>`.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use super::model::*;
use super::quotas::*;
use crate::cloud::Cloud;
use crate::kinesis::Blob;
use crate::lambda::runtime::{Execution, Refused, execute};
use crate::time::SimTime;

/// Takes a record into the buffer of Firehose stream `name`.
pub(crate) fn accept(
    cloud: &mut Cloud,
    name: &str,
    record_id: String,
    data: Blob,
    kinesis: Option<KinesisMeta>,
) {
    let now = cloud.core.now;
    let Some(s) = cloud.firehose.streams.get_mut(name) else {
        return;
    };
    let size = data.len() as u64;
    s.buffer.push(Buffered {
        record_id,
        data: data.0,
        arrival: now,
        kinesis,
    });
    s.buffer_bytes += size;
    s.stats.records_in += 1;
    s.stats.bytes_in += size;
    let full = s.buffer_bytes >= s.dest.size_mib as u64 * 1_048_576;
    let interval = Duration::from_secs(s.dest.interval_secs as u64);
    let schedule = !s.flush_scheduled;
    s.flush_scheduled = true;
    let billed = size.div_ceil(BILLING_ROUND).max(1) * BILLING_ROUND;
    cloud
        .core
        .bill("firehose.gb_ingested", billed as f64 / 1_073_741_824.0);
    if schedule || full {
        let after = if full { Duration::ZERO } else { interval };
        let name = name.to_string();
        cloud.schedule(after, "firehose.flush", move |c| flush(c, &name));
    }
}

/// Delivers the buffer if it is full or old enough; otherwise waits for that.
fn flush(cloud: &mut Cloud, name: &str) {
    let now = cloud.core.now;
    let Some(s) = cloud.firehose.streams.get_mut(name) else {
        return;
    };
    let Some(first) = s.buffer.first() else {
        s.flush_scheduled = false;
        return;
    };
    let limit = s.dest.size_mib as u64 * 1_048_576;
    let due = first.arrival + Duration::from_secs(s.dest.interval_secs as u64);
    if now < due && s.buffer_bytes < limit {
        let name = name.to_string();
        cloud.schedule(due.since(now), "firehose.flush", move |c| flush(c, &name));
        return;
    }
    // One object holds at most the buffer size; the rest waits for the next flush.
    let mut take = 0;
    let mut bytes = 0;
    for r in &s.buffer {
        if take > 0 && bytes + r.data.len() as u64 > limit {
            break;
        }
        bytes += r.data.len() as u64;
        take += 1;
    }
    let records: Vec<Buffered> = s.buffer.drain(..take).collect();
    s.buffer_bytes -= bytes;
    let more = !s.buffer.is_empty();
    s.flush_scheduled = more;
    let processor = s.dest.processor.clone();
    if more {
        let name2 = name.to_string();
        cloud.schedule(Duration::ZERO, "firehose.flush", move |c| flush(c, &name2));
    }
    let job = Delivery {
        stream: name.to_string(),
        chunks: chunks(
            &records,
            processor.as_ref().map_or(u64::MAX, |p| p.buffer_bytes),
        ),
        records,
        index: 0,
        attempts: 0,
        ok: Vec::new(),
        failed: Vec::new(),
        started: now,
    };
    match processor {
        Some(p) => transform(cloud, job, p),
        None => {
            let mut job = job;
            job.ok = job
                .records
                .iter()
                .map(|r| (r.arrival, r.data.clone()))
                .collect();
            write(cloud, job);
        }
    }
}

/// Index ranges of the records each Lambda invocation gets.
fn chunks(records: &[Buffered], max_bytes: u64) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, r) in records.iter().enumerate() {
        let size = r.data.len() as u64;
        if i > start && bytes + size > max_bytes {
            out.push((start, i));
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < records.len() {
        out.push((start, records.len()));
    }
    out
}

/// A buffer on its way to S3.
struct Delivery {
    stream: String,
    records: Vec<Buffered>,
    chunks: Vec<(usize, usize)>,
    index: usize,
    attempts: u32,
    ok: Vec<(SimTime, Arc<[u8]>)>,
    failed: Vec<Value>,
    started: SimTime,
}

/// The event the transformation function receives.
fn transform_event(job: &Delivery, arn: &str, invocation_id: String) -> Value {
    let (a, b) = job.chunks[job.index];
    let records: Vec<Value> = job.records[a..b]
        .iter()
        .map(|r| {
            let mut v = json!({
                "recordId": r.record_id,
                "approximateArrivalTimestamp": r.arrival.unix_millis(),
                "data": base64::engine::general_purpose::STANDARD.encode(&r.data),
            });
            if let Some(k) = &r.kinesis {
                v["kinesisRecordMetadata"] = json!({
                    "sequenceNumber": k.sequence_number,
                    "subsequenceNumber": 0,
                    "partitionKey": k.partition_key,
                    "shardId": k.shard_id,
                    "approximateArrivalTimestamp": r.arrival.unix_millis(),
                });
            }
            v
        })
        .collect();
    json!({
        "invocationId": invocation_id,
        "deliveryStreamArn": arn,
        "region": crate::cloud::REGION,
        "records": records,
    })
}

fn transform(cloud: &mut Cloud, mut job: Delivery, p: Processor) {
    if job.index >= job.chunks.len() {
        write(cloud, job);
        return;
    }
    let arn = super::ops::delivery_stream_arn(&job.stream);
    let invocation_id = cloud.core.rng.uuid();
    let event = transform_event(&job, &arn, invocation_id);
    let request_id = cloud.core.rng.uuid();
    if let Some(s) = cloud.firehose.streams.get_mut(&job.stream) {
        s.stats.invocations += 1;
    }
    match execute(cloud, &p.function, event, request_id) {
        Ok(exec) => {
            let at = exec.finished;
            cloud.scheduler.at(
                at,
                "firehose.transform-done",
                Box::new(move |c| transformed(c, job, p, exec)),
            );
        }
        Err(Refused::Throttled(_)) => {
            job.attempts += 1;
            if job.attempts > p.retries {
                fail_chunk(
                    cloud,
                    &mut job,
                    &p,
                    "Lambda.FunctionError",
                    "The Lambda function was throttled.",
                );
                job.index += 1;
                job.attempts = 0;
            }
            cloud.schedule(
                Duration::from_secs(1),
                "firehose.transform-retry",
                move |c| transform(c, job, p),
            );
        }
        Err(Refused::NotFound(_)) => {
            fail_chunk(
                cloud,
                &mut job,
                &p,
                "Lambda.FunctionNotFound",
                "The Lambda function does not exist.",
            );
            job.index += 1;
            transform(cloud, job, p);
        }
    }
}

/// Failed records are written under the error prefix, as JSON lines.
fn fail_chunk(cloud: &mut Cloud, job: &mut Delivery, p: &Processor, code: &str, message: &str) {
    let (a, b) = job.chunks[job.index];
    let now = cloud.core.now;
    for r in &job.records[a..b] {
        job.failed
            .push(failure(r, job.attempts.max(1), code, message, now, &p.arn));
    }
}

fn failure(
    r: &Buffered,
    attempts: u32,
    code: &str,
    message: &str,
    now: SimTime,
    arn: &str,
) -> Value {
    json!({
        "attemptsMade": attempts,
        "arrivalTimestamp": r.arrival.unix_millis(),
        "errorCode": code,
        "errorMessage": message,
        "attemptEndingTimestamp": now.unix_millis(),
        "rawData": base64::engine::general_purpose::STANDARD.encode(&r.data),
        "lambdaArn": arn,
    })
}

fn transformed(cloud: &mut Cloud, mut job: Delivery, p: Processor, exec: Execution) {
    let now = cloud.core.now;
    match exec.outcome {
        Err(e) => {
            job.attempts += 1;
            if job.attempts <= p.retries {
                transform(cloud, job, p);
                return;
            }
            let msg = format!(
                "The Lambda function was successfully invoked but it returned an error result: {e}"
            );
            fail_chunk(cloud, &mut job, &p, "Lambda.FunctionError", &msg);
        }
        Ok(response) => {
            let (a, b) = job.chunks[job.index];
            let results = response.get("records").and_then(Value::as_array);
            for r in &job.records[a..b] {
                let entry = results.and_then(|list| {
                    list.iter().find(|x| {
                        x.get("recordId").and_then(Value::as_str) == Some(r.record_id.as_str())
                    })
                });
                let attempts = job.attempts + 1;
                let Some(entry) = entry else {
                    job.failed.push(failure(
                        r,
                        attempts,
                        "Lambda.MissingRecordId",
                        "The response has no result for this recordId.",
                        now,
                        &p.arn,
                    ));
                    continue;
                };
                match entry.get("result").and_then(Value::as_str) {
                    Some("Ok") => {
                        let data = entry
                            .get("data")
                            .and_then(Value::as_str)
                            .and_then(Blob::from_base64);
                        match data {
                            Some(d) => job.ok.push((r.arrival, d.0)),
                            None => job.failed.push(failure(
                                r,
                                attempts,
                                "Lambda.InvalidData",
                                "The result's data is not base64.",
                                now,
                                &p.arn,
                            )),
                        }
                    }
                    Some("Dropped") => {
                        if let Some(s) = cloud.firehose.streams.get_mut(&job.stream) {
                            s.stats.dropped += 1;
                        }
                    }
                    Some("ProcessingFailed") => job.failed.push(failure(
                        r,
                        attempts,
                        "Lambda.ProcessingFailedStatus",
                        "The function set ProcessingFailed for this record.",
                        now,
                        &p.arn,
                    )),
                    _ => job.failed.push(failure(
                        r,
                        attempts,
                        "Lambda.InvalidResult",
                        "result must be Ok, Dropped or ProcessingFailed.",
                        now,
                        &p.arn,
                    )),
                }
            }
        }
    }
    job.index += 1;
    job.attempts = 0;
    transform(cloud, job, p);
}

/// Converts the Java DateTimeFormatter letters Firehose prefixes use.
fn java_format(pattern: &str, t: SimTime) -> String {
    let z = t.to_jiff().to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let mut out = String::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                out.push(chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let field = match (c, n) {
            ('y', 2) => Some(format!("{:02}", z.year() % 100)),
            ('y', _) => Some(format!("{:04}", z.year())),
            ('M', _) => Some(format!("{:02}", z.month())),
            ('d', _) => Some(format!("{:02}", z.day())),
            ('H', _) => Some(format!("{:02}", z.hour())),
            ('m', _) => Some(format!("{:02}", z.minute())),
            ('s', _) => Some(format!("{:02}", z.second())),
            _ => None,
        };
        match field {
            Some(f) => out.push_str(&f),
            None => out.extend(std::iter::repeat_n(c, n)),
        }
        i += n;
    }
    out
}

/// The key prefix for an object whose oldest record arrived at `t`.
pub(crate) fn render_prefix(
    cloud: &mut Cloud,
    template: Option<&str>,
    error: bool,
    t: SimTime,
) -> String {
    let hourly = java_format("yyyy/MM/dd/HH/", t);
    let Some(p) = template else {
        return if error {
            format!("processing-failed/{hourly}")
        } else {
            hourly
        };
    };
    if !p.contains("!{") {
        return if error {
            format!("{p}processing-failed/{hourly}")
        } else {
            format!("{p}{hourly}")
        };
    }
    let mut out = String::new();
    let mut rest = p;
    while let Some(start) = rest.find("!{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let expr = &rest[start + 2..start + end];
        match expr.split_once(':') {
            Some(("timestamp", fmt)) => out.push_str(&java_format(fmt, t)),
            Some(("firehose", "random-string")) => out.push_str(&cloud.core.rng.alnum(11)),
            Some(("firehose", "error-output-type")) => out.push_str("processing-failed"),
            _ => out.push_str(&rest[start..start + end + 1]),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

fn object_name(cloud: &mut Cloud, stream: &str, version: u32, t: SimTime) -> String {
    format!(
        "{stream}-{version}-{}-{}",
        java_format("yyyy-MM-dd-HH-mm-ss", t),
        cloud.core.rng.uuid()
    )
}

/// Writes the delivered and the failed records as S3 objects.
fn write(cloud: &mut Cloud, job: Delivery) {
    let now = cloud.core.now;
    let Some(s) = cloud.firehose.streams.get(&job.stream) else {
        return;
    };
    let (bucket, prefix, error_prefix, version) = (
        s.dest.bucket.clone(),
        s.dest.prefix.clone(),
        s.dest.error_prefix.clone(),
        s.version,
    );
    if crate::s3::ops::bucket(cloud, &bucket).is_err() {
        let oldest = job.records.first().map_or(now, |r| r.arrival);
        if now.since(oldest) < DELIVERY_RETRY_WINDOW {
            let name = s.name.clone();
            cloud.core.trace(
                "firehose",
                &name,
                "delivery-failed",
                format!(
                    "bucket {bucket} does not exist; retrying in {} s",
                    DELIVERY_RETRY.as_secs()
                ),
            );
            cloud.schedule(DELIVERY_RETRY, "firehose.deliver-retry", move |c| {
                write(c, job)
            });
        }
        return;
    }
    let mut keys = Vec::new();
    if !job.ok.is_empty() {
        let t = job.ok.iter().map(|(t, _)| *t).min().unwrap_or(job.started);
        let mut body = Vec::with_capacity(job.ok.iter().map(|(_, d)| d.len()).sum());
        for (_, d) in &job.ok {
            body.extend_from_slice(d);
        }
        let key = render_prefix(cloud, prefix.as_deref(), false, t)
            + &object_name(cloud, &job.stream, version, t);
        keys.push((key, body, job.ok.len(), false));
    }
    if !job.failed.is_empty() {
        let t = job
            .failed
            .iter()
            .filter_map(|f| f["arrivalTimestamp"].as_u64())
            .min()
            .map_or(job.started, SimTime::from_unix_millis);
        let mut body = Vec::new();
        for f in &job.failed {
            body.extend_from_slice(f.to_string().as_bytes());
            body.push(b'\n');
        }
        let key = render_prefix(cloud, error_prefix.as_deref(), true, t)
            + &object_name(cloud, &job.stream, version, t);
        keys.push((key, body, job.failed.len(), true));
    }
    for (key, body, n, error) in keys {
        let put = crate::s3::ops::objects::put_object(
            cloud,
            crate::s3::ops::objects::PutObjectInput {
                bucket: bucket.clone(),
                key: key.clone(),
                body: crate::s3::Body::from(body),
                body_encoding: None,
                content_type: None,
                metadata: Default::default(),
            },
        );
        let Some(s) = cloud.firehose.streams.get_mut(&job.stream) else {
            return;
        };
        let name = s.name.clone();
        if put.is_ok() {
            s.stats.objects += 1;
            if error {
                s.stats.failed += n as u64;
            } else {
                s.stats.records_delivered += n as u64;
            }
            s.delivered_keys.push(key.clone());
        }
        cloud.core.trace(
            "firehose",
            &name,
            if error { "deliver-errors" } else { "deliver" },
            format!("{n} record(s) to s3://{bucket}/{key}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DurationExt;

    #[test]
    fn java_timestamp_formats() {
        let t = SimTime::EPOCH + 3.hours() + 4.mins() + 5.secs();
        assert_eq!(java_format("yyyy/MM/dd/HH/", t), "2026/01/01/03/");
        assert_eq!(java_format("yyyy-MM-dd-HH-mm-ss", t), "2026-01-01-03-04-05");
        assert_eq!(java_format("'year='yyyy", t), "year=2026");
    }

    #[test]
    fn prefixes_default_append_and_evaluate() {
        let mut c = Cloud::new();
        let t = SimTime::EPOCH + 1.hours();
        assert_eq!(render_prefix(&mut c, None, false, t), "2026/01/01/01/");
        assert_eq!(
            render_prefix(&mut c, None, true, t),
            "processing-failed/2026/01/01/01/"
        );
        assert_eq!(
            render_prefix(&mut c, Some("logs/"), false, t),
            "logs/2026/01/01/01/"
        );
        assert_eq!(
            render_prefix(
                &mut c,
                Some("dt=!{timestamp:yyyy-MM-dd}/h=!{timestamp:HH}/"),
                false,
                t
            ),
            "dt=2026-01-01/h=01/"
        );
        assert_eq!(
            render_prefix(&mut c, Some("err/!{firehose:error-output-type}/"), true, t),
            "err/processing-failed/"
        );
    }
}
