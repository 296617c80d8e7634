//! The client crate's `test_util` module (feature `test-util`): every action's documented
//! JSON sample, and the stand-in server of `acs-runtime::test_util` set up with them.

use crate::model::{Api, SampleBody, SampleFormat};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The module, with the samples read from the spec (a sample file that cannot be read is an
/// error: nothing is written).
pub fn test_util_rs(api: &Api) -> Result<TokenStream, String> {
    let mut samples = Vec::new();
    for op in &api.operations {
        let Some(sample) = op
            .samples
            .iter()
            .find(|s| s.format == SampleFormat::Json && (200..300).contains(&s.http_status))
        else {
            continue;
        };
        let text = match &sample.body {
            SampleBody::Inline(text) => text.clone(),
            SampleBody::File(path, _) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the sample {}: {e}", path.display()))?,
        };
        let action = &op.name;
        let text = Literal::string(text.trim());
        samples.push(quote! { (#action, #text) });
    }
    let doc = format!(
        " Test doubles for code that uses this crate (feature `test-util`): an in-process\n \
         stand-in server on 127.0.0.1 that checks every request's signature, answers each\n \
         action with its documented sample unless the test scripts it (`Route::action`), and\n \
         records what it received (`TestServer::requests_for`). See the\n \
         [example](crate#testing-your-code).\n\n \
         Enable it for tests only:\n\n \
         ```toml\n \
         [dev-dependencies]\n \
         {} = {{ version = \"0.1\", features = [\"test-util\"] }}\n \
         ```",
        api.product.client_crate.name
    );
    Ok(quote! {
        #![doc = #doc]

        pub use acs_runtime::test_util::{
            Body, ProxiedRequest, ProxyProtocol, RecordedRequest, Route, ServerConfig, Step,
            TestProxy, TestServer, Then, ACCESS_KEY_ID, ACCESS_KEY_SECRET,
        };

        /// The documented sample response of each action (`(action, JSON text)`), from the spec.
        pub const SAMPLES: &[(&str, &str)] = &[#(#samples),*];

        /// A stand-in server configuration: the test credentials, every action answering with
        /// its sample. Add routes ([`Route::action`]), queued steps or faults, then start it
        /// with [`TestServer::start`] (or `start_blocking` outside async code).
        pub fn server_config() -> ServerConfig {
            acs_runtime::test_util::server_config(SAMPLES)
        }

        /// A configuration builder for a client of `server` (its endpoint, the test
        /// credentials, nothing read from the machine's environment, millisecond backoff).
        pub fn config_builder(server: &TestServer) -> crate::ConfigBuilder {
            acs_runtime::test_util::config_builder(server)
        }

        /// A client of `server`, configured by [`config_builder`].
        pub fn client(server: &TestServer) -> Result<crate::Client, crate::ConfigError> {
            Ok(crate::Client::new(config_builder(server).build()?))
        }
    })
}
