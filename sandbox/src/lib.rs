//! # Cloudlab: a simulated AWS account for learning serverless architecture
//!
//! `cloudlab` simulates one AWS account in one region, offline and
//! deterministically: queues (SQS), topics (SNS), functions (Lambda) and more.
//! Learners program it from Jupyter notebooks; graders test solutions
//! against it.
//!
//! ```
//! use cloudlab::prelude::*;
//! # fn main() -> Result<(), CloudError> {
//! let mut cloud = Cloud::new();
//! let orders = cloud.sqs().create_queue("orders")?;
//! cloud.sqs().send(&orders, "order #1")?;
//! let got = cloud.sqs().receive(&orders, Receive::max(10).wait(20.secs()))?;
//! assert_eq!(got.len(), 1);
//! # Ok(()) }
//! ```
//!
//! Two faces, one model: the typed API above (`cloud.sqs()`, `cloud.sns()`,
//! `cloud.lambda()`) and the AWS-shaped API, [`Cloud::call`], with AWS's own
//! operation names, JSON members and error codes. Both run the same code.
//!
//! Time is virtual: it starts at 2026-01-01T00:00:00Z and moves only with
//! [`Cloud::advance`], [`Cloud::run_until_idle`] or operations that wait.

pub mod api;
pub mod apigw;
pub mod attributes;
pub mod bench;
pub mod billing;
pub mod chart;
pub mod cloud;
pub mod cloudwatch;
pub mod diagram;
pub mod error;
pub mod events;
pub mod firehose;
pub mod kinesis;
pub mod lambda;
pub mod logs;
pub mod outside;
pub mod params;
pub mod pattern;
pub mod render;
pub mod replay;
pub mod rng;
pub mod s3;
pub mod scheduler;
pub mod servers;
pub mod sns;
pub mod sqs;
pub mod states;
pub mod targets;
pub mod time;
pub mod trace;
pub mod view;

pub use cloud::Cloud;
pub use error::{CloudError, CloudResult};

/// Everything a notebook cell needs: `use cloudlab::prelude::*;`.
pub mod prelude {
    pub use crate::apigw::{
        ApiKeyRef, ApiRef, ApiRequest, ApiResponse, Authorizer, Endpoint, HttpApi, Load,
        QuotaPeriod, RestApi, Stage, UsagePlan,
    };
    pub use crate::attributes::AttributeValue;
    pub use crate::billing::{Bill, usd};
    pub use crate::cloud::Cloud;
    pub use crate::cloudwatch::{AlarmSpec, AlarmState, Chart, MetricKey};
    pub use crate::error::{CloudError, CloudResult};
    pub use crate::events::{Bus, Event, Rule, RuleRef, Target};
    pub use crate::firehose::{Delivery, DeliveryStream};
    pub use crate::kinesis::{Start, Stream, StreamConsumer, StreamPolling};
    pub use crate::lambda::{
        Ctx, EventSourceMapping, FnError, Function, FunctionRef, HandlerResult, Invocation, Polling,
    };
    pub use crate::logs::LogView;
    pub use crate::outside::HttpRequest;
    pub use crate::s3::{Bucket, List, Notify, Put};
    pub use crate::sns::{Publish, SubscriptionRef, Topic};
    pub use crate::sqs::{Message, MessageState, Msg, Queue, QueueOptions, Receive, Received};
    pub use crate::states::{
        Execution, ExecutionInfo, ExecutionStatus, StateMachine, WorkflowType,
    };
    pub use crate::time::{DurationExt, SimTime};
    pub use serde_json::{Value, json};
    pub use std::time::Duration;
}
