//! Alibaba Cloud API request signing: RPC v1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256).
#![forbid(unsafe_code)]
