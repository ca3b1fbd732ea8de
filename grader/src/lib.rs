//! The Cloudlab grader (being built: see issue 4).
