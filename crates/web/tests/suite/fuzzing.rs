//! What API fuzzing with schemathesis (`fuzz/schemathesis.sh`, docs/security.md "API fuzzing
//! (schemathesis)") found, each kept as a regression test: a response that did not match its schema, a
//! server error beside concurrent writes, requests the OpenAPI document allowed and the server refused (or
//! the other way round).

use crate::api::Supervision;
use crate::common::{Client, audit_holds, code, field, tests_on_each_db};

use axum::http::StatusCode;
use serde_json::{Value, json};

tests_on_each_db!(
    a_whole_number_written_with_a_decimal_point_is_read_as_an_integer,
    chain_settings_refuse_a_firm_count_beyond_the_documented_bounds,
    a_chain_gives_each_key_once,
    the_backbone_rd_pair_matches_its_schema,
    exports_beside_concurrent_writes_succeed_and_keep_the_audit_chain,
    templates_are_served_as_the_workbooks_the_document_names,
    ids_and_query_parameters_are_typed_as_the_server_reads_them,
    bodies_the_server_requires_are_described_as_required,
    an_attachment_without_a_file_name_names_the_field,
    the_project_list_reads_its_city_as_the_other_lists_do,
);

async fn openapi(api: &Client) -> Value {
    let a = api.get("/api/v1/openapi.json").send().await;
    assert_eq!(a.status, StatusCode::OK);
    a.json()
}

/// The schema of a parameter of an operation in the OpenAPI document.
fn parameter<'a>(doc: &'a Value, method: &str, path: &str, name: &str) -> &'a Value {
    let params = doc["paths"][path][method]["parameters"].as_array().unwrap_or_else(|| panic!("{method} {path}"));
    &params.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{method} {path} has no {name}"))["schema"]
}

/// schemathesis sends `7.0` for an integer (JSON Schema's integers are numbers with no fraction); serde
/// refused it with 400 `invalid_json`. A whole number is read as the integer it is; a fraction is still
/// refused, naming the field.
async fn a_whole_number_written_with_a_decimal_point_is_read_as_an_integer(api: Client) {
    let owner = api.demo_login("owner").await;
    let body = serde_json::to_vec(&json!({ "full_firm_count": 7.0 })).unwrap();
    assert_eq!(String::from_utf8_lossy(&body), r#"{"full_firm_count":7.0}"#, "the body as schemathesis sends it");
    let (s, v) = api.raw("PUT", "/api/v1/chains/settings", &owner, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["full_firm_count"], 7);
    let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "full_firm_count": 7.5 })).await;
    assert_eq!(
        (s, code(&v), field(&v)),
        (StatusCode::BAD_REQUEST, Some("invalid_json"), Some("full_firm_count")),
        "{v}"
    );
    // Beyond 64 bits a whole number is no integer the server reads: still refused.
    let (s, v) = api.raw("PUT", "/api/v1/chains/settings", &owner, br#"{"full_firm_count": 1e30}"#.to_vec()).await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, Some("invalid_json")), "{v}");
    // A float field still takes any number.
    let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "strength_threshold": 42.5 })).await;
    assert_eq!((s, v["strength_threshold"].as_f64()), (StatusCode::OK, Some(42.5)), "{v}");
}

/// The document said `full_firm_count` was an int32 from 0; the server took 2147483648 (and refused 0).
/// Both now say 1 to 100,000.
async fn chain_settings_refuse_a_firm_count_beyond_the_documented_bounds(api: Client) {
    let owner = api.demo_login("owner").await;
    for bad in [0u64, 100_001, 2_147_483_648] {
        let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "full_firm_count": bad })).await;
        assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("full_firm_count")), "{bad}: {v}");
    }
    let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, json!({ "full_firm_count": 100_000 })).await;
    assert_eq!((s, v["full_firm_count"].as_u64()), (StatusCode::OK, Some(100_000)), "{v}");
    let doc = openapi(&api).await;
    let schema = &doc["components"]["schemas"]["ChainSettings"]["properties"];
    assert_eq!(
        (schema["full_firm_count"]["minimum"].as_f64(), schema["full_firm_count"]["maximum"].as_f64()),
        (Some(1.0), Some(100_000.0))
    );
    assert_eq!(
        (schema["strength_threshold"]["minimum"].as_f64(), schema["strength_threshold"]["maximum"].as_f64()),
        (Some(0.0), Some(100.0))
    );
}

/// A chain's detail flattened its summary, whose `nodes` is a count, beside its own `nodes`, the list: the
/// object had the key `nodes` twice (a reader kept one or the other, and no schema could describe it).
async fn a_chain_gives_each_key_once(api: Client) {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)] // read to prove each key comes once (serde refuses a duplicate field)
    struct Detail {
        id: String,
        name: String,
        firms: usize,
        nodes: Vec<Value>,
    }
    let owner = api.demo_login("owner").await;
    let a = api.get("/api/v1/chains/smart_terminal").token(&owner).send().await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let detail: Result<Detail, _> = serde_json::from_slice(&a.bytes);
    let detail = detail.unwrap_or_else(|e| panic!("{e}: {}", a.body));
    assert_eq!(detail.id, "smart_terminal");
    assert!(!detail.nodes.is_empty());
    let (_, list) = api.call("GET", "/api/v1/chains", &owner, Value::Null).await;
    let summary = list.as_array().unwrap().iter().find(|c| c["id"] == "smart_terminal").unwrap().clone();
    assert_eq!(summary["nodes"].as_u64(), Some(detail.nodes.len() as u64), "the list's count is the detail's list");
    assert_eq!(summary["firms"].as_u64(), Some(detail.firms as u64));
}

/// `backbone_rd.stored` is `[value, source]`; the document said an array of objects.
async fn the_backbone_rd_pair_matches_its_schema(api: Client) {
    let owner = api.demo_login("owner").await;
    let (s, v) = api.call("GET", "/api/v1/libraries", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let stored = v["backbone_rd"]["stored"].as_array().unwrap_or_else(|| panic!("the demo stores the indicator: {v}"));
    assert_eq!(stored.len(), 2);
    assert!(stored[0].is_number() && stored[1].is_string(), "{stored:?}");
    let doc = openapi(&api).await;
    let schema = &doc["components"]["schemas"]["LibraryBackboneRd"]["properties"]["stored"];
    assert_eq!(schema["type"], json!(["array", "null"]), "{schema}");
    assert_eq!(schema["prefixItems"], json!([{ "type": "number" }, { "type": "string" }]), "{schema}");
    assert_eq!(
        (schema["items"].clone(), schema["minItems"].as_u64(), schema["maxItems"].as_u64()),
        (json!(false), Some(2), Some(2))
    );
}

/// An export writes its audit record after reading; the record's transaction read the chain's last hash
/// before it took the write lock, so a write committed in between made SQLite answer "database is locked"
/// at once (500), and on PostgreSQL could give two records the same predecessor. Exports and audited writes
/// at once now all succeed and the chain holds.
async fn exports_beside_concurrent_writes_succeed_and_keep_the_audit_chain(api: Client) {
    let owner = api.demo_login("owner").await;
    let mut tasks = Vec::new();
    for i in 0..24u32 {
        let (api, owner) = (api.clone(), owner.clone());
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                let a = api.get("/api/v1/exports/indicators?format=json").token(&owner).send().await;
                (a.status, a.body)
            } else {
                let body = json!({ "full_firm_count": i });
                let (s, v) = api.call("PUT", "/api/v1/chains/settings", &owner, body).await;
                (s, v.to_string())
            }
        }));
    }
    for t in tasks {
        let (s, body) = t.await.unwrap();
        assert_eq!(s, StatusCode::OK, "{}", body.chars().take(300).collect::<String>());
    }
    audit_holds(&api.app, &["export.table"]).await;
}

/// The templates are workbooks; the document said `application/octet-stream`.
async fn templates_are_served_as_the_workbooks_the_document_names(api: Client) {
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let owner = api.demo_login("owner").await;
    let doc = openapi(&api).await;
    for kind in ["enterprises", "observations", "reports", "projects"] {
        let path = format!("/api/v1/templates/{kind}");
        let content = doc["paths"][&path]["get"]["responses"]["200"]["content"].as_object().unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), vec![XLSX], "{path}");
    }
    let a = api.get("/api/v1/templates/enterprises").token(&owner).send().await;
    assert_eq!((a.status, a.header("content-type")), (StatusCode::OK, XLSX));
}

/// Query parameters were all documented as strings and ids as unbounded integers: schemathesis sent
/// `plan=` or an id of 30 digits, which the document allowed and the server refused with 400.
async fn ids_and_query_parameters_are_typed_as_the_server_reads_them(api: Client) {
    let owner = api.demo_login("owner").await;
    let doc = openapi(&api).await;
    // A chain's and a project library's ids are words: documented as integers, the stateful phase sent
    // `ic_key` where a project's number was due.
    for (method, path) in [
        ("get", "/api/v1/chains/{id}"),
        ("get", "/api/v1/chains/{id}/gaps"),
        ("get", "/api/v1/chains/{id}/nodes/{node}"),
        ("put", "/api/v1/project-libraries/{id}"),
    ] {
        assert_eq!(parameter(&doc, method, path, "id"), &json!({ "type": "string" }), "{method} {path}");
    }
    let (s, v) = api.call("GET", "/api/v1/chains/smart_terminal/gaps", &owner, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(parameter(&doc, "post", "/api/v1/projects/{id}/log", "id")["type"], "integer");
    let id = parameter(&doc, "get", "/api/v1/plans/{id}", "id");
    assert_eq!(
        (id["type"].as_str(), id["minimum"].as_i64(), id["maximum"].as_i64()),
        (Some("integer"), Some(1), Some(i64::MAX))
    );
    let (s, v) = api.call("GET", &format!("/api/v1/plans/{}", i64::MAX), &owner, Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "the largest id is an id: {v}");
    let (s, v) = api.call("GET", "/api/v1/plans/9223372036854775808", &owner, Value::Null).await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::BAD_REQUEST, Some("invalid_parameter")),
        "beyond the documented maximum: {v}"
    );
    assert_eq!(parameter(&doc, "get", "/api/v1/indicators", "plan")["type"], "integer");
    assert_eq!(parameter(&doc, "get", "/api/v1/enterprises", "offset")["type"], "integer");
    assert_eq!(parameter(&doc, "get", "/api/v1/exports/indicators", "format")["enum"], json!(["xlsx", "csv", "json"]));
    assert_eq!(parameter(&doc, "get", "/api/v1/plans/{id}/bulletin", "format")["enum"], json!(["docx", "html"]));
    assert_eq!(
        parameter(&doc, "get", "/api/v1/enterprises", "scale")["anyOf"][0]["enum"],
        json!(["above", "规上", "above scale", "below", "规下", "below scale"])
    );
    let states = parameter(&doc, "get", "/api/v1/supervision/reports", "state")["enum"].as_array().unwrap().clone();
    for state in &states {
        let state = state.as_str().unwrap();
        let (s, v) = api.call("GET", &format!("/api/v1/supervision/reports?state={state}"), &owner, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{state}: {v}");
    }
    let stages = parameter(&doc, "get", "/api/v1/projects", "stage")["anyOf"][0]["enum"].as_array().unwrap().clone();
    assert!(stages.contains(&json!("planning")), "{stages:?}");
    for stage in &stages {
        let stage = stage.as_str().unwrap();
        let (s, v) = api.call("GET", &format!("/api/v1/projects?stage={stage}"), &owner, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "stage={stage}: {v}");
    }
    // A filter by a plan that does not exist finds nothing: any 64-bit value is allowed, as the document says.
    let (s, v) = api.call("GET", "/api/v1/supervision/assignments?plan=0", &owner, Value::Null).await;
    assert_eq!((s, v), (StatusCode::OK, json!([])));
}

/// The ranking body was documented as any object (the server requires `top_n`, `weights` and `note`), and
/// the admission body of `POST /api/v1/projects` without the `project` the handler tells it by.
async fn bodies_the_server_requires_are_described_as_required(api: Client) {
    let owner = api.demo_login("owner").await;
    let doc = openapi(&api).await;
    let schemas = &doc["components"]["schemas"];
    let ranking = &schemas["LibraryRankingDef"];
    assert_eq!(
        (ranking["required"].clone(), ranking["additionalProperties"].clone()),
        (json!(["top_n", "weights", "note"]), json!(false)),
        "{ranking}"
    );
    assert_eq!(schemas["LibraryRankingWeight"]["required"], json!(["figure", "weight"]));
    let body = &doc["paths"]["/api/v1/libraries/{name}/ranking"]["put"]["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["$ref"], "#/components/schemas/LibraryRankingBody");
    assert_eq!(schemas["LibraryRankingBody"]["$ref"], "#/components/schemas/LibraryRankingDef");
    let proposal = &schemas["ProjectProposalBody"];
    assert!(proposal["required"].as_array().is_some_and(|r| r.contains(&json!("project"))), "{proposal}");
    // What the document requires, the server requires.
    let (s, v) = api
        .call(
            "PUT",
            "/api/v1/libraries/ai_top100/ranking",
            &owner,
            json!({ "weights": [], "note": { "zh": "例", "en": "e.g." } }),
        )
        .await;
    assert_eq!((s, code(&v)), (StatusCode::BAD_REQUEST, Some("invalid_json")), "{v}");
    assert!(v.to_string().contains("top_n"), "{v}");
}

/// A report's evidence posted without `filename` (optional in the document, like every query parameter) was
/// refused with 400 and an empty field name; it is now the empty name it is: 422 naming `filename`, as for
/// a challenge application's attachment.
async fn an_attachment_without_a_file_name_names_the_field(api: Client) {
    let sup = Supervision::new(&api).await;
    sup.open_round(&api).await;
    let rid = sup.submit(&api).await["id"].as_i64().unwrap();
    for path in [format!("/api/v1/supervision/reports/{rid}/attachments"), format!("/api/v1/reports/{rid}/attachments")]
    {
        let (s, v) = api.raw("POST", &path, &sup.kjt, b"%PDF-1.4 demo".to_vec()).await;
        assert_eq!((s, field(&v)), (StatusCode::UNPROCESSABLE_ENTITY, Some("filename")), "{path}: {v}");
    }
    let (s, v) = api
        .raw(
            "POST",
            &format!("/api/v1/supervision/reports/{rid}/attachments?filename=a.pdf"),
            &sup.kjt,
            b"%PDF".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// The project list matched `city` as free text: a city outside the province (or `深圳市` for `深圳`) found
/// nothing where the other lists refuse the one and read the other. The document lists the cities, by short
/// and full name, and a blank (the forms send one; `\u{85}` is white space too) is no filter.
async fn the_project_list_reads_its_city_as_the_other_lists_do(api: Client) {
    let owner = api.demo_login("owner").await;
    let get = |q: &str| {
        let (api, owner, uri) = (api.clone(), owner.clone(), format!("/api/v1/projects?{q}"));
        async move { api.call("GET", &uri, &owner, Value::Null).await }
    };
    let (s, all) = get("").await;
    assert_eq!(s, StatusCode::OK, "{all}");
    let in_shenzhen = all["items"].as_array().unwrap().iter().filter(|p| p["city"] == "深圳").count();
    assert!(in_shenzhen > 0, "the demo has projects in 深圳");
    for q in ["city=%E6%B7%B1%E5%9C%B3", "city=%E6%B7%B1%E5%9C%B3%E5%B8%82"] {
        let (s, v) = get(q).await;
        assert_eq!((s, v["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(in_shenzhen)), "{q}: {v}");
    }
    let (s, v) = get("city=%E4%B8%9C%E4%BA%AC").await;
    assert_eq!(
        (s, code(&v), field(&v)),
        (StatusCode::BAD_REQUEST, Some("invalid_parameter"), Some("city")),
        "东京: {v}"
    );
    let (s, v) = get("city=%C2%85&stage=%20").await;
    assert_eq!((s, v["total"].clone()), (StatusCode::OK, all["total"].clone()), "blanks are no filter: {v}");
    let doc = openapi(&api).await;
    let city = parameter(&doc, "get", "/api/v1/projects", "city");
    let names = city["anyOf"][0]["enum"].as_array().unwrap();
    assert!(names.contains(&json!("深圳")) && names.contains(&json!("深圳市")), "{city}");
    assert_eq!(names.len(), 2 * jiqun_domain::CityCode::ALL.len());
    assert_eq!(parameter(&doc, "get", "/api/v1/enterprises", "city"), city, "one vocabulary");
}
