//! The OpenAPI document of the JSON API, generated from the resources' route tables (`crate::routes`):
//! each route's path and query parameters, body, success status, security and who may call it. A route's
//! aliases (the old paths of a moved route, which keep working) are listed too, marked deprecated.

use serde_json::{Map, Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, Ref, Schema};

use crate::routes::{Access, ApiRoute, api_routes};

/// The named schemas a document refers to (`#/components/schemas/NAME`), as utoipa collects them.
pub type Components = Vec<(String, RefOr<Schema>)>;

/// How a route names the type of a body: a function that adds the type's schema (and those it refers to)
/// to the components and returns how to refer to it.
pub type SchemaFn = fn(&mut Components) -> RefOr<Schema>;

/// A body of type `T`: its schema as a component, referred to by name.
pub fn json<T: utoipa::ToSchema>(components: &mut Components) -> RefOr<Schema> {
    T::schemas(components);
    components.push((T::name().into_owned(), T::schema()));
    Ref::from_schema_name(T::name()).into()
}

/// A JSON request body of a route: its type's schema for the document, and the parser the route's handler
/// uses (`Ctx::json`), so that every body the API accepts can be reached from the route table (the fuzz
/// target `json_bodies` and the property test feed arbitrary bytes to each).
#[derive(Clone, Copy)]
pub struct RequestBody {
    pub schema: SchemaFn,
    pub parse: fn(&[u8]) -> Result<(), jiqun_app::AppError>,
}

/// A JSON request body of type `T`.
pub const fn request<T: utoipa::ToSchema + serde::de::DeserializeOwned>() -> RequestBody {
    RequestBody { schema: json::<T>, parse: parses::<T> }
}

fn parses<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<(), jiqun_app::AppError> {
    crate::kit::api::parse_json::<T>(body).map(drop)
}

/// Every type of JSON request body the API accepts, once each: its schema's name and its parser.
pub fn request_bodies() -> Vec<(String, RequestBody)> {
    let mut out: Vec<(String, RequestBody)> = Vec::new();
    for r in api_routes() {
        let Some(body) = r.request else { continue };
        let name = match (body.schema)(&mut Components::new()) {
            RefOr::Ref(r) => r.ref_location.rsplit('/').next().unwrap_or_default().to_string(),
            RefOr::T(_) => r.path.to_string(),
        };
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, body));
        }
    }
    out
}

/// Gives the bytes to the parser of every JSON request body type; each answers a value or an error.
/// Returns how many parsed. For fuzzing and the property test: no input may make one panic.
pub fn parse_every_request_body(bytes: &[u8]) -> usize {
    static BODIES: std::sync::OnceLock<Vec<(String, RequestBody)>> = std::sync::OnceLock::new();
    BODIES.get_or_init(request_bodies).iter().filter(|(_, b)| (b.parse)(bytes).is_ok()).count()
}

/// A file's bytes (an attachment's download): `application/octet-stream`, no JSON.
pub fn binary(_: &mut Components) -> RefOr<Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(utoipa::openapi::schema::KnownFormat::Binary)))
        .into()
}

/// A JSON array of `T`.
pub fn list<T: utoipa::ToSchema>(components: &mut Components) -> RefOr<Schema> {
    let item = json::<T>(components);
    ArrayBuilder::new().items(item).into()
}

/// The number of routes whose success response, or whose JSON request body, has no type yet. It only goes
/// down: a route added from now on declares its types, and whoever types one lowers the count
/// (`tests/suite/api.rs` checks it).
pub const UNTYPED_RESPONSES: usize = UNTYPED;
const UNTYPED: usize = 0;

pub fn openapi() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    let mut components: Components = Vec::new();
    for r in api_routes() {
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method] = operation(r, r.path, &mut components);
        // An old path that still answers: the same operation, deprecated, pointing to the route's path.
        for alias in r.aliases {
            let mut op = operation(r, alias, &mut components);
            op["deprecated"] = json!(true);
            op["description"] = json!(format!(
                "Deprecated alias of {} {}: the same operation; use that path.",
                r.method.to_uppercase(),
                r.path
            ));
            let entry = paths.entry(alias.to_string()).or_insert_with(|| json!({}));
            entry[r.method] = op;
        }
    }
    let mut schemas: Map<String, Value> = Map::new();
    schemas.insert("Error".into(), error_schema());
    // Two different types under one name would silently describe one of them wrongly: listed, and the
    // OpenAPI test fails on any.
    let mut conflicts: Vec<String> = Vec::new();
    for (name, schema) in components {
        let schema = serde_json::to_value(schema).unwrap_or(Value::Null);
        match schemas.get(&name) {
            Some(seen) if *seen != schema => conflicts.push(name),
            Some(_) => {}
            None => {
                schemas.insert(name, schema);
            }
        }
    }
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": { "title": "Jiqun (集群) API", "version": env!("CARGO_PKG_VERSION"), "description": "The system of record for an industrial-cluster action plan. Errors are {\"error\": {\"code\", \"message\", \"details\"}} with the message in the request's language." },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas,
        }
    });
    if !conflicts.is_empty() {
        doc["x-jiqun-schema-conflicts"] = json!(conflicts);
    }
    doc
}

/// The error every route answers with on failure (crates/web/src/error.rs).
fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": { "type": "object", "required": ["code", "message"], "properties": {
            "code": { "type": "string", "description": "stable code of the error catalogue (jiqun_app::Code)" },
            "message": { "type": "string", "description": "in the request's language" },
            "hint": { "type": "string" },
            "current": { "description": "With a 409 for a write that carried a version no longer current: the record as it is now.", "anyOf": [ { "$ref": "#/components/schemas/ReportView" }, { "$ref": "#/components/schemas/BaseView" }, { "$ref": "#/components/schemas/ProjectDetail" }, { "$ref": "#/components/schemas/ChallengeDetail" }, { "$ref": "#/components/schemas/MatchProductView" }, { "$ref": "#/components/schemas/MatchNeedView" } ] },
            "details": { "type": "array", "items": { "type": "object", "properties": {
                "field": { "type": "string" }, "message": { "type": "string" }
            } } }
        } } }
    })
}

/// The paths whose `{id}` is a word, not a number (their handlers take `Path<String>`).
const STRING_IDS: &[&str] = &["/api/v1/chains/{id}", "/api/v1/project-libraries/{id}"];

/// A record's id: a 64-bit integer, from 1.
fn id_schema() -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX })
}

/// The type of a query parameter, by its name: the handlers read parameters of one name as one type (`plan`,
/// `run`, `year`, `offset`, `limit`, `from`, `to` as 64-bit integers; `stage`, `state`, `scale`, `city` as
/// their vocabularies); `format` is one of the extensions of the media types the route produces. Anything else is
/// a string that the use case checks (a city, a department, a period …).
fn query_schema(r: &ApiRoute, name: &str) -> Value {
    use jiqun_domain::enterprise::Scale;
    use jiqun_domain::projects::ProjectStage;
    use jiqun_domain::report::ReviewState;
    use jiqun_domain::{CityCode, Lang};
    let integer = json!({ "type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX });
    match name {
        // A filter by an id that names nothing finds nothing (200, an empty list), so any 64-bit value.
        "plan" | "run" | "year" | "offset" | "limit" | "from" | "to" => integer,
        // These filters are their pages' forms too: a value that is empty once trimmed is no filter.
        "stage" => blank_or(ProjectStage::ALL.map(|s| s.as_str()).to_vec()),
        "state" => json!({ "type": "string", "enum": ReviewState::ALL.map(|s| s.as_str()) }),
        // A scale is read by its code or either label (`规上`, `above scale`).
        "scale" => {
            blank_or(Scale::ALL.iter().flat_map(|s| [s.as_str(), s.label(Lang::Zh), s.label(Lang::En)]).collect())
        }
        // The province's cities (the built-in region model), by short or full name (`深圳`, `深圳市`).
        "city" => {
            blank_or(CityCode::ALL.iter().flat_map(|c| [c.as_str().to_string(), format!("{}市", c.as_str())]).collect())
        }
        "format" if !r.produces.is_empty() => {
            let formats: Vec<&str> = r.produces.iter().filter_map(|t| extension(t)).collect();
            json!({ "type": "string", "enum": formats })
        }
        _ => json!({ "type": "string" }),
    }
}

/// One of `values`, or a blank: empty or only the white space that Rust's `str::trim` removes (Unicode
/// `White_Space`), which the handlers read as no value.
fn blank_or<T: serde::Serialize>(values: Vec<T>) -> Value {
    json!({ "anyOf": [
        { "type": "string", "enum": values },
        { "type": "string", "pattern": "^[\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*$" },
    ] })
}

/// The `format` a media type is asked for by.
fn extension(media_type: &str) -> Option<&'static str> {
    Some(match media_type {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "text/csv" | "text/csv; charset=utf-8" => "csv",
        "application/json" => "json",
        "text/html" | "text/html; charset=utf-8" => "html",
        _ => return None,
    })
}

/// The operation of a route as served at `path` (its own path or one of its aliases).
fn operation(r: &ApiRoute, path: &str, components: &mut Components) -> Value {
    let mut params: Vec<Value> = Vec::new();
    for seg in path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            // Ids are 64-bit (`Path<i64>`): a larger number is not an id, and is answered 400. A chain's and
            // a project library's ids are words (`smart_terminal`, `ic_key`).
            let schema = if name == "id" && !STRING_IDS.iter().any(|p| r.path.starts_with(p)) {
                id_schema()
            } else {
                json!({ "type": "string" })
            };
            params.push(json!({ "name": name, "in": "path", "required": true, "schema": schema }));
        }
    }
    for (name, desc) in r.query {
        params.push(json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": query_schema(r, name) }));
    }
    params.push(json!({ "name": "Accept-Language", "in": "header", "required": false, "description": "zh-CN (default) or en", "schema": { "type": "string" } }));
    let mut op = json!({
        "summary": r.summary,
        "tags": [r.tag],
        "operationId": format!("{}_{}", r.method, path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
        "parameters": params,
        "responses": {
            r.ok.to_string(): match (r.ok, r.response) {
                (204, _) => json!({ "description": "no content" }),
                (_, Some(schema)) => {
                    let schema = serde_json::to_value(schema(components)).unwrap_or(Value::Null);
                    let binary = schema["format"] == "binary";
                    if !r.produces.is_empty() {
                        // A file in one of these formats (an export's, the bulletin's): each media type with its schema.
                        let mut content = Map::new();
                        for t in r.produces {
                            let s = if *t == "application/json" {
                                json!({ "type": "array", "items": { "type": "object" } })
                            } else if t.starts_with("text/") {
                                json!({ "type": "string" })
                            } else {
                                schema.clone()
                            };
                            content.insert((*t).to_string(), json!({ "schema": s }));
                        }
                        json!({
                            "description": "success: the file, with a Content-Disposition naming it",
                            "content": content,
                        })
                    } else {
                        let content_type = if binary { "application/octet-stream" } else { "application/json" };
                        json!({ "description": "success", "content": { content_type: { "schema": schema } } })
                    }
                }
                (_, None) => json!({ "description": "success" }),
            },
            "4XX": { "description": "error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        },
    });
    if let Some(body) = r.body {
        let (content_type, schema) = match (r.upload, r.request) {
            (Some(text), _) if text.starts_with("text/") => (text, json!({ "type": "string" })),
            (Some(bytes), _) => (bytes, json!({ "type": "string", "format": "binary" })),
            (None, Some(request)) => {
                ("application/json", serde_json::to_value((request.schema)(components)).unwrap_or(Value::Null))
            }
            (None, None) => ("application/json", json!({ "type": "object" })),
        };
        op["requestBody"] =
            json!({ "required": true, "description": body, "content": { content_type: { "schema": schema } } });
    }
    if r.auth {
        op["security"] = json!([{ "bearer": [] }]);
    }
    op["x-jiqun-access"] = json!(match r.access {
        Access::Public => "public".to_string(),
        Access::Account => "any logged-in user".to_string(),
        Access::Perm(p) => {
            let table = jiqun_app::RoleTable::default();
            let holders: Vec<String> = table
                .roles
                .iter()
                .filter_map(|role| {
                    let scopes: Vec<&str> =
                        role.grants.iter().filter(|g| g.perm == p).map(|g| g.scope.as_str()).collect();
                    (!scopes.is_empty()).then(|| format!("{} ({})", role.name, scopes.join(", ")))
                })
                .collect();
            format!("permission {}; built-in roles holding it: {}", p.as_str(), holders.join(", "))
        }
        Access::Scoped(p, scopes) => {
            let list: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            format!("permission {} in scope {}", p.as_str(), list.join(" or "))
        }
        Access::Any(perms) => {
            let list: Vec<&str> = perms.iter().map(|p| p.as_str()).collect();
            format!("any of the permissions {}; each caller sees only what its scopes cover", list.join(", "))
        }
    });
    op
}
