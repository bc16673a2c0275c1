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
            "details": { "type": "array", "items": { "type": "object", "properties": {
                "field": { "type": "string" }, "message": { "type": "string" }
            } } }
        } } }
    })
}

/// The operation of a route as served at `path` (its own path or one of its aliases).
fn operation(r: &ApiRoute, path: &str, components: &mut Components) -> Value {
    let mut params: Vec<Value> = Vec::new();
    for seg in path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let ty = if name == "id" { "integer" } else { "string" };
            params.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": ty } }));
        }
    }
    for (name, desc) in r.query {
        params.push(json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": { "type": "string" } }));
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
