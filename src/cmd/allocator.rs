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

#[cfg(test)]
mod tests {
    use super::*;

    /// mimalloc reads `MIMALLOC_PURGE_DELAY` into the option it calls `purge_delay` when the
    /// option is first read: a child process started with it set sees the value through
    /// `MI_OPTION_PURGE_DELAY` only if that number is the option of that name in the linked
    /// mimalloc (an unknown number reads 0).
    #[test]
    fn the_option_number_is_the_linked_mimallocs_purge_delay() {
        const CHILD: &str = "K2CHECK_ALLOCATOR_TEST_CHILD";
        if std::env::var_os(CHILD).is_some() {
            // SAFETY: reads one integer option.
            let value = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
            println!("purge delay {value}");
            return;
        }
        let test = "cmd::allocator::tests::the_option_number_is_the_linked_mimallocs_purge_delay";
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--nocapture"])
            .env(CHILD, "1")
            .env("MIMALLOC_PURGE_DELAY", "4321")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("purge delay 4321"), "{stdout}");
    }
}
