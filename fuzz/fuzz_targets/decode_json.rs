//! JSON bodies: the generated decoder and the runtime's agree, and nothing panics.
#![no_main]
use acs_runtime::decode::{decode_body, parse_error_body, BodyFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let generated = dataworks_public_models::from_json::<dataworks_public_models::GetDeploymentResponse>(data);
    let runtime = decode_body::<dataworks_public_models::GetDeploymentResponse>(data, BodyFormat::Json);
    assert_eq!(generated.is_ok(), runtime.is_ok());
    let _ = widgets_fixture_models::from_json::<widgets_fixture_models::ListWidgetsResponse>(data);
    let _ = parse_error_body(data, BodyFormat::Json);
});
