//! One module per subcommand family.

pub mod bench;
pub mod course;
pub mod grade;
pub mod kernel;
pub mod sandbox;
