//! Bucket actions: CreateBucket, DeleteBucket, HeadBucket, ListBuckets.

use serde::{Deserialize, Serialize};

use super::{TIER1, TIER2, bill, bucket, invalid, stored, trace};
use crate::cloud::{Cloud, REGION};
use crate::error::{CloudError, CloudResult};
use crate::s3::events::OWNER_ID;
use crate::s3::model::BucketState;
use crate::s3::names::check_bucket_name;
use crate::s3::quotas::MAX_BUCKETS;
use crate::time::SimTime;

/// A request naming one bucket.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketInput {
    /// Bucket name.
    pub bucket: String,
}

/// `CreateBucketConfiguration` of CreateBucket.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBucketConfiguration {
    /// The Region; leave it out for us-east-1 (AWS refuses `us-east-1` here).
    pub location_constraint: Option<String>,
}

/// CreateBucket request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBucketInput {
    /// Bucket name (globally unique on AWS; 3-63 lowercase characters).
    pub bucket: String,
    /// Where to create it.
    pub create_bucket_configuration: Option<CreateBucketConfiguration>,
}

/// CreateBucket response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBucketOutput {
    /// `/<name>`.
    pub location: String,
}

/// CreateBucket. In us-east-1 creating a bucket you already own succeeds
/// again (AWS's legacy behaviour there; other Regions answer
/// `BucketAlreadyOwnedByYou`).
pub fn create_bucket(
    cloud: &mut Cloud,
    input: CreateBucketInput,
) -> CloudResult<CreateBucketOutput> {
    check_bucket_name(&input.bucket)?;
    if let Some(loc) = input
        .create_bucket_configuration
        .as_ref()
        .and_then(|c| c.location_constraint.as_deref())
    {
        if loc == REGION {
            return Err(CloudError::new(
                "InvalidLocationConstraint",
                "The specified location-constraint is not valid: us-east-1 is the default; leave CreateBucketConfiguration out.",
            ));
        }
        return Err(CloudError::new(
            "IllegalLocationConstraintException",
            format!(
                "The {loc} location constraint is incompatible for the region specific endpoint this request was sent to ({REGION})."
            ),
        ));
    }
    bill(cloud, TIER1);
    let location = format!("/{}", input.bucket);
    if cloud.s3.buckets.contains_key(input.bucket.as_str()) {
        return Ok(CreateBucketOutput { location });
    }
    if cloud.s3.buckets.len() >= MAX_BUCKETS {
        return Err(CloudError::new(
            "TooManyBuckets",
            format!("You have attempted to create more buckets than allowed ({MAX_BUCKETS})."),
        ));
    }
    let now = cloud.core.now;
    let b = BucketState::new(&input.bucket, now);
    cloud.s3.buckets.insert(b.name.clone(), b);
    trace(cloud, &input.bucket, "create-bucket", location.clone());
    Ok(CreateBucketOutput { location })
}

/// DeleteBucket: only an empty bucket can be deleted.
pub fn delete_bucket(cloud: &mut Cloud, input: BucketInput) -> CloudResult<()> {
    let b = bucket(cloud, &input.bucket)?;
    if !b.objects.is_empty() {
        return Err(CloudError::new(
            "BucketNotEmpty",
            format!(
                "The bucket you tried to delete is not empty ({} holds {} objects).",
                input.bucket,
                b.objects.len()
            ),
        )
        .with_status(409));
    }
    let removed = cloud.s3.buckets.remove(input.bucket.as_str());
    if let Some(b) = removed {
        stored(cloud, b.bytes, 0);
    }
    trace(cloud, &input.bucket, "delete-bucket", String::new());
    Ok(())
}

/// HeadBucket: succeeds when the bucket exists (404 `NotFound` otherwise).
pub fn head_bucket(cloud: &mut Cloud, input: BucketInput) -> CloudResult<HeadBucketOutput> {
    bill(cloud, TIER2);
    if !cloud.s3.buckets.contains_key(input.bucket.as_str()) {
        return Err(CloudError::new("NotFound", "Not Found").with_status(404));
    }
    Ok(HeadBucketOutput {
        bucket_region: REGION.to_string(),
    })
}

/// HeadBucket response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HeadBucketOutput {
    /// The bucket's Region.
    pub bucket_region: String,
}

/// One bucket in ListBuckets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketSummary {
    /// Name.
    pub name: String,
    /// When it was created.
    pub creation_date: SimTime,
    /// Its Region.
    pub bucket_region: String,
}

/// The account's canonical owner.
#[derive(Clone, Debug, Serialize)]
pub struct Owner {
    /// Display name.
    #[serde(rename = "DisplayName")]
    pub display_name: String,
    /// Canonical id.
    #[serde(rename = "ID")]
    pub id: String,
}

/// ListBuckets response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListBucketsOutput {
    /// Buckets, by name.
    pub buckets: Vec<BucketSummary>,
    /// The owner.
    pub owner: Owner,
}

/// ListBuckets request (all members optional).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListBucketsInput {
    /// Only names starting with this.
    pub prefix: Option<String>,
}

/// ListBuckets.
pub fn list_buckets(cloud: &mut Cloud, input: ListBucketsInput) -> CloudResult<ListBucketsOutput> {
    bill(cloud, TIER1);
    let prefix = input.prefix.unwrap_or_default();
    if prefix.len() > 63 {
        return Err(invalid("Prefix is longer than any bucket name can be."));
    }
    Ok(ListBucketsOutput {
        buckets: cloud
            .s3
            .buckets
            .values()
            .filter(|b| b.name.starts_with(&prefix))
            .map(|b| BucketSummary {
                name: b.name.to_string(),
                creation_date: b.created,
                bucket_region: REGION.to_string(),
            })
            .collect(),
        owner: Owner {
            display_name: "cloudlab".into(),
            id: OWNER_ID.into(),
        },
    })
}
