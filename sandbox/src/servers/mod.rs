//! Servers: EC2-like instances, load balancers and Auto Scaling groups.
pub mod scaling;

/// Servers, load balancers and Auto Scaling groups of an account.
#[derive(Debug, Default)]
pub struct ServersState {}
