//! Event source mappings (being built).
use crate::cloud::Cloud;
/// Tells pollers of queue `name` that messages may be available.
pub(crate) fn queue_activity(_cloud: &mut Cloud, _name: &str) {}
