//! Every JSON request body the API accepts, reached through the route table: any bytes give each body type
//! a value or an error, never a panic (a property test, and a replay of the cargo-fuzz corpus
//! `fuzz/corpus/json_bodies`; docs/security.md, "Fuzzing"); and the table's parsers are the real ones.

use jiqun_web::openapi::{parse_every_request_body, request_bodies};
use jiqun_web::routes::api_routes;
use proptest::prelude::*;

#[test]
fn every_route_with_a_json_body_reaches_its_parser() {
    let bodies = request_bodies();
    let with_body = api_routes().iter().filter(|r| r.request.is_some()).count();
    assert!(with_body >= bodies.len() && bodies.len() > 40, "{} body types for {with_body} routes", bodies.len());
    let names: Vec<&str> = bodies.iter().map(|(n, _)| n.as_str()).collect();
    for name in ["LoginBody", "FileReportBody", "UserBody", "BaseInput", "ChallengeInput"] {
        assert!(names.contains(&name), "{name} among {names:?}");
    }
    // A login body is one (and no empty object is every body: required fields are required).
    let login = bodies.iter().find(|(n, _)| n == "LoginBody").expect("LoginBody").1;
    assert!((login.parse)(br#"{"username":"viewer","password":"Demo@2025"}"#).is_ok());
    let err = (login.parse)(br#"{"username":"viewer"}"#).expect_err("no password");
    assert_eq!(err.code.as_str(), "invalid_json");
    assert!(parse_every_request_body(b"{}") < bodies.len());
    assert_eq!(parse_every_request_body(b"not json"), 0);
}

/// JSON values of any shape, with the strings and numbers the bodies' fields take.
fn value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("2026Q1"),
            Just("2025-06"),
            Just("2026-04-15"),
            Just("深圳"),
            Just("91440300MA5G000001"),
            Just("on_schedule"),
            Just("above"),
            Just("1.5亿元"),
        ]
        .prop_map(|s| json!(s)),
        any::<String>().prop_map(Value::String),
    ];
    let key = prop_oneof![
        Just("period"),
        Just("value"),
        Just("status"),
        Just("percent"),
        Just("narrative"),
        Just("username"),
        Just("password"),
        Just("roles"),
        Just("city"),
        Just("uscc"),
        Just("name"),
        Just("version"),
        Just("deadline"),
        Just("kind"),
        Just("level"),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone().prop_map(str::to_string), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_bytes_are_a_body_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        parse_every_request_body(&bytes);
    }

    #[test]
    fn any_json_value_is_a_body_or_an_error(v in value()) {
        parse_every_request_body(v.to_string().as_bytes());
    }
}

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/json_bodies");
    let entries = std::fs::read_dir(&dir).expect("the fuzz corpus is kept in the repository");
    let mut n = 0;
    for e in entries.flatten() {
        parse_every_request_body(&std::fs::read(e.path()).expect("a corpus file"));
        n += 1;
    }
    assert!(n > 0, "the corpus has inputs");
}
