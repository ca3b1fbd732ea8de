//! Amazon Data Firehose: records in (direct PUT or from a Kinesis stream),
//! buffered by size and time, optionally transformed by a Lambda function,
//! and delivered to S3 as objects named the way Firehose names them.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let lake = cloud.s3().create_bucket("clicks-lake")?;
//! let hose = cloud.firehose().create_to_s3(
//!     "clicks",
//!     &lake,
//!     Delivery::new().buffer_interval(60.secs()),
//! )?;
//! cloud.firehose().put(&hose, "{\"page\":\"/\"}\n")?;
//! cloud.firehose().put(&hose, "{\"page\":\"/cart\"}\n")?;
//! cloud.advance(61.secs()); // the 60 s buffer interval passes
//! let keys = cloud.firehose().objects(&hose)?;
//! assert_eq!(keys.len(), 1);
//! assert!(keys[0].starts_with("2026/01/01/00/clicks-1-2026-01-01-00-00-05-"));
//! assert_eq!(cloud.s3().get_text(&lake, &keys[0])?.lines().count(), 2);
//! # Ok(()) }
//! ```

pub mod api;
pub(crate) mod deliver;
pub mod model;
pub mod ops;
pub mod quotas;
pub(crate) mod source;
pub mod view;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::cloud::Cloud;
use crate::error::CloudResult;
use crate::kinesis::{AsStream, Blob};
use crate::lambda::AsFunction;
use crate::s3::AsBucket;

pub use model::FirehoseStats;
pub use view::FirehoseView;

/// Every Firehose stream of an account.
#[derive(Debug, Default)]
pub struct FirehoseState {
    pub(crate) streams: BTreeMap<String, model::DeliveryStreamState>,
}

impl FirehoseState {
    /// Number of Firehose streams.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }
}

/// A Firehose stream: its name and ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryStream {
    /// The name.
    pub name: String,
    /// The ARN.
    pub arn: String,
}

impl DeliveryStream {
    /// The handle for Firehose stream `name`.
    pub fn named(name: &str) -> DeliveryStream {
        DeliveryStream {
            name: name.to_string(),
            arn: ops::delivery_stream_arn(name),
        }
    }
}

/// How a Firehose stream delivers to S3: buffering, prefixes, transformation.
///
/// ```
/// use cloudlab::prelude::*;
/// let d = Delivery::new().buffer_mib(1).buffer_interval(60.secs()).prefix("clicks/");
/// # let _ = d;
/// ```
#[derive(Clone, Debug, Default)]
pub struct Delivery {
    size_mib: Option<u32>,
    interval: Option<Duration>,
    prefix: Option<String>,
    error_prefix: Option<String>,
    transform: Option<(String, Option<u32>)>,
}

impl Delivery {
    /// AWS's defaults: 5 MiB or 300 s, prefix `YYYY/MM/dd/HH/`, no transformation.
    pub fn new() -> Delivery {
        Delivery::default()
    }

    /// Deliver once this many MiB are buffered (1-128).
    pub fn buffer_mib(mut self, mib: u32) -> Delivery {
        self.size_mib = Some(mib);
        self
    }

    /// Deliver once the oldest buffered record is this old (0-900 s).
    pub fn buffer_interval(mut self, d: Duration) -> Delivery {
        self.interval = Some(d);
        self
    }

    /// Key prefix; without `!{...}` expressions the hourly `YYYY/MM/dd/HH/` is appended.
    pub fn prefix(mut self, p: &str) -> Delivery {
        self.prefix = Some(p.to_string());
        self
    }

    /// Prefix of records that failed transformation.
    pub fn error_prefix(mut self, p: &str) -> Delivery {
        self.error_prefix = Some(p.to_string());
        self
    }

    /// Transform records with this Lambda function first.
    pub fn transform(mut self, f: &(impl AsFunction + ?Sized)) -> Delivery {
        self.transform = Some((f.function_name(), None));
        self
    }

    /// Transform with this function, retrying a failed invocation `n` times (default 3).
    pub fn transform_with_retries(mut self, f: &(impl AsFunction + ?Sized), n: u32) -> Delivery {
        self.transform = Some((f.function_name(), Some(n)));
        self
    }

    fn destination(&self, bucket: &str) -> ops::S3DestinationConfiguration {
        let processing = self.transform.as_ref().map(|(f, retries)| {
            let mut parameters = vec![ops::ProcessorParameter {
                parameter_name: "LambdaArn".into(),
                parameter_value: crate::cloud::arn("lambda", &format!("function:{f}")),
            }];
            if let Some(n) = retries {
                parameters.push(ops::ProcessorParameter {
                    parameter_name: "NumberOfRetries".into(),
                    parameter_value: n.to_string(),
                });
            }
            ops::ProcessingConfiguration {
                enabled: Some(true),
                processors: vec![ops::ProcessorConfig {
                    kind: "Lambda".into(),
                    parameters,
                }],
            }
        });
        ops::S3DestinationConfiguration {
            role_arn: format!(
                "arn:aws:iam::{}:role/firehose-delivery",
                crate::cloud::ACCOUNT_ID
            ),
            bucket_arn: format!("arn:aws:s3:::{bucket}"),
            prefix: self.prefix.clone(),
            error_output_prefix: self.error_prefix.clone(),
            buffering_hints: Some(ops::BufferingHints {
                size_in_mbs: self.size_mib,
                interval_in_seconds: self.interval.map(|d| d.as_secs() as u32),
            }),
            compression_format: None,
            processing_configuration: processing,
        }
    }
}

/// The typed face of Firehose, borrowed from a [`Cloud`] by [`Cloud::firehose`].
pub struct Firehose<'a> {
    cloud: &'a mut Cloud,
}

impl Cloud {
    /// Amazon Data Firehose in this account.
    pub fn firehose(&mut self) -> Firehose<'_> {
        Firehose { cloud: self }
    }
}

impl Firehose<'_> {
    fn create(&mut self, input: ops::CreateDeliveryStreamInput) -> CloudResult<DeliveryStream> {
        let name = input.delivery_stream_name.clone();
        ops::create_delivery_stream(self.cloud, input)?;
        let ready = self.cloud.firehose.streams[&name].ready_at;
        self.cloud.advance_to(ready);
        Ok(DeliveryStream::named(&name))
    }

    /// A Firehose stream taking direct PUTs into `bucket`; waits until ACTIVE.
    pub fn create_to_s3(
        &mut self,
        name: &str,
        bucket: &(impl AsBucket + ?Sized),
        delivery: Delivery,
    ) -> CloudResult<DeliveryStream> {
        self.create(ops::CreateDeliveryStreamInput {
            delivery_stream_name: name.to_string(),
            delivery_stream_type: Some("DirectPut".into()),
            extended_s3_destination_configuration: Some(
                delivery.destination(&bucket.bucket_name()),
            ),
            ..Default::default()
        })
    }

    /// A Firehose stream reading Kinesis stream `stream` (from its tip) into `bucket`.
    pub fn create_from_stream(
        &mut self,
        name: &str,
        stream: &(impl AsStream + ?Sized),
        bucket: &(impl AsBucket + ?Sized),
        delivery: Delivery,
    ) -> CloudResult<DeliveryStream> {
        self.create(ops::CreateDeliveryStreamInput {
            delivery_stream_name: name.to_string(),
            delivery_stream_type: Some("KinesisStreamAsSource".into()),
            kinesis_stream_source_configuration: Some(ops::KinesisStreamSourceConfiguration {
                kinesis_stream_arn: crate::kinesis::ops::stream_arn(&stream.stream_name()),
                role_arn: format!(
                    "arn:aws:iam::{}:role/firehose-read",
                    crate::cloud::ACCOUNT_ID
                ),
            }),
            extended_s3_destination_configuration: Some(
                delivery.destination(&bucket.bucket_name()),
            ),
            ..Default::default()
        })
    }

    /// Puts one record (PutRecord); returns its RecordId. Firehose adds no
    /// delimiter: end records with `\n` to get one per line in S3.
    pub fn put(&mut self, stream: &DeliveryStream, data: impl Into<Blob>) -> CloudResult<String> {
        let out = ops::put_record(
            self.cloud,
            ops::PutRecordInput {
                delivery_stream_name: stream.name.clone(),
                record: ops::FirehoseRecord { data: data.into() },
            },
        )?;
        Ok(out["RecordId"].as_str().unwrap_or_default().to_string())
    }

    /// Puts up to 500 records (PutRecordBatch); returns the response.
    pub fn put_batch<D: Into<Blob>>(
        &mut self,
        stream: &DeliveryStream,
        records: impl IntoIterator<Item = D>,
    ) -> CloudResult<Value> {
        ops::put_record_batch(
            self.cloud,
            ops::PutRecordBatchInput {
                delivery_stream_name: stream.name.clone(),
                records: records
                    .into_iter()
                    .map(|d| ops::FirehoseRecord { data: d.into() })
                    .collect(),
            },
        )
    }

    /// DescribeDeliveryStream, as JSON.
    pub fn describe(&mut self, stream: &DeliveryStream) -> CloudResult<Value> {
        ops::describe_delivery_stream(
            self.cloud,
            ops::NameInput {
                delivery_stream_name: stream.name.clone(),
                allow_force_delete: None,
            },
        )
    }

    /// Deletes a Firehose stream (what is buffered is lost).
    pub fn delete(&mut self, stream: &DeliveryStream) -> CloudResult<()> {
        ops::delete_delivery_stream(
            self.cloud,
            ops::NameInput {
                delivery_stream_name: stream.name.clone(),
                allow_force_delete: None,
            },
        )
    }

    /// Counters: records in, objects written, dropped and failed records.
    pub fn stats(&mut self, stream: &DeliveryStream) -> CloudResult<FirehoseStats> {
        Ok(self.state(stream)?.stats)
    }

    /// Keys of the objects delivered so far, oldest first (error objects included).
    pub fn objects(&mut self, stream: &DeliveryStream) -> CloudResult<Vec<String>> {
        Ok(self.state(stream)?.delivered_keys.clone())
    }

    /// Records waiting in the buffer.
    pub fn buffered(&mut self, stream: &DeliveryStream) -> CloudResult<usize> {
        Ok(self.state(stream)?.buffer.len())
    }

    /// The Firehose stream, its buffer and what it delivered, for display.
    pub fn view(&mut self, stream: &DeliveryStream) -> CloudResult<FirehoseView> {
        let now = self.cloud.core.now;
        Ok(FirehoseView::of(self.state(stream)?, now))
    }

    fn state(&mut self, stream: &DeliveryStream) -> CloudResult<&model::DeliveryStreamState> {
        self.cloud
            .firehose
            .streams
            .get(&stream.name)
            .ok_or_else(|| ops::not_found(&stream.name))
    }
}
