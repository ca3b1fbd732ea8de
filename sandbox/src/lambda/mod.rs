//! AWS Lambda (being built).
pub mod api;
pub mod esm;
/// All functions of an account.
#[derive(Debug, Default)]
pub struct LambdaState {}
impl LambdaState {
    /// Number of functions.
    pub fn len(&self) -> usize {
        0
    }
    /// True when there are no functions.
    pub fn is_empty(&self) -> bool {
        true
    }
}
