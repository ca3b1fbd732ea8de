//! PutRule, DeleteRule, DescribeRule, ListRules, EnableRule, DisableRule,
//! ListRuleNamesByTarget.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::events::model::{Rule, rule_arn};
use crate::events::quotas::*;
use crate::events::route;
use crate::events::schedule::Schedule;
use crate::pattern::Pattern;

/// PutRule request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleInput {
    /// The rule's name.
    pub name: String,
    /// `rate(...)` or `cron(...)`.
    pub schedule_expression: Option<String>,
    /// The event pattern, as JSON text.
    pub event_pattern: Option<String>,
    /// `ENABLED` (default) or `DISABLED`.
    pub state: Option<String>,
    /// A description.
    pub description: Option<String>,
    /// The role EventBridge would assume (accepted, not checked).
    pub role_arn: Option<String>,
    /// Tags for a new rule.
    #[serde(default)]
    pub tags: Vec<crate::events::ops::buses::Tag>,
    /// The bus (name or ARN); the default bus when absent.
    pub event_bus_name: Option<String>,
}

/// PutRule response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutRuleOutput {
    /// The rule's ARN.
    pub rule_arn: String,
}

/// Parses and checks an EventBridge pattern (InvalidEventPatternException with AWS's reason).
pub(crate) fn check_pattern(text: &str, max: usize) -> CloudResult<Pattern> {
    let invalid = |m: String| CloudError::new("InvalidEventPatternException", m);
    if text.chars().count() > max {
        return Err(invalid(format!(
            "Event pattern is not valid. Reason: the pattern is longer than {max} characters."
        )));
    }
    Pattern::parse(text).map_err(|e| invalid(e.eventbridge_message()))
}

/// PutRule: creates a rule, or replaces an existing rule's pattern, schedule
/// and settings (its targets stay).
pub fn put_rule(cloud: &mut Cloud, input: PutRuleInput) -> CloudResult<PutRuleOutput> {
    check_name(
        "name",
        &input.name,
        MAX_RULE_NAME,
        "[\\.\\-_A-Za-z0-9]+",
        name_char,
    )?;
    let bus = bus_name(input.event_bus_name.as_deref())?;
    if input.event_pattern.is_none() && input.schedule_expression.is_none() {
        return Err(validation(
            "Parameter(s) EventPattern or ScheduleExpression must be specified.",
        ));
    }
    let pattern = match &input.event_pattern {
        Some(p) => Some(check_pattern(p, MAX_PATTERN_CHARS)?),
        None => None,
    };
    let schedule = match &input.schedule_expression {
        Some(s) => {
            let parsed = Schedule::parse(s).map_err(validation)?;
            if bus != "default" {
                return Err(validation(
                    "ScheduleExpression is supported only on the default event bus.",
                ));
            }
            Some((s.clone(), parsed))
        }
        None => None,
    };
    let enabled = match input.state.as_deref() {
        None | Some("ENABLED") => true,
        Some("DISABLED") => false,
        Some(other) => {
            return Err(constraint(
                "state",
                other,
                "satisfy enum value set: [DISABLED, ENABLED]",
            ));
        }
    };
    let now = cloud.core.now;
    let generation = cloud.events.next_generation();
    let b = bus_mut(cloud, &bus)?;
    if !b.rules.contains_key(&input.name) && b.rules.len() >= MAX_RULES_PER_BUS {
        return Err(limit_exceeded());
    }
    let arn = rule_arn(&bus, &input.name);
    let rule = b.rules.entry(input.name.clone()).or_insert_with(|| Rule {
        name: input.name.clone(),
        arn: arn.clone(),
        bus: b.name.clone(),
        pattern: None,
        schedule: None,
        enabled: true,
        description: None,
        role_arn: None,
        targets: Vec::new(),
        created: now,
        generation: 0,
        stats: Default::default(),
    });
    let rescheduled = rule.schedule.as_ref().map(|s| &s.0) != schedule.as_ref().map(|s| &s.0);
    if rescheduled {
        rule.created = now;
    }
    rule.pattern = pattern;
    rule.schedule = schedule;
    rule.enabled = enabled;
    rule.description = input.description;
    rule.role_arn = input.role_arn;
    rule.generation = generation;
    let summary = rule_summary(rule);
    b.refresh(&input.name);
    let bus_name: std::sync::Arc<str> = b.name.clone();
    cloud.core.trace(
        "events",
        &bus_name,
        "put-rule",
        format!("{} {summary}", input.name),
    );
    route::arm_schedule(cloud, &bus, &input.name);
    Ok(PutRuleOutput { rule_arn: arn })
}

/// A rule's trigger in a few words, for traces and views.
pub(crate) fn rule_summary(r: &Rule) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &r.pattern {
        parts.push(p.as_value().to_string());
    }
    if let Some((s, _)) = &r.schedule {
        parts.push(s.clone());
    }
    let mut s = parts.join(" + ");
    if !r.enabled {
        s.push_str(" (disabled)");
    }
    s
}

/// A request naming one rule.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuleNameInput {
    /// The rule's name.
    pub name: String,
    /// The bus (name or ARN); the default bus when absent.
    pub event_bus_name: Option<String>,
    /// DeleteRule: also for managed rules (accepted).
    #[serde(default)]
    pub force: bool,
}

/// DeleteRule: the rule must have no targets left.
pub fn delete_rule(cloud: &mut Cloud, input: RuleNameInput) -> CloudResult<()> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    let b = bus_mut(cloud, &bus)?;
    let Some(rule) = b.rules.get(&input.name) else {
        // Deleting a rule that is not there succeeds, as AWS's does.
        return Ok(());
    };
    if !rule.targets.is_empty() {
        return Err(validation("Rule can't be deleted since it has targets."));
    }
    b.rules.remove(&input.name);
    b.refresh(&input.name);
    let name = b.name.clone();
    cloud.core.trace("events", &name, "delete-rule", input.name);
    Ok(())
}

/// The DescribeRule / ListRules shape of a rule.
fn describe(r: &Rule) -> Value {
    let mut v = json!({
        "Name": r.name,
        "Arn": r.arn,
        "State": if r.enabled { "ENABLED" } else { "DISABLED" },
        "EventBusName": &*r.bus,
    });
    if let Some(p) = &r.pattern {
        v["EventPattern"] = json!(p.text());
    }
    if let Some((s, _)) = &r.schedule {
        v["ScheduleExpression"] = json!(s);
    }
    if let Some(d) = &r.description {
        v["Description"] = json!(d);
    }
    if let Some(role) = &r.role_arn {
        v["RoleArn"] = json!(role);
    }
    v
}

/// DescribeRule.
pub fn describe_rule(cloud: &mut Cloud, input: RuleNameInput) -> CloudResult<Value> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    let r = rule_mut(cloud, &bus, &input.name)?;
    let mut v = describe(r);
    v["CreatedBy"] = json!(crate::cloud::ACCOUNT_ID);
    Ok(v)
}

fn set_enabled(cloud: &mut Cloud, input: RuleNameInput, on: bool) -> CloudResult<()> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    let generation = cloud.events.next_generation();
    let r = rule_mut(cloud, &bus, &input.name)?;
    if r.enabled == on {
        return Ok(());
    }
    r.enabled = on;
    r.generation = generation;
    let bus_arc = r.bus.clone();
    bus_mut(cloud, &bus)?.refresh(&input.name);
    let kind = if on { "enable-rule" } else { "disable-rule" };
    cloud
        .core
        .trace("events", &bus_arc, kind, input.name.clone());
    route::arm_schedule(cloud, &bus, &input.name);
    Ok(())
}

/// EnableRule.
pub fn enable_rule(cloud: &mut Cloud, input: RuleNameInput) -> CloudResult<()> {
    set_enabled(cloud, input, true)
}

/// DisableRule: matching events and schedules stop reaching the targets.
pub fn disable_rule(cloud: &mut Cloud, input: RuleNameInput) -> CloudResult<()> {
    set_enabled(cloud, input, false)
}

/// ListRules request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRulesInput {
    /// Only rules whose names start with this.
    pub name_prefix: Option<String>,
    /// The bus (name or ARN); the default bus when absent.
    pub event_bus_name: Option<String>,
    /// Token from a previous page.
    pub next_token: Option<String>,
    /// Page size, 1-100.
    pub limit: Option<u32>,
}

/// ListRules: the bus's rules by name.
pub fn list_rules(cloud: &mut Cloud, input: ListRulesInput) -> CloudResult<Value> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    let b = bus_mut(cloud, &bus)?;
    let prefix = input.name_prefix.unwrap_or_default();
    let all: Vec<Value> = b
        .rules
        .values()
        .filter(|r| r.name.starts_with(&prefix))
        .map(describe)
        .collect();
    let (rules, next) = page(all, input.next_token.as_deref(), input.limit)?;
    let mut out = json!({ "Rules": rules });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

/// ListRuleNamesByTarget request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRuleNamesByTargetInput {
    /// The target's ARN.
    pub target_arn: String,
    /// The bus (name or ARN); the default bus when absent.
    pub event_bus_name: Option<String>,
    /// Token from a previous page.
    pub next_token: Option<String>,
    /// Page size, 1-100.
    pub limit: Option<u32>,
}

/// ListRuleNamesByTarget: the rules on a bus that send to an ARN.
pub fn list_rule_names_by_target(
    cloud: &mut Cloud,
    input: ListRuleNamesByTargetInput,
) -> CloudResult<Value> {
    let bus = bus_name(input.event_bus_name.as_deref())?;
    let b = bus_mut(cloud, &bus)?;
    let names: Vec<Value> = b
        .rules
        .values()
        .filter(|r| r.targets.iter().any(|t| t.arn == input.target_arn))
        .map(|r| json!(r.name))
        .collect();
    let (names, next) = page(names, input.next_token.as_deref(), input.limit)?;
    let mut out = json!({ "RuleNames": names });
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    Ok(out)
}

/// Tags given as a map, for callers that have one.
pub(crate) fn tag_map(tags: &[crate::events::ops::buses::Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}
