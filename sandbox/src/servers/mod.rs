//! Servers: EC2-like instances, load balancers and Auto Scaling groups.
pub mod scaling;
