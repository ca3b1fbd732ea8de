//! CreateEventBus, DeleteEventBus, DescribeEventBus, ListEventBuses.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::events::model::Bus;
use crate::events::quotas::*;

/// One tag.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// CreateEventBus request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateEventBusInput {
    /// The bus's name.
    pub name: String,
    /// Partner event source (not simulated).
    pub event_source_name: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// CreateEventBus: a custom bus (the default bus always exists).
pub fn create_event_bus(cloud: &mut Cloud, input: CreateEventBusInput) -> CloudResult<Value> {
    check_name(
        "name",
        &input.name,
        MAX_BUS_NAME,
        "[/\\.\\-_A-Za-z0-9]+",
        bus_char,
    )?;
    if input.name == "default" {
        return Err(validation("'default' is a reserved name for event buses."));
    }
    if input.event_source_name.is_some() || input.name.contains('/') {
        return Err(validation(
            "Partner event buses (names with '/', EventSourceName) are not simulated; choose a name without '/'.",
        ));
    }
    if cloud.events.buses.contains_key(&input.name) {
        return Err(already_exists(format!(
            "Event bus {} already exists.",
            input.name
        )));
    }
    if cloud.events.buses.len() >= MAX_BUSES {
        return Err(limit_exceeded());
    }
    let now = cloud.core.now;
    let mut bus = Bus::new(&input.name, input.description.clone(), now);
    bus.tags = super::rules::tag_map(&input.tags);
    let arn = bus.arn.clone();
    let name = bus.name.clone();
    cloud.events.buses.insert(input.name.clone(), bus);
    cloud.core.trace("events", &name, "create-bus", arn.clone());
    let mut out = json!({ "EventBusArn": arn });
    if let Some(d) = input.description {
        out["Description"] = json!(d);
    }
    Ok(out)
}

/// A request naming a bus.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BusNameInput {
    /// The bus (name or ARN); DescribeEventBus defaults to the default bus.
    pub name: Option<String>,
}

/// DeleteEventBus: a custom bus without rules. Deleting one that is not there succeeds.
pub fn delete_event_bus(cloud: &mut Cloud, input: BusNameInput) -> CloudResult<()> {
    let Some(given) = input.name.as_deref() else {
        return Err(validation("The request must contain the parameter Name."));
    };
    let name = bus_name(Some(given))?;
    if name == "default" {
        return Err(validation("Cannot delete event bus default."));
    }
    let Some(bus) = cloud.events.buses.get(&name) else {
        return Ok(());
    };
    if !bus.rules.is_empty() {
        return Err(validation(format!(
            "Cannot delete event bus {name}: it still has {} rule(s); delete them first.",
            bus.rules.len()
        )));
    }
    let bus = cloud.events.buses.remove(&name).expect("checked");
    cloud.core.trace("events", &bus.name, "delete-bus", bus.arn);
    Ok(())
}

fn describe(b: &Bus) -> Value {
    let mut v = json!({
        "Name": &*b.name,
        "Arn": b.arn,
        "CreationTime": epoch(b.created),
        "LastModifiedTime": epoch(b.modified),
    });
    if let Some(d) = &b.description {
        v["Description"] = json!(d);
    }
    v
}

/// DescribeEventBus.
pub fn describe_event_bus(cloud: &mut Cloud, input: BusNameInput) -> CloudResult<Value> {
    let name = bus_name(input.name.as_deref())?;
    Ok(describe(bus_mut(cloud, &name)?))
}

/// ListEventBuses request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEventBusesInput {
    /// Only buses whose names start with this.
    pub name_prefix: Option<String>,
    /// Token from a previous page.
    pub next_token: Option<String>,
    /// Page size, 1-100.
    pub limit: Option<u32>,
}

/// ListEventBuses.
pub fn list_event_buses(cloud: &mut Cloud, input: ListEventBusesInput) -> CloudResult<Value> {
    let prefix = input.name_prefix.unwrap_or_default();
    let all: Vec<Value> = cloud
        .events
        .buses
        .values()
        .filter(|b| b.name.starts_with(&prefix))
        .map(describe)
        .collect();
    let (buses, next) = page(all, input.next_token.as_deref(), input.limit)?;
    let mut out = json!({ "EventBuses": buses });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}
