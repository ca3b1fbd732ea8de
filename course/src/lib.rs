//! The Cloudlab course builder (being built: see issue 5).
