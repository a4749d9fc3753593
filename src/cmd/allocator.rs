//! One allocator setting that depends on the suite: mimalloc keeps freed pages for 10 ms
//! before giving them back, which is fastest for ordinary suites; a suite of very long
//! scenarios, decoded one after another, then peaks with pages it no longer uses (112 MB
//! against 80 MB for 20 scenarios of 5,000 steps). For such suites, freed pages go back at
//! once, for about a tenth more CPU time.

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (the Rust bindings name the options
/// around it, not this one).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once from now on. Harmless where mimalloc is not
/// the allocator: it only sets one of its options.
pub fn release_freed_memory_promptly() {
    // SAFETY: `mi_option_set` stores an integer option; mimalloc reads it atomically.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}
