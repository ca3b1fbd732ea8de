//! Amazon SNS (being built).
pub mod api;
/// All topics of an account.
#[derive(Debug, Default)]
pub struct SnsState {}
impl SnsState {
    /// Number of topics.
    pub fn len(&self) -> usize {
        0
    }
    /// True when there are no topics.
    pub fn is_empty(&self) -> bool {
        true
    }
}
