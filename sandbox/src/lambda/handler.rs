//! Function code: Rust closures and the built-in handlers replay scripts use,
//! and the error a handler returns.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::ctx::Ctx;
use crate::error::CloudError;

/// What a handler returns: the response payload or an error.
pub type HandlerResult = Result<Value, FnError>;

/// A handler closure: the event and the invocation context in, a result out.
pub type HandlerFn = dyn Fn(Value, &mut Ctx<'_>) -> HandlerResult + Send + Sync;

/// An error a function raises, as Lambda reports it (`errorType`, `errorMessage`).
///
/// `?` converts sandbox errors (their code becomes the type) and strings:
///
/// ```
/// use cloudlab::lambda::FnError;
/// let e: FnError = "card declined".into();
/// assert_eq!(e.error_type, "Error");
/// let e = FnError::new("PaymentError", "card declined");
/// assert_eq!(e.to_json()["errorType"], "PaymentError");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnError {
    /// The error's type name (`errorType`).
    pub error_type: String,
    /// The message (`errorMessage`).
    pub error_message: String,
}

impl FnError {
    /// An error of type `error_type`.
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> FnError {
        FnError {
            error_type: error_type.into(),
            error_message: message.into(),
        }
    }

    /// The error as Lambda's response payload.
    pub fn to_json(&self) -> Value {
        json!({ "errorType": self.error_type, "errorMessage": self.error_message })
    }
}

impl fmt::Display for FnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.error_message)
    }
}

impl From<&str> for FnError {
    fn from(message: &str) -> FnError {
        FnError::new("Error", message)
    }
}

impl From<String> for FnError {
    fn from(message: String) -> FnError {
        FnError::new("Error", message)
    }
}

impl From<CloudError> for FnError {
    fn from(e: CloudError) -> FnError {
        FnError::new(e.code, e.message)
    }
}

impl From<serde_json::Error> for FnError {
    fn from(e: serde_json::Error) -> FnError {
        FnError::new("SerializationError", e.to_string())
    }
}

/// A function's code.
#[derive(Clone)]
pub enum Handler {
    /// A Rust closure.
    Rust(Arc<HandlerFn>),
    /// `echo`: returns its event.
    Echo,
    /// `fail`: raises `errorType` from the event (default `Error`) with `errorMessage`.
    Fail,
    /// `sleep`: spends `ms` milliseconds from the event, then returns it.
    Sleep,
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The runtime name replay scripts use for built-in handlers.
pub const BUILTIN_RUNTIME: &str = "cloudlab.builtin";
/// The runtime name of Rust closures.
pub const RUST_RUNTIME: &str = "provided.al2023";

impl Handler {
    /// The built-in handler called `name` (`echo`, `fail`, `sleep`).
    pub fn builtin(name: &str) -> Option<Handler> {
        match name {
            "echo" => Some(Handler::Echo),
            "fail" => Some(Handler::Fail),
            "sleep" => Some(Handler::Sleep),
            _ => None,
        }
    }

    /// The handler's name as GetFunction shows it.
    pub fn name(&self) -> &'static str {
        match self {
            Handler::Rust(_) => "rust-closure",
            Handler::Echo => "echo",
            Handler::Fail => "fail",
            Handler::Sleep => "sleep",
        }
    }

    /// The runtime as GetFunction shows it.
    pub fn runtime(&self) -> &'static str {
        match self {
            Handler::Rust(_) => RUST_RUNTIME,
            _ => BUILTIN_RUNTIME,
        }
    }

    /// Runs the handler.
    pub(crate) fn call(&self, event: Value, ctx: &mut Ctx<'_>) -> HandlerResult {
        match self {
            Handler::Rust(f) => f(event, ctx),
            Handler::Echo => Ok(event),
            Handler::Fail => {
                let kind = event
                    .get("errorType")
                    .and_then(Value::as_str)
                    .unwrap_or("Error");
                let message = event
                    .get("errorMessage")
                    .and_then(Value::as_str)
                    .unwrap_or("the fail handler always fails");
                Err(FnError::new(kind, message))
            }
            Handler::Sleep => {
                let ms = event.get("ms").and_then(Value::as_u64).unwrap_or(0);
                ctx.spend(Duration::from_millis(ms));
                Ok(event)
            }
        }
    }
}
