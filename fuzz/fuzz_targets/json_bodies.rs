//! Every JSON request body the API accepts: the bytes given to the parser of each body type in the route
//! table (`jiqun_web::openapi::parse_every_request_body`, the parser the handlers use).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = jiqun_web::openapi::parse_every_request_body(data);
});
