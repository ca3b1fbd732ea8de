//! Firehose operations, one function per API action, shared by both faces:
//! CreateDeliveryStream, DescribeDeliveryStream, ListDeliveryStreams,
//! DeleteDeliveryStream, PutRecord and PutRecordBatch.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::*;
use super::quotas::*;
use crate::cloud::{ACCOUNT_ID, Cloud, parse_arn};
use crate::error::{CloudError, CloudResult};
use crate::kinesis::Blob;
use crate::params::ErrorStyle;

/// Firehose reports malformed requests as `InvalidArgumentException`.
pub const STYLE: ErrorStyle = ErrorStyle {
    missing: "InvalidArgumentException",
    invalid: "InvalidArgumentException",
};

pub(crate) fn invalid(message: impl Into<String>) -> CloudError {
    CloudError::new("InvalidArgumentException", message)
}

pub(crate) fn not_found(name: &str) -> CloudError {
    CloudError::new(
        "ResourceNotFoundException",
        format!("Firehose {name} under account {ACCOUNT_ID} not found."),
    )
}

/// The ARN of Firehose stream `name`.
pub fn delivery_stream_arn(name: &str) -> String {
    crate::cloud::arn("firehose", &format!("deliverystream/{name}"))
}

/// `{"KinesisStreamARN": ..., "RoleARN": ...}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KinesisStreamSourceConfiguration {
    /// The source stream's ARN.
    #[serde(rename = "KinesisStreamARN")]
    pub kinesis_stream_arn: String,
    /// The role Firehose reads with (accepted; IAM is not simulated).
    #[serde(rename = "RoleARN", default)]
    pub role_arn: String,
}

/// `{"SizeInMBs": 5, "IntervalInSeconds": 300}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct BufferingHints {
    /// Deliver once this many MiB are buffered (1-128; default 5).
    #[serde(rename = "SizeInMBs", skip_serializing_if = "Option::is_none")]
    pub size_in_mbs: Option<u32>,
    /// Deliver once the oldest buffered record is this old (0-900 s; default 300).
    #[serde(rename = "IntervalInSeconds", skip_serializing_if = "Option::is_none")]
    pub interval_in_seconds: Option<u32>,
}

/// One processor parameter.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessorParameter {
    /// `LambdaArn`, `NumberOfRetries`, `BufferSizeInMBs`, `BufferIntervalInSeconds`.
    pub parameter_name: String,
    /// Its value.
    pub parameter_value: String,
}

/// A processor (only `Lambda` here).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessorConfig {
    /// `Lambda`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Its parameters.
    #[serde(default)]
    pub parameters: Vec<ProcessorParameter>,
}

/// Data transformation settings.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingConfiguration {
    /// On or off.
    pub enabled: Option<bool>,
    /// The processors.
    #[serde(default)]
    pub processors: Vec<ProcessorConfig>,
}

/// The S3 destination (ExtendedS3DestinationConfiguration or S3DestinationConfiguration).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3DestinationConfiguration {
    /// Accepted; IAM is not simulated.
    #[serde(rename = "RoleARN", default)]
    pub role_arn: String,
    /// `arn:aws:s3:::<bucket>`.
    #[serde(rename = "BucketARN")]
    pub bucket_arn: String,
    /// Key prefix (default `YYYY/MM/dd/HH/`; `!{timestamp:...}` expressions allowed).
    pub prefix: Option<String>,
    /// Prefix of failed records (default `processing-failed/YYYY/MM/dd/HH/`).
    pub error_output_prefix: Option<String>,
    /// When to deliver.
    pub buffering_hints: Option<BufferingHints>,
    /// `UNCOMPRESSED` (the only format here).
    pub compression_format: Option<String>,
    /// The Lambda transformation.
    pub processing_configuration: Option<ProcessingConfiguration>,
}

/// CreateDeliveryStream request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDeliveryStreamInput {
    /// 1-64 characters of `[a-zA-Z0-9_.-]`.
    pub delivery_stream_name: String,
    /// `DirectPut` (default) or `KinesisStreamAsSource`.
    pub delivery_stream_type: Option<String>,
    /// For KinesisStreamAsSource.
    pub kinesis_stream_source_configuration: Option<KinesisStreamSourceConfiguration>,
    /// The S3 destination.
    #[serde(rename = "ExtendedS3DestinationConfiguration")]
    pub extended_s3_destination_configuration: Option<S3DestinationConfiguration>,
    /// The S3 destination (older form).
    #[serde(rename = "S3DestinationConfiguration")]
    pub s3_destination_configuration: Option<S3DestinationConfiguration>,
    /// Tags (accepted).
    #[serde(default)]
    pub tags: Vec<Value>,
}

fn check_name(name: &str) -> CloudResult<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and {MAX_NAME_LEN}"
        )))
    }
}

fn bucket_name(arn: &str) -> CloudResult<String> {
    match parse_arn(arn) {
        Some(("s3", _, _, name)) if !name.contains('/') => Ok(name.to_string()),
        _ => Err(invalid(format!(
            "BucketARN {arn} is not an S3 bucket ARN (arn:aws:s3:::<bucket>)."
        ))),
    }
}

fn processor(
    cloud: &Cloud,
    config: &Option<ProcessingConfiguration>,
) -> CloudResult<Option<Processor>> {
    let Some(pc) = config else { return Ok(None) };
    if !pc.enabled.unwrap_or(false) {
        return Ok(None);
    }
    let [p] = pc.processors.as_slice() else {
        return Err(invalid(
            "ProcessingConfiguration needs exactly one processor of Type Lambda in this sandbox.",
        ));
    };
    if p.kind != "Lambda" {
        return Err(invalid(format!(
            "Processor type {} is not supported in this sandbox; use Lambda.",
            p.kind
        )));
    }
    let param = |n: &str| {
        p.parameters
            .iter()
            .find(|x| x.parameter_name == n)
            .map(|x| x.parameter_value.clone())
    };
    let arn = param("LambdaArn")
        .ok_or_else(|| invalid("The Lambda processor needs a LambdaArn parameter."))?;
    let function = crate::lambda::ops::function_name(&arn)?;
    if !cloud.lambda.functions.contains_key(&function) {
        return Err(invalid(format!("Lambda function {arn} does not exist.")));
    }
    let retries = match param("NumberOfRetries") {
        Some(v) => v.parse::<u32>().ok().filter(|n| *n <= 300).ok_or_else(|| {
            invalid(format!(
                "NumberOfRetries {v} must be a number from 0 to 300."
            ))
        })?,
        None => DEFAULT_LAMBDA_RETRIES,
    };
    let mib = match param("BufferSizeInMBs") {
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| (0.2..=3.0).contains(n))
            .ok_or_else(|| invalid(format!("BufferSizeInMBs {v} must be between 0.2 and 3.")))?,
        None => DEFAULT_LAMBDA_BUFFER_MIB,
    };
    Ok(Some(Processor {
        function,
        arn,
        retries,
        buffer_bytes: (mib * 1_048_576.0) as u64,
    }))
}

/// CreateDeliveryStream: a Firehose stream from direct PUTs or a Kinesis stream into an S3 bucket.
pub fn create_delivery_stream(
    cloud: &mut Cloud,
    input: CreateDeliveryStreamInput,
) -> CloudResult<Value> {
    let name = input.delivery_stream_name.clone();
    check_name(&name)?;
    if cloud.firehose.streams.contains_key(&name) {
        return Err(CloudError::new(
            "ResourceInUseException",
            format!("Firehose {name} under accountId {ACCOUNT_ID} already exists"),
        ));
    }
    let source = match input.delivery_stream_type.as_deref().unwrap_or("DirectPut") {
        "DirectPut" => {
            if input.kinesis_stream_source_configuration.is_some() {
                return Err(invalid(
                    "KinesisStreamSourceConfiguration is only for DeliveryStreamType KinesisStreamAsSource.",
                ));
            }
            Source::DirectPut
        }
        "KinesisStreamAsSource" => {
            let k = input
                .kinesis_stream_source_configuration
                .clone()
                .ok_or_else(|| {
                    invalid(
                        "KinesisStreamSourceConfiguration is required for KinesisStreamAsSource.",
                    )
                })?;
            let stream = crate::kinesis::ops::name_from_arn(&k.kinesis_stream_arn)?;
            crate::kinesis::ops::usable(cloud, &stream).map_err(|_| {
                invalid(format!(
                    "Stream {} not found or not ACTIVE.",
                    k.kinesis_stream_arn
                ))
            })?;
            Source::Kinesis {
                stream,
                arn: k.kinesis_stream_arn,
                role_arn: k.role_arn,
            }
        }
        other => {
            return Err(invalid(format!(
                "DeliveryStreamType {other} is not supported here: use DirectPut or KinesisStreamAsSource."
            )));
        }
    };
    let d = input
        .extended_s3_destination_configuration
        .clone()
        .or(input.s3_destination_configuration.clone())
        .ok_or_else(|| {
            invalid("A destination is required: ExtendedS3DestinationConfiguration (S3 is the only destination here).")
        })?;
    let bucket = bucket_name(&d.bucket_arn)?;
    crate::s3::ops::bucket(cloud, &bucket)?;
    let hints = d.buffering_hints.clone().unwrap_or_default();
    let size = hints.size_in_mbs.unwrap_or(DEFAULT_BUFFER_MIB);
    let secs = hints.interval_in_seconds.unwrap_or(DEFAULT_BUFFER_SECS);
    if !(BUFFER_MIB_RANGE.0..=BUFFER_MIB_RANGE.1).contains(&size) {
        return Err(invalid(format!(
            "BufferingHints.SizeInMBs {size} is out of range: {}-{} MiB.",
            BUFFER_MIB_RANGE.0, BUFFER_MIB_RANGE.1
        )));
    }
    if !(BUFFER_SECS_RANGE.0..=BUFFER_SECS_RANGE.1).contains(&secs) {
        return Err(invalid(format!(
            "BufferingHints.IntervalInSeconds {secs} is out of range: {}-{} s.",
            BUFFER_SECS_RANGE.0, BUFFER_SECS_RANGE.1
        )));
    }
    let compression = d
        .compression_format
        .clone()
        .unwrap_or_else(|| "UNCOMPRESSED".into());
    if compression != "UNCOMPRESSED" {
        return Err(invalid(format!(
            "CompressionFormat {compression} is not supported in this sandbox; use UNCOMPRESSED."
        )));
    }
    let processor = processor(cloud, &d.processing_configuration)?;
    let now = cloud.core.now;
    let arn = delivery_stream_arn(&name);
    let mut state = DeliveryStreamState {
        name: name.as_str().into(),
        arn: arn.clone(),
        created: now,
        ready_at: now + CREATE_DURATION,
        version: 1,
        source,
        dest: S3Destination {
            bucket,
            bucket_arn: d.bucket_arn,
            role_arn: d.role_arn,
            prefix: d.prefix,
            error_prefix: d.error_output_prefix,
            size_mib: size,
            interval_secs: secs,
            compression,
            processor,
        },
        buffer: Vec::new(),
        buffer_bytes: 0,
        flush_scheduled: false,
        records: Default::default(),
        requests: Default::default(),
        cursors: BTreeMap::new(),
        delivered_keys: Vec::new(),
        stats: FirehoseStats::default(),
    };
    super::source::start(cloud, &mut state);
    let rname = state.name.clone();
    let kind = state.kind();
    cloud.firehose.streams.insert(name, state);
    cloud
        .core
        .trace("firehose", &rname, "create", kind.to_string());
    Ok(json!({ "DeliveryStreamARN": arn }))
}

/// A request naming one Firehose stream.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NameInput {
    /// The Firehose stream's name.
    pub delivery_stream_name: String,
    /// DeleteDeliveryStream only (accepted).
    pub allow_force_delete: Option<bool>,
}

/// DescribeDeliveryStream.
pub fn describe_delivery_stream(cloud: &mut Cloud, input: NameInput) -> CloudResult<Value> {
    let now = cloud.core.now;
    let s = cloud
        .firehose
        .streams
        .get(&input.delivery_stream_name)
        .ok_or_else(|| not_found(&input.delivery_stream_name))?;
    let d = &s.dest;
    let mut s3 = json!({
        "RoleARN": d.role_arn,
        "BucketARN": d.bucket_arn,
        "BufferingHints": {"SizeInMBs": d.size_mib, "IntervalInSeconds": d.interval_secs},
        "CompressionFormat": d.compression,
        "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
    });
    if let Some(p) = &d.prefix {
        s3["Prefix"] = json!(p);
    }
    if let Some(p) = &d.error_prefix {
        s3["ErrorOutputPrefix"] = json!(p);
    }
    if let Some(p) = &d.processor {
        s3["ProcessingConfiguration"] = json!({
            "Enabled": true,
            "Processors": [{"Type": "Lambda", "Parameters": [
                {"ParameterName": "LambdaArn", "ParameterValue": p.arn},
                {"ParameterName": "NumberOfRetries", "ParameterValue": p.retries.to_string()},
            ]}],
        });
    }
    let mut desc = json!({
        "DeliveryStreamName": &*s.name,
        "DeliveryStreamARN": s.arn,
        "DeliveryStreamStatus": s.status(now),
        "DeliveryStreamType": s.kind(),
        "VersionId": s.version.to_string(),
        "CreateTimestamp": s.created.unix_secs_f64(),
        "Destinations": [{
            "DestinationId": "destinationId-000000000001",
            "ExtendedS3DestinationDescription": s3,
        }],
        "HasMoreDestinations": false,
    });
    if let Source::Kinesis { arn, role_arn, .. } = &s.source {
        desc["Source"] = json!({"KinesisStreamSourceDescription": {
            "KinesisStreamARN": arn,
            "RoleARN": role_arn,
            "DeliveryStartTimestamp": s.created.unix_secs_f64(),
        }});
    }
    Ok(json!({ "DeliveryStreamDescription": desc }))
}

/// ListDeliveryStreams request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    /// Page size (1-10,000; default 10).
    pub limit: Option<usize>,
    /// Only this type.
    pub delivery_stream_type: Option<String>,
    /// Start after this name.
    pub exclusive_start_delivery_stream_name: Option<String>,
}

/// ListDeliveryStreams: names in order.
pub fn list_delivery_streams(cloud: &mut Cloud, input: ListInput) -> CloudResult<Value> {
    let limit = input.limit.unwrap_or(10);
    if !(1..=10_000).contains(&limit) {
        return Err(invalid(format!(
            "Limit {limit} must be between 1 and 10000."
        )));
    }
    let names: Vec<&str> = cloud
        .firehose
        .streams
        .values()
        .filter(|s| {
            input
                .delivery_stream_type
                .as_deref()
                .is_none_or(|t| t == s.kind())
        })
        .filter(|s| {
            input
                .exclusive_start_delivery_stream_name
                .as_deref()
                .is_none_or(|a| &*s.name > a)
        })
        .map(|s| &*s.name)
        .collect();
    Ok(json!({
        "DeliveryStreamNames": &names[..names.len().min(limit)],
        "HasMoreDeliveryStreams": names.len() > limit,
    }))
}

/// DeleteDeliveryStream: the stream and whatever is still buffered are gone.
pub fn delete_delivery_stream(cloud: &mut Cloud, input: NameInput) -> CloudResult<()> {
    let s = cloud
        .firehose
        .streams
        .remove(&input.delivery_stream_name)
        .ok_or_else(|| not_found(&input.delivery_stream_name))?;
    cloud.core.trace(
        "firehose",
        &s.name,
        "delete",
        format!("{} buffered record(s) discarded", s.buffer.len()),
    );
    Ok(())
}

/// `{"Data": base64}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FirehoseRecord {
    /// Up to 1,000 KiB.
    pub data: Blob,
}

/// PutRecord request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordInput {
    /// The Firehose stream.
    pub delivery_stream_name: String,
    /// The record.
    pub record: FirehoseRecord,
}

/// PutRecordBatch request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordBatchInput {
    /// The Firehose stream.
    pub delivery_stream_name: String,
    /// 1-500 records, at most 4 MiB together.
    pub records: Vec<FirehoseRecord>,
}

/// One PutRecordBatch result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRecordBatchResponseEntry {
    /// Set on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// Set on failure (`ServiceUnavailableException`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Set on failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

fn direct_put_stream<'c>(
    cloud: &'c mut Cloud,
    name: &str,
) -> CloudResult<&'c mut DeliveryStreamState> {
    let now = cloud.core.now;
    let s = cloud
        .firehose
        .streams
        .get_mut(name)
        .ok_or_else(|| not_found(name))?;
    if s.status(now) != "ACTIVE" {
        return Err(CloudError::new(
            "ResourceNotFoundException",
            format!(
                "Firehose {name} under account {ACCOUNT_ID} is not ACTIVE, instead in state CREATING."
            ),
        ));
    }
    if s.source != Source::DirectPut {
        return Err(invalid(format!(
            "This operation is not permitted on KinesisStreamAsSource Firehose stream {name}: put records to its Kinesis stream."
        )));
    }
    Ok(s)
}

fn check_record(i: Option<usize>, r: &FirehoseRecord) -> CloudResult<()> {
    if r.data.len() > MAX_RECORD_BYTES {
        let at = i
            .map(|i| format!("records.{}.member.", i + 1))
            .unwrap_or_default();
        return Err(CloudError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value at '{at}record.data' failed to satisfy constraint: Member must have length less than or equal to {MAX_RECORD_BYTES} (got {} bytes)",
                r.data.len()
            ),
        ));
    }
    Ok(())
}

fn slow_down() -> CloudError {
    CloudError::new("ServiceUnavailableException", "Slow down.").with_status(503)
}

/// PutRecord: one record into the buffer.
pub fn put_record(cloud: &mut Cloud, input: PutRecordInput) -> CloudResult<Value> {
    check_record(None, &input.record)?;
    let now = cloud.core.now;
    let s = direct_put_stream(cloud, &input.delivery_stream_name)?;
    s.requests.prune(now);
    s.records.prune(now);
    let size = input.record.data.len() as u64;
    if !s.requests.fits(1, 0, MAX_REQUESTS_PER_SEC, u64::MAX)
        || !s
            .records
            .fits(1, size, MAX_RECORDS_PER_SEC, MAX_BYTES_PER_SEC)
    {
        s.stats.throttled += 1;
        return Err(slow_down());
    }
    s.requests.take(now, 1, 0);
    s.records.take(now, 1, size);
    let id = cloud.core.rng.alnum(56);
    super::deliver::accept(
        cloud,
        &input.delivery_stream_name,
        id.clone(),
        input.record.data,
        None,
    );
    Ok(json!({ "RecordId": id, "Encrypted": false }))
}

/// PutRecordBatch: up to 500 records; each can fail alone (throttling).
pub fn put_record_batch(cloud: &mut Cloud, input: PutRecordBatchInput) -> CloudResult<Value> {
    let n = input.records.len();
    if !(1..=MAX_BATCH_RECORDS).contains(&n) {
        return Err(CloudError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and {MAX_BATCH_RECORDS} (got {n})"
            ),
        ));
    }
    let total: usize = input.records.iter().map(|r| r.data.len()).sum();
    if total > MAX_BATCH_BYTES {
        return Err(invalid(format!(
            "Records size exceeds {MAX_BATCH_BYTES} bytes (4 MiB): the request carries {total} bytes."
        )));
    }
    for (i, r) in input.records.iter().enumerate() {
        check_record(Some(i), r)?;
    }
    let now = cloud.core.now;
    let name = input.delivery_stream_name.clone();
    let s = direct_put_stream(cloud, &name)?;
    s.requests.prune(now);
    if !s.requests.fits(1, 0, MAX_REQUESTS_PER_SEC, u64::MAX) {
        s.stats.throttled += n as u64;
        return Err(slow_down());
    }
    s.requests.take(now, 1, 0);
    let mut out = Vec::with_capacity(n);
    let mut failed = 0;
    for r in input.records {
        let size = r.data.len() as u64;
        let s = cloud.firehose.streams.get_mut(&name).expect("checked");
        s.records.prune(now);
        if !s
            .records
            .fits(1, size, MAX_RECORDS_PER_SEC, MAX_BYTES_PER_SEC)
        {
            s.stats.throttled += 1;
            failed += 1;
            out.push(PutRecordBatchResponseEntry {
                record_id: None,
                error_code: Some("ServiceUnavailableException".into()),
                error_message: Some("Slow down.".into()),
            });
            continue;
        }
        s.records.take(now, 1, size);
        let id = cloud.core.rng.alnum(56);
        super::deliver::accept(cloud, &name, id.clone(), r.data, None);
        out.push(PutRecordBatchResponseEntry {
            record_id: Some(id),
            error_code: None,
            error_message: None,
        });
    }
    Ok(json!({ "FailedPutCount": failed, "Encrypted": false, "RequestResponses": out }))
}
