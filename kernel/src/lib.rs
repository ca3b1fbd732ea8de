//! The Cloudlab Jupyter kernel (being built: see issue 3).

/// Must be the first call in `main` of the binary embedding the kernel: when
/// evcxr re-executes the binary as its runtime process, this takes over.
pub fn runtime_hook() {
    evcxr::runtime_hook();
}
