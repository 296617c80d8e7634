//! Spec files: any text gives a value or a diagnostic, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = xtask::load::parse_str::<xtask::spec::ActionFile>(text);
        let _ = xtask::load::parse_str::<xtask::spec::ProductFile>(text);
    }
});
