//! Dead-letter queue redrive: StartMessageMoveTask, CancelMessageMoveTask and
//! ListMessageMoveTasks. A task moves messages back out of a DLQ at a rate,
//! in virtual time, one tick per second.

use serde::{Deserialize, Serialize};

use super::{bill, invalid, name_from_arn};
use crate::cloud::Cloud;
use crate::error::{CloudError, CloudResult};
use crate::sqs::model::MessageState;
use crate::sqs::quotas::{DEFAULT_MOVE_RATE, MAX_MOVE_RATE};
use crate::time::{DurationExt, SimTime};

/// Status of a move task, as AWS spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MoveStatus {
    /// Moving.
    Running,
    /// Everything it set out to move has moved.
    Completed,
    /// Cancelled by CancelMessageMoveTask.
    Cancelled,
    /// Stopped by an error.
    Failed,
}

#[derive(Clone, Debug)]
pub(crate) struct MoveTask {
    pub handle: String,
    pub source: String,
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub rate: u32,
    pub status: MoveStatus,
    pub moved: u64,
    pub to_move: u64,
    pub started: SimTime,
    pub failure: Option<String>,
}

/// StartMessageMoveTask request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartMessageMoveTaskInput {
    /// ARN of the dead-letter queue to move messages out of.
    pub source_arn: String,
    /// Where to move them (default: each message's original source queue).
    pub destination_arn: Option<String>,
    /// Messages per second (1-500).
    pub max_number_of_messages_per_second: Option<u32>,
}

/// StartMessageMoveTask response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartMessageMoveTaskOutput {
    /// Identifies the task for CancelMessageMoveTask.
    pub task_handle: String,
}

/// StartMessageMoveTask: starts moving messages out of a dead-letter queue.
pub fn start_message_move_task(
    cloud: &mut Cloud,
    input: StartMessageMoveTaskInput,
) -> CloudResult<StartMessageMoveTaskOutput> {
    let source = name_from_arn(&input.source_arn)?;
    if !cloud.sqs.queues.contains_key(source.as_str()) {
        return Err(CloudError::new(
            "ResourceNotFoundException",
            format!("The resource {} does not exist.", input.source_arn),
        ));
    }
    let is_dlq = cloud.sqs.queues.values().any(|q| {
        q.config
            .redrive_policy
            .as_ref()
            .is_some_and(|r| r.dead_letter_target_arn == input.source_arn)
    });
    if !is_dlq {
        return Err(invalid(format!(
            "Source queue {source} must be configured as a Dead Letter Queue."
        )));
    }
    if let Some(dest) = &input.destination_arn {
        let d = name_from_arn(dest)?;
        if !cloud.sqs.queues.contains_key(d.as_str()) {
            return Err(CloudError::new(
                "ResourceNotFoundException",
                format!("The resource {dest} does not exist."),
            ));
        }
    }
    let rate = input
        .max_number_of_messages_per_second
        .unwrap_or(DEFAULT_MOVE_RATE);
    if !(1..=MAX_MOVE_RATE).contains(&rate) {
        return Err(invalid(format!(
            "Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be between 1 and {MAX_MOVE_RATE}."
        )));
    }
    if cloud
        .sqs
        .move_tasks
        .iter()
        .any(|t| t.source == source && t.status == MoveStatus::Running)
    {
        return Err(CloudError::new(
            "UnsupportedOperation",
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
        ));
    }
    let to_move = cloud.sqs.queues[source.as_str()].messages.len() as u64;
    let handle = format!("CLMT{}", cloud.core.rng.hex(32));
    cloud.sqs.move_tasks.push(MoveTask {
        handle: handle.clone(),
        source: source.clone(),
        source_arn: input.source_arn.clone(),
        destination_arn: input.destination_arn,
        rate,
        status: MoveStatus::Running,
        moved: 0,
        to_move,
        started: cloud.core.now,
        failure: None,
    });
    let name = cloud.sqs.queues[source.as_str()].name.clone();
    cloud.core.trace(
        "sqs",
        &name,
        "move-task",
        format!("started: {to_move} messages at up to {rate}/s"),
    );
    let h = handle.clone();
    cloud.schedule(0.secs(), "sqs.move-task", move |c| tick(c, h));
    bill(cloud, false, 0);
    Ok(StartMessageMoveTaskOutput {
        task_handle: handle,
    })
}

/// Moves up to `rate` messages, then schedules the next tick a second later.
fn tick(cloud: &mut Cloud, handle: String) {
    let Some(i) = cloud.sqs.move_tasks.iter().position(|t| t.handle == handle) else {
        return;
    };
    let task = cloud.sqs.move_tasks[i].clone();
    if task.status != MoveStatus::Running {
        return;
    }
    let now = cloud.core.now;
    let Some(q) = cloud.sqs.queues.get_mut(task.source.as_str()) else {
        let t = &mut cloud.sqs.move_tasks[i];
        t.status = MoveStatus::Failed;
        t.failure = Some("The source queue was deleted.".into());
        return;
    };
    let budget = (task.rate as u64).min(task.to_move - task.moved) as usize;
    let picked: Vec<u64> = q
        .ordered()
        .into_iter()
        .filter(|m| m.state(now) == MessageState::Visible)
        .take(budget)
        .map(|m| m.seq)
        .collect();
    let mut moving = Vec::new();
    for seq in picked {
        if let Some(m) = q.remove(seq) {
            q.stats.moved_out += 1;
            moving.push(m);
        }
    }
    let qname = q.name.clone();
    let left_in_queue = q.messages.len();
    let mut moved = 0;
    for m in moving {
        let dest = task
            .destination_arn
            .clone()
            .or_else(|| m.dead_letter_source.clone())
            .and_then(|arn| name_from_arn(&arn).ok())
            .filter(|n| cloud.sqs.queues.contains_key(n.as_str()));
        match dest {
            Some(dest) => {
                cloud.core.trace(
                    "sqs",
                    &qname,
                    "redrive",
                    format!("MessageId={} -> {dest}", m.message_id),
                );
                super::messages::move_in(cloud, &dest, m, None);
                moved += 1;
            }
            None => {
                // Nowhere to go: put it back and fail the task, as AWS does.
                super::messages::move_in(cloud, &task.source, m, None);
                let t = &mut cloud.sqs.move_tasks[i];
                t.status = MoveStatus::Failed;
                t.failure = Some("The destination queue does not exist.".into());
                return;
            }
        }
    }
    let t = &mut cloud.sqs.move_tasks[i];
    t.moved += moved;
    if t.moved >= t.to_move || left_in_queue == 0 {
        t.status = MoveStatus::Completed;
        let done = t.moved;
        cloud.core.trace(
            "sqs",
            &qname,
            "move-task",
            format!("completed: {done} moved"),
        );
    } else {
        cloud.schedule(1.secs(), "sqs.move-task", move |c| tick(c, handle));
    }
}

/// CancelMessageMoveTask request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelMessageMoveTaskInput {
    /// The handle StartMessageMoveTask returned.
    pub task_handle: String,
}

/// CancelMessageMoveTask response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelMessageMoveTaskOutput {
    /// Messages moved before the cancel.
    pub approximate_number_of_messages_moved: u64,
}

/// CancelMessageMoveTask: stops a running move task.
pub fn cancel_message_move_task(
    cloud: &mut Cloud,
    input: CancelMessageMoveTaskInput,
) -> CloudResult<CancelMessageMoveTaskOutput> {
    let task = cloud
        .sqs
        .move_tasks
        .iter_mut()
        .find(|t| t.handle == input.task_handle && t.status == MoveStatus::Running)
        .ok_or_else(|| {
            CloudError::new(
                "ResourceNotFoundException",
                "The task handle does not name a running message move task.",
            )
        })?;
    task.status = MoveStatus::Cancelled;
    let moved = task.moved;
    bill(cloud, false, 0);
    Ok(CancelMessageMoveTaskOutput {
        approximate_number_of_messages_moved: moved,
    })
}

/// ListMessageMoveTasks request.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMessageMoveTasksInput {
    /// The dead-letter queue's ARN.
    pub source_arn: String,
    /// 1-10 (default 1).
    pub max_results: Option<usize>,
}

/// One task in ListMessageMoveTasks.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MoveTaskResult {
    /// Present while the task runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_handle: Option<String>,
    /// RUNNING, COMPLETED, CANCELLED or FAILED.
    pub status: MoveStatus,
    /// The dead-letter queue.
    pub source_arn: String,
    /// Explicit destination, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_arn: Option<String>,
    /// Rate limit.
    pub max_number_of_messages_per_second: u32,
    /// Moved so far.
    pub approximate_number_of_messages_moved: u64,
    /// Messages it set out to move.
    pub approximate_number_of_messages_to_move: u64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// Start time, epoch milliseconds.
    pub started_timestamp: u64,
}

/// ListMessageMoveTasks response.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMessageMoveTasksOutput {
    /// Most recent first.
    pub results: Vec<MoveTaskResult>,
}

/// ListMessageMoveTasks: the most recent move tasks of a dead-letter queue.
pub fn list_message_move_tasks(
    cloud: &mut Cloud,
    input: ListMessageMoveTasksInput,
) -> CloudResult<ListMessageMoveTasksOutput> {
    let source = name_from_arn(&input.source_arn)?;
    if !cloud.sqs.queues.contains_key(source.as_str()) {
        return Err(CloudError::new(
            "ResourceNotFoundException",
            format!("The resource {} does not exist.", input.source_arn),
        ));
    }
    let max = input.max_results.unwrap_or(1);
    if !(1..=10).contains(&max) {
        return Err(invalid(format!(
            "Value {max} for parameter MaxResults is invalid. Reason: must be between 1 and 10."
        )));
    }
    let results = cloud
        .sqs
        .move_tasks
        .iter()
        .rev()
        .filter(|t| t.source == source)
        .take(max)
        .map(|t| MoveTaskResult {
            task_handle: (t.status == MoveStatus::Running).then(|| t.handle.clone()),
            status: t.status,
            source_arn: t.source_arn.clone(),
            destination_arn: t.destination_arn.clone(),
            max_number_of_messages_per_second: t.rate,
            approximate_number_of_messages_moved: t.moved,
            approximate_number_of_messages_to_move: t.to_move,
            failure_reason: t.failure.clone(),
            started_timestamp: t.started.unix_millis(),
        })
        .collect();
    bill(cloud, false, 0);
    Ok(ListMessageMoveTasksOutput { results })
}
