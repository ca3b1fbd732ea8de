//! Function management: Create/Get/Update/Delete/List, concurrency,
//! asynchronous invocation config, permissions, tags, account settings.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{function_name, invalid, validation};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::lambda::handler::{BUILTIN_RUNTIME, Handler};
use crate::lambda::model::{EventInvokeConfig, FunctionConfig, FunctionState, FunctionStats};
use crate::lambda::quotas::*;
use crate::lambda::runtime::not_found;
use crate::time::SimTime;

/// Environment variables member.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Environment {
    /// The variables.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// DeadLetterConfig member.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    /// SQS queue or SNS topic ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_arn: Option<String>,
}

/// CreateFunction request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateFunctionInput {
    /// Function name.
    pub function_name: String,
    /// `cloudlab.builtin` (with Handler echo/fail/sleep) or any runtime with a
    /// Handler registered through `cloud.lambda().register_handler`.
    pub runtime: Option<String>,
    /// Execution role ARN (accepted, not enforced).
    #[serde(default)]
    pub role: String,
    /// Built-in or registered handler name.
    pub handler: Option<String>,
    /// Deployment package (accepted and ignored: code is a handler here).
    pub code: Option<Value>,
    /// Description.
    pub description: Option<String>,
    /// Timeout, seconds (1-900).
    pub timeout: Option<u32>,
    /// Memory, MB (128-10,240).
    pub memory_size: Option<u32>,
    /// Environment variables.
    pub environment: Option<Environment>,
    /// Dead-letter queue or topic for failed async events.
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// `["x86_64"]` or `["arm64"]`.
    pub architectures: Option<Vec<String>>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A function's configuration, as every function API returns it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionConfiguration {
    /// Name.
    pub function_name: String,
    /// ARN.
    pub function_arn: String,
    /// Runtime.
    pub runtime: String,
    /// Execution role.
    pub role: String,
    /// Handler.
    pub handler: String,
    /// Size of the deployment package, bytes.
    pub code_size: u64,
    /// Description.
    pub description: String,
    /// Timeout, seconds.
    pub timeout: u32,
    /// Memory, MB.
    pub memory_size: u32,
    /// Last change, `2026-01-01T00:00:00.000+0000`.
    pub last_modified: String,
    /// Hash of the code.
    pub code_sha256: String,
    /// Always `$LATEST` here.
    pub version: String,
    /// Environment variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// Dead-letter target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// Changes with every update.
    pub revision_id: String,
    /// `Active`.
    pub state: String,
    /// `Successful`.
    pub last_update_status: String,
    /// `Zip`.
    pub package_type: String,
    /// Instruction set.
    pub architectures: Vec<String>,
    /// /tmp size.
    pub ephemeral_storage: Value,
}

pub(crate) fn lambda_time(t: SimTime) -> String {
    t.to_jiff()
        .strftime("%Y-%m-%dT%H:%M:%S%.3f+0000")
        .to_string()
}

pub(crate) fn configuration(f: &FunctionState) -> FunctionConfiguration {
    let c = &f.config;
    FunctionConfiguration {
        function_name: f.name.to_string(),
        function_arn: f.arn.clone(),
        runtime: c.handler.runtime().to_string(),
        role: c.role.clone(),
        handler: c.handler.name().to_string(),
        code_size: 1024,
        description: c.description.clone(),
        timeout: c.timeout.as_secs() as u32,
        memory_size: c.memory_mb,
        last_modified: lambda_time(f.last_modified),
        code_sha256: f.code_sha256.clone(),
        version: "$LATEST".into(),
        environment: (!c.environment.is_empty()).then(|| Environment {
            variables: c.environment.clone(),
        }),
        dead_letter_config: c.dead_letter_arn.clone().map(|a| DeadLetterConfig {
            target_arn: Some(a),
        }),
        revision_id: f.revision.clone(),
        state: "Active".into(),
        last_update_status: "Successful".into(),
        package_type: "Zip".into(),
        architectures: vec![c.architecture.clone()],
        ephemeral_storage: json!({"Size": 512}),
    }
}

/// Checks memory, timeout, environment size and architecture.
pub(crate) fn check_config(c: &FunctionConfig) -> CloudResult<()> {
    if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&c.memory_mb) {
        return Err(validation(
            "memorySize",
            c.memory_mb,
            &format!("Member must have value between {MIN_MEMORY_MB} and {MAX_MEMORY_MB}"),
        ));
    }
    let secs = c.timeout.as_secs_f64();
    if !(1.0..=MAX_TIMEOUT_SECS as f64).contains(&secs) {
        return Err(validation(
            "timeout",
            secs,
            &format!("Member must have value between 1 and {MAX_TIMEOUT_SECS}"),
        ));
    }
    let env_bytes: usize = c.environment.iter().map(|(k, v)| k.len() + v.len()).sum();
    if env_bytes > MAX_ENV_BYTES {
        return Err(invalid(format!(
            "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {env_bytes} bytes"
        )));
    }
    for k in c.environment.keys() {
        let ok = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok || k.starts_with("AWS_") {
            return Err(validation(
                "environment.variables",
                k,
                "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+ and not use reserved names (AWS_...)",
            ));
        }
    }
    if !matches!(c.architecture.as_str(), "x86_64" | "arm64") {
        return Err(validation(
            "architectures",
            &c.architecture,
            "Member must satisfy enum value set: [x86_64, arm64]",
        ));
    }
    if let Some(arn) = &c.dead_letter_arn
        && !(arn.starts_with("arn:aws:sqs:") || arn.starts_with("arn:aws:sns:"))
    {
        return Err(invalid(format!(
            "The provided target ARN {arn} is invalid: a dead-letter target must be an SQS queue or SNS topic."
        )));
    }
    Ok(())
}

fn handler_for(
    cloud: &Cloud,
    runtime: Option<&str>,
    handler: Option<&str>,
) -> CloudResult<Handler> {
    let name = handler.unwrap_or("");
    if let Some(h) = cloud.lambda.registered.get(name) {
        return Ok(h.clone());
    }
    match runtime {
        Some(BUILTIN_RUNTIME) | None => Handler::builtin(name).ok_or_else(|| {
            invalid(format!(
                "Unknown handler '{name}' for runtime {BUILTIN_RUNTIME}: use echo, fail or sleep, or register a Rust closure with cloud.lambda().register_handler(\"{name}\", ...)."
            ))
        }),
        Some(other) => Err(invalid(format!(
            "The runtime parameter of {other} is not available in this sandbox, and no handler named '{name}' is registered. Use Runtime {BUILTIN_RUNTIME} with Handler echo, fail or sleep, or register a Rust closure under that handler name."
        ))),
    }
}

/// Adds a function (shared by both faces).
pub(crate) fn create(
    cloud: &mut Cloud,
    name: &str,
    config: FunctionConfig,
    tags: BTreeMap<String, String>,
) -> CloudResult<FunctionConfiguration> {
    super::check_name(name)?;
    check_config(&config)?;
    if cloud.lambda.functions.contains_key(name) {
        return Err(CloudError::new(
            "ResourceConflictException",
            format!("Function already exist: {name}"),
        )
        .with_status(409));
    }
    let now = cloud.core.now;
    let sha = crate::sqs::ops::messages::sha256_hex(&format!("{name}:{}", config.handler.name()));
    let state = FunctionState {
        name: Arc::from(name),
        arn: crate::cloud::arn("lambda", &format!("function:{name}")),
        config,
        last_modified: now,
        code_sha256: base64_of_hex(&sha),
        revision: cloud.core.rng.uuid(),
        tags,
        policy: Vec::new(),
        envs: Vec::new(),
        env_creations: VecDeque::new(),
        async_queue: VecDeque::new(),
        async_scheduled: false,
        stats: FunctionStats::default(),
    };
    let out = configuration(&state);
    let fname = state.name.clone();
    cloud.lambda.functions.insert(name.to_string(), state);
    cloud.core.trace(
        "lambda",
        &fname,
        "create-function",
        format!("{} MB, timeout {} s", out.memory_size, out.timeout),
    );
    Ok(out)
}

fn base64_of_hex(hex: &str) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// CreateFunction.
pub fn create_function(
    cloud: &mut Cloud,
    input: CreateFunctionInput,
) -> CloudResult<FunctionConfiguration> {
    let handler = handler_for(cloud, input.runtime.as_deref(), input.handler.as_deref())?;
    let mut c = FunctionConfig::new(handler);
    if let Some(m) = input.memory_size {
        c.memory_mb = m;
    }
    if let Some(t) = input.timeout {
        c.timeout = Duration::from_secs(t as u64);
    }
    if let Some(e) = input.environment {
        c.environment = e.variables;
    }
    if let Some(d) = input.description {
        c.description = d;
    }
    if !input.role.is_empty() {
        c.role = input.role;
    }
    if let Some(arch) = input.architectures.and_then(|a| a.into_iter().next()) {
        c.architecture = arch;
    }
    c.dead_letter_arn = input.dead_letter_config.and_then(|d| d.target_arn);
    create(cloud, &input.function_name, c, input.tags)
}

/// A request naming one function.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionNameInput {
    /// Name or ARN.
    pub function_name: String,
    /// Version or alias (only `$LATEST` exists here).
    pub qualifier: Option<String>,
}

pub(crate) fn lookup<'c>(cloud: &'c mut Cloud, param: &str) -> CloudResult<&'c mut FunctionState> {
    let name = function_name(param)?;
    cloud
        .lambda
        .functions
        .get_mut(&name)
        .ok_or_else(|| not_found(&name))
}

/// GetFunction response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetFunctionOutput {
    /// The configuration.
    pub configuration: FunctionConfiguration,
    /// Where the code is.
    pub code: Value,
    /// Tags.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Reserved concurrency, if set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Value>,
}

/// GetFunction.
pub fn get_function(cloud: &mut Cloud, input: FunctionNameInput) -> CloudResult<GetFunctionOutput> {
    let f = lookup(cloud, &input.function_name)?;
    Ok(GetFunctionOutput {
        configuration: configuration(f),
        code: json!({"RepositoryType": "S3", "Location": format!("https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/{}/{}", crate::cloud::ACCOUNT_ID, f.name)}),
        tags: f.tags.clone(),
        concurrency: f
            .config
            .reserved_concurrency
            .map(|r| json!({"ReservedConcurrentExecutions": r})),
    })
}

/// GetFunctionConfiguration.
pub fn get_function_configuration(
    cloud: &mut Cloud,
    input: FunctionNameInput,
) -> CloudResult<FunctionConfiguration> {
    Ok(configuration(lookup(cloud, &input.function_name)?))
}

/// UpdateFunctionConfiguration request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateFunctionConfigurationInput {
    /// Name or ARN.
    pub function_name: String,
    /// New timeout.
    pub timeout: Option<u32>,
    /// New memory.
    pub memory_size: Option<u32>,
    /// New environment (replaces the old).
    pub environment: Option<Environment>,
    /// New description.
    pub description: Option<String>,
    /// New role.
    pub role: Option<String>,
    /// New handler (built-in or registered).
    pub handler: Option<String>,
    /// New runtime.
    pub runtime: Option<String>,
    /// New dead-letter target (empty TargetArn removes it).
    pub dead_letter_config: Option<DeadLetterConfig>,
}

/// Resets a function's environments (new code or configuration: cold starts next).
fn reset(cloud: &mut Cloud, name: &str, why: &str) {
    let now = cloud.core.now;
    let revision = cloud.core.rng.uuid();
    if let Some(f) = cloud.lambda.functions.get_mut(name) {
        f.envs.retain(|e| e.busy_until > now);
        f.last_modified = now;
        f.revision = revision;
        let fname = f.name.clone();
        cloud
            .core
            .trace("lambda", &fname, "update", why.to_string());
    }
}

/// UpdateFunctionConfiguration: changes settings; warm environments are replaced.
pub fn update_function_configuration(
    cloud: &mut Cloud,
    input: UpdateFunctionConfigurationInput,
) -> CloudResult<FunctionConfiguration> {
    let handler = match &input.handler {
        Some(h) => Some(handler_for(cloud, input.runtime.as_deref(), Some(h))?),
        None => None,
    };
    let f = lookup(cloud, &input.function_name)?;
    let mut c = f.config.clone();
    if let Some(h) = handler {
        c.handler = h;
    }
    if let Some(t) = input.timeout {
        c.timeout = Duration::from_secs(t as u64);
    }
    if let Some(m) = input.memory_size {
        c.memory_mb = m;
    }
    if let Some(e) = input.environment {
        c.environment = e.variables;
    }
    if let Some(d) = input.description {
        c.description = d;
    }
    if let Some(r) = input.role {
        c.role = r;
    }
    if let Some(d) = input.dead_letter_config {
        c.dead_letter_arn = d.target_arn.filter(|a| !a.is_empty());
    }
    check_config(&c)?;
    f.config = c;
    let name = f.name.to_string();
    reset(
        cloud,
        &name,
        "configuration updated: new environments from now on",
    );
    Ok(configuration(&cloud.lambda.functions[&name]))
}

/// UpdateFunctionCode request (code is not uploaded here; a new revision starts cold).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateFunctionCodeInput {
    /// Name or ARN.
    pub function_name: String,
    /// Ignored.
    pub zip_file: Option<String>,
}

/// UpdateFunctionCode: a new deployment; warm environments are replaced.
pub fn update_function_code(
    cloud: &mut Cloud,
    input: UpdateFunctionCodeInput,
) -> CloudResult<FunctionConfiguration> {
    let name = lookup(cloud, &input.function_name)?.name.to_string();
    reset(cloud, &name, "code deployed: new environments from now on");
    let f = cloud.lambda.functions.get_mut(&name).expect("looked up");
    f.code_sha256 = base64_of_hex(&crate::sqs::ops::messages::sha256_hex(&f.revision));
    Ok(configuration(f))
}

/// DeleteFunction.
pub fn delete_function(cloud: &mut Cloud, input: FunctionNameInput) -> CloudResult<()> {
    let name = lookup(cloud, &input.function_name)?.name.clone();
    cloud.lambda.functions.remove(&*name);
    cloud.lambda.mappings.retain(|_, m| m.function != *name);
    cloud
        .core
        .trace("lambda", &name, "delete-function", String::new());
    Ok(())
}

/// ListFunctions request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListFunctionsInput {
    /// Token from a previous page.
    pub marker: Option<String>,
    /// Page size (1-50).
    pub max_items: Option<usize>,
}

/// ListFunctions response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListFunctionsOutput {
    /// The functions, by name.
    pub functions: Vec<FunctionConfiguration>,
    /// Present when there are more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
}

/// ListFunctions.
pub fn list_functions(
    cloud: &mut Cloud,
    input: ListFunctionsInput,
) -> CloudResult<ListFunctionsOutput> {
    let all: Vec<FunctionConfiguration> =
        cloud.lambda.functions.values().map(configuration).collect();
    let max = input.max_items.unwrap_or(50);
    if !(1..=10_000).contains(&max) {
        return Err(validation(
            "maxItems",
            max,
            "Member must have value between 1 and 10000",
        ));
    }
    let (page, next) =
        crate::sqs::ops::queues::paginate(&all, Some(max.min(1000)), input.marker.as_deref())
            .map_err(|e| invalid(e.message))?;
    Ok(ListFunctionsOutput {
        functions: page.to_vec(),
        next_marker: next,
    })
}

/// PutFunctionConcurrency request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutFunctionConcurrencyInput {
    /// Name or ARN.
    pub function_name: String,
    /// Reserved concurrent executions (0 stops all invocations).
    pub reserved_concurrent_executions: u32,
}

/// Reserved concurrency of a function.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConcurrencyOutput {
    /// Reserved concurrent executions (absent when none is reserved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reserved_concurrent_executions: Option<u32>,
}

/// PutFunctionConcurrency: reserves concurrency (and caps it).
pub fn put_function_concurrency(
    cloud: &mut Cloud,
    input: PutFunctionConcurrencyInput,
) -> CloudResult<ConcurrencyOutput> {
    let name = lookup(cloud, &input.function_name)?.name.to_string();
    let others: u32 = cloud
        .lambda
        .functions
        .values()
        .filter(|f| *f.name != *name)
        .filter_map(|f| f.config.reserved_concurrency)
        .sum();
    if others + input.reserved_concurrent_executions
        > ACCOUNT_CONCURRENCY - MIN_UNRESERVED_CONCURRENCY
    {
        return Err(invalid(format!(
            "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED_CONCURRENCY}]."
        )));
    }
    let f = cloud.lambda.functions.get_mut(&name).expect("looked up");
    f.config.reserved_concurrency = Some(input.reserved_concurrent_executions);
    Ok(ConcurrencyOutput {
        reserved_concurrent_executions: Some(input.reserved_concurrent_executions),
    })
}

/// GetFunctionConcurrency.
pub fn get_function_concurrency(
    cloud: &mut Cloud,
    input: FunctionNameInput,
) -> CloudResult<ConcurrencyOutput> {
    let f = lookup(cloud, &input.function_name)?;
    Ok(ConcurrencyOutput {
        reserved_concurrent_executions: f.config.reserved_concurrency,
    })
}

/// DeleteFunctionConcurrency.
pub fn delete_function_concurrency(cloud: &mut Cloud, input: FunctionNameInput) -> CloudResult<()> {
    lookup(cloud, &input.function_name)?
        .config
        .reserved_concurrency = None;
    Ok(())
}

/// One destination.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Destination {
    /// Target ARN.
    pub destination: Option<String>,
}

/// DestinationConfig member.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct DestinationConfig {
    /// For successful invocations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<Destination>,
    /// For failed or expired events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<Destination>,
}

/// Put/UpdateFunctionEventInvokeConfig request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventInvokeConfigInput {
    /// Name or ARN.
    pub function_name: String,
    /// Retries after errors (0-2).
    pub maximum_retry_attempts: Option<u32>,
    /// Maximum event age, seconds (60-21,600).
    pub maximum_event_age_in_seconds: Option<u32>,
    /// Destinations.
    pub destination_config: Option<DestinationConfig>,
}

/// FunctionEventInvokeConfig response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventInvokeConfigOutput {
    /// Last change, epoch seconds.
    pub last_modified: f64,
    /// The function.
    pub function_arn: String,
    /// Retries.
    pub maximum_retry_attempts: u32,
    /// Maximum event age.
    pub maximum_event_age_in_seconds: u32,
    /// Destinations.
    pub destination_config: DestinationConfig,
}

fn event_invoke_output(cloud: &Cloud, name: &str) -> EventInvokeConfigOutput {
    let f = &cloud.lambda.functions[name];
    let c = &f.config.event_invoke;
    let dest = |d: &Option<String>| {
        d.clone().map(|a| Destination {
            destination: Some(a),
        })
    };
    EventInvokeConfigOutput {
        last_modified: cloud.core.now.unix_secs_f64(),
        function_arn: format!("{}:$LATEST", f.arn),
        maximum_retry_attempts: c.maximum_retry_attempts,
        maximum_event_age_in_seconds: c.maximum_event_age_seconds,
        destination_config: DestinationConfig {
            on_success: dest(&c.on_success),
            on_failure: dest(&c.on_failure),
        },
    }
}

fn apply_event_invoke(
    cloud: &mut Cloud,
    input: EventInvokeConfigInput,
    replace: bool,
) -> CloudResult<EventInvokeConfigOutput> {
    if let Some(r) = input.maximum_retry_attempts
        && r > MAX_ASYNC_RETRIES
    {
        return Err(validation(
            "maximumRetryAttempts",
            r,
            "Member must have value less than or equal to 2",
        ));
    }
    if let Some(a) = input.maximum_event_age_in_seconds
        && !(MIN_EVENT_AGE_SECS..=MAX_EVENT_AGE_SECS).contains(&a)
    {
        return Err(validation(
            "maximumEventAgeInSeconds",
            a,
            "Member must have value between 60 and 21600",
        ));
    }
    let dests = input.destination_config.unwrap_or_default();
    for d in [&dests.on_success, &dests.on_failure].into_iter().flatten() {
        if let Some(arn) = &d.destination
            && !crate::targets::exists(cloud, arn)
        {
            return Err(invalid(format!(
                "The destination ARN {arn} is invalid or does not exist."
            )));
        }
    }
    let f = lookup(cloud, &input.function_name)?;
    let base = if replace {
        EventInvokeConfig::default()
    } else {
        f.config.event_invoke.clone()
    };
    let mut c = base;
    if let Some(r) = input.maximum_retry_attempts {
        c.maximum_retry_attempts = r;
    }
    if let Some(a) = input.maximum_event_age_in_seconds {
        c.maximum_event_age_seconds = a;
    }
    if replace || dests.on_success.is_some() {
        c.on_success = dests.on_success.and_then(|d| d.destination);
    }
    if replace || dests.on_failure.is_some() {
        c.on_failure = dests.on_failure.and_then(|d| d.destination);
    }
    f.config.event_invoke = c;
    let name = f.name.to_string();
    Ok(event_invoke_output(cloud, &name))
}

/// PutFunctionEventInvokeConfig: replaces the async settings.
pub fn put_function_event_invoke_config(
    cloud: &mut Cloud,
    input: EventInvokeConfigInput,
) -> CloudResult<EventInvokeConfigOutput> {
    apply_event_invoke(cloud, input, true)
}

/// UpdateFunctionEventInvokeConfig: changes only the given async settings.
pub fn update_function_event_invoke_config(
    cloud: &mut Cloud,
    input: EventInvokeConfigInput,
) -> CloudResult<EventInvokeConfigOutput> {
    apply_event_invoke(cloud, input, false)
}

/// GetFunctionEventInvokeConfig.
pub fn get_function_event_invoke_config(
    cloud: &mut Cloud,
    input: FunctionNameInput,
) -> CloudResult<EventInvokeConfigOutput> {
    let name = lookup(cloud, &input.function_name)?.name.to_string();
    Ok(event_invoke_output(cloud, &name))
}

/// DeleteFunctionEventInvokeConfig: back to defaults.
pub fn delete_function_event_invoke_config(
    cloud: &mut Cloud,
    input: FunctionNameInput,
) -> CloudResult<()> {
    lookup(cloud, &input.function_name)?.config.event_invoke = EventInvokeConfig::default();
    Ok(())
}

/// AddPermission request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AddPermissionInput {
    /// Name or ARN.
    pub function_name: String,
    /// Statement id.
    pub statement_id: String,
    /// `lambda:InvokeFunction`.
    pub action: String,
    /// Service or account principal.
    pub principal: String,
    /// Restrict to this source.
    pub source_arn: Option<String>,
}

/// AddPermission: adds a statement to the function's resource policy.
pub fn add_permission(cloud: &mut Cloud, input: AddPermissionInput) -> CloudResult<Value> {
    let f = lookup(cloud, &input.function_name)?;
    if f.policy
        .iter()
        .any(|s| s["Sid"] == input.statement_id.as_str())
    {
        return Err(CloudError::new(
            "ResourceConflictException",
            format!("The statement id ({}) provided already exists. Please provide a new statement id, or remove the existing statement.", input.statement_id),
        )
        .with_status(409));
    }
    let mut statement = json!({
        "Sid": input.statement_id,
        "Effect": "Allow",
        "Principal": {"Service": input.principal},
        "Action": input.action,
        "Resource": f.arn,
    });
    if let Some(src) = input.source_arn {
        statement["Condition"] = json!({"ArnLike": {"AWS:SourceArn": src}});
    }
    f.policy.push(statement.clone());
    Ok(json!({ "Statement": statement.to_string() }))
}

/// RemovePermission request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RemovePermissionInput {
    /// Name or ARN.
    pub function_name: String,
    /// Statement id.
    pub statement_id: String,
}

/// RemovePermission.
pub fn remove_permission(cloud: &mut Cloud, input: RemovePermissionInput) -> CloudResult<()> {
    let f = lookup(cloud, &input.function_name)?;
    let before = f.policy.len();
    f.policy.retain(|s| s["Sid"] != input.statement_id.as_str());
    if f.policy.len() == before {
        return Err(CloudError::new(
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
        )
        .with_status(404));
    }
    Ok(())
}

/// GetPolicy.
pub fn get_policy(cloud: &mut Cloud, input: FunctionNameInput) -> CloudResult<Value> {
    let f = lookup(cloud, &input.function_name)?;
    if f.policy.is_empty() {
        return Err(CloudError::new(
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
        )
        .with_status(404));
    }
    let policy = json!({"Version": "2012-10-17", "Id": "default", "Statement": f.policy});
    Ok(json!({"Policy": policy.to_string(), "RevisionId": f.revision}))
}

/// GetAccountSettings.
pub fn get_account_settings(cloud: &mut Cloud) -> CloudResult<Value> {
    let reserved: u32 = cloud
        .lambda
        .functions
        .values()
        .filter_map(|f| f.config.reserved_concurrency)
        .sum();
    Ok(json!({
        "AccountLimit": {
            "TotalCodeSize": 80_530_636_800u64,
            "CodeSizeUnzipped": 262_144_000u64,
            "CodeSizeZipped": 52_428_800u64,
            "ConcurrentExecutions": ACCOUNT_CONCURRENCY,
            "UnreservedConcurrentExecutions": ACCOUNT_CONCURRENCY - reserved,
        },
        "AccountUsage": {
            "TotalCodeSize": 1024 * cloud.lambda.functions.len(),
            "FunctionCount": cloud.lambda.functions.len(),
        }
    }))
}

/// TagResource request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    /// The function's ARN.
    pub resource: String,
    /// Tags to add.
    pub tags: BTreeMap<String, String>,
}

/// TagResource.
pub fn tag_resource(cloud: &mut Cloud, input: TagResourceInput) -> CloudResult<()> {
    lookup(cloud, &input.resource)?.tags.extend(input.tags);
    Ok(())
}

/// UntagResource request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    /// The function's ARN.
    pub resource: String,
    /// Keys to remove.
    pub tag_keys: Vec<String>,
}

/// UntagResource.
pub fn untag_resource(cloud: &mut Cloud, input: UntagResourceInput) -> CloudResult<()> {
    let f = lookup(cloud, &input.resource)?;
    for k in &input.tag_keys {
        f.tags.remove(k);
    }
    Ok(())
}

/// ListTags request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsInput {
    /// The function's ARN.
    pub resource: String,
}

/// ListTags.
pub fn list_tags(cloud: &mut Cloud, input: ListTagsInput) -> CloudResult<Value> {
    Ok(json!({"Tags": lookup(cloud, &input.resource)?.tags}))
}
