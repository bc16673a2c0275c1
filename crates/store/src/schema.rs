//! Migrations, one list for both databases: each step's SQL is written once with three placeholders that
//! differ between them ({ID} an auto-increment key, {FLOAT} a double, {BLOB} binary). Applied steps are
//! recorded in `schema_migrations`; start-up applies what is missing, each step in its own transaction.

use crate::Backend;

pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "platform core",
        r#"
CREATE TABLE revision (id BIGINT PRIMARY KEY, n BIGINT NOT NULL);
INSERT INTO revision (id, n) VALUES (1, 0);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    id {ID},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    roles TEXT NOT NULL,
    agency TEXT,
    city TEXT,
    uscc TEXT,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    disabled BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    last_login_at BIGINT,
    prev_login_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    id {ID},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE plans (
    id {ID},
    name TEXT NOT NULL,
    title TEXT,
    doc_number TEXT,
    issued_on TEXT,
    period_start BIGINT,
    period_end BIGINT,
    target_year BIGINT,
    plan_json TEXT NOT NULL,
    source_name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    final_assessment TEXT,
    successor_id BIGINT,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE TABLE items (
    id {ID},
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    item TEXT NOT NULL,
    parent TEXT,
    section_no BIGINT NOT NULL,
    section_title TEXT NOT NULL,
    section_kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    cities TEXT NOT NULL,
    position BIGINT NOT NULL,
    UNIQUE (plan_id, item)
);
CREATE TABLE assignments (
    id {ID},
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    item TEXT NOT NULL,
    agency TEXT NOT NULL,
    role TEXT NOT NULL,
    UNIQUE (plan_id, item, agency)
);
CREATE TABLE report_rounds (
    id {ID},
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    period TEXT NOT NULL,
    deadline TEXT NOT NULL,
    UNIQUE (plan_id, period)
);
CREATE TABLE reports (
    id {ID},
    assignment_id BIGINT NOT NULL REFERENCES assignments(id),
    period TEXT NOT NULL,
    version BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    state TEXT NOT NULL,
    status TEXT NOT NULL,
    percent {FLOAT} NOT NULL,
    narrative TEXT NOT NULL,
    problems TEXT NOT NULL,
    help_needed TEXT NOT NULL,
    review_comment TEXT,
    created_at BIGINT NOT NULL,
    created_by BIGINT,
    submitted_at BIGINT,
    reviewed_at BIGINT,
    reviewed_by BIGINT
);
CREATE INDEX reports_by_assignment ON reports (assignment_id, period, is_current);
CREATE TABLE attachments (
    id {ID},
    report_id BIGINT NOT NULL REFERENCES reports(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data {BLOB} NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE TABLE indicators (
    id {ID},
    plan_id BIGINT NOT NULL REFERENCES plans(id),
    item TEXT,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction TEXT NOT NULL,
    method TEXT NOT NULL,
    frequency TEXT NOT NULL,
    baseline_period TEXT,
    baseline_value {FLOAT},
    target_cmp TEXT NOT NULL,
    target_value {FLOAT} NOT NULL,
    target_value_max {FLOAT},
    target_year BIGINT NOT NULL,
    source_text TEXT NOT NULL DEFAULT '',
    derived_from TEXT,
    override_status TEXT,
    override_reason TEXT,
    override_by BIGINT,
    override_at BIGINT,
    by_city BIGINT NOT NULL DEFAULT 0,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE observations (
    id {ID},
    indicator_id BIGINT NOT NULL REFERENCES indicators(id),
    period TEXT NOT NULL,
    period_key BIGINT NOT NULL,
    region TEXT NOT NULL,
    value {FLOAT} NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    is_current BIGINT NOT NULL,
    entered_by BIGINT,
    entered_at BIGINT NOT NULL
);
CREATE INDEX observations_by_indicator ON observations (indicator_id, is_current, period_key);
CREATE UNIQUE INDEX observations_one_current ON observations (indicator_id, period, region) WHERE is_current = 1;
CREATE TABLE audit_log (
    id {ID},
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    actor_id BIGINT,
    ip TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    success BIGINT NOT NULL,
    detail TEXT NOT NULL
);
"#,
    ),
    (
        2,
        "audit chain",
        r#"
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT ''
"#,
    ),
    (
        3,
        "second factor, password history, personal contact",
        r#"
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at BIGINT;
ALTER TABLE users ADD COLUMN contact TEXT;
CREATE TABLE password_history (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    changed_at BIGINT NOT NULL
)
"#,
    ),
    (
        4,
        "roles as data, enterprise registry, per-mu evaluations",
        r#"
CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE enterprises (
    id {ID},
    uscc TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    county TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT '',
    scale TEXT NOT NULL,
    founded_year BIGINT NOT NULL,
    listed BIGINT NOT NULL DEFAULT 0,
    chain_nodes TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    contact TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX enterprises_by_city ON enterprises (city, name);
CREATE TABLE enterprise_figures (
    id {ID},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    year BIGINT NOT NULL,
    metric TEXT NOT NULL,
    sealed TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    is_current BIGINT NOT NULL,
    entered_by BIGINT,
    entered_at BIGINT NOT NULL
);
CREATE INDEX enterprise_figures_by_year ON enterprise_figures (year, is_current, enterprise_id);
CREATE INDEX enterprise_figures_by_firm ON enterprise_figures (enterprise_id, year, metric);
CREATE UNIQUE INDEX enterprise_figures_one_current ON enterprise_figures (enterprise_id, year, metric) WHERE is_current = 1;
CREATE TABLE expert_assignments (
    id {ID},
    user_id BIGINT NOT NULL REFERENCES users(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    assigned_by BIGINT,
    assigned_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX expert_assignments_once ON expert_assignments (user_id, enterprise_id);
CREATE TABLE evaluations (
    id {ID},
    year BIGINT NOT NULL,
    scheme_id TEXT NOT NULL,
    scheme_name TEXT NOT NULL,
    scheme_json TEXT NOT NULL,
    rated BIGINT NOT NULL,
    not_rated BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE TABLE evaluation_results (
    id {ID},
    evaluation_id BIGINT NOT NULL REFERENCES evaluations(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    city TEXT NOT NULL,
    scale TEXT NOT NULL,
    score {FLOAT},
    rank BIGINT NOT NULL,
    group_size BIGINT NOT NULL,
    class TEXT NOT NULL,
    reason TEXT NOT NULL,
    items TEXT NOT NULL
);
CREATE INDEX evaluation_results_by_run ON evaluation_results (evaluation_id, city, class);
CREATE INDEX evaluation_results_by_firm ON evaluation_results (enterprise_id, evaluation_id)
"#,
    ),
    (
        5,
        "cultivation libraries' designations, new-project admission proposals",
        r#"
CREATE TABLE library_designations (
    id {ID},
    library TEXT NOT NULL,
    chain TEXT NOT NULL DEFAULT '',
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    reference TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL,
    designated_by BIGINT,
    designated_at BIGINT NOT NULL,
    withdrawn_by BIGINT,
    withdrawn_at BIGINT,
    withdrawn_reason TEXT
);
CREATE INDEX library_designations_by_library ON library_designations (library, active, chain);
CREATE INDEX library_designations_by_firm ON library_designations (enterprise_id, active);
CREATE UNIQUE INDEX library_designations_one_active ON library_designations (library, chain, enterprise_id) WHERE active = 1;
CREATE TABLE project_proposals (
    id {ID},
    project TEXT NOT NULL,
    city TEXT NOT NULL,
    zone TEXT NOT NULL,
    industry_code TEXT NOT NULL,
    land_mu {FLOAT} NOT NULL,
    fixed_investment_wan {FLOAT},
    annual_output_wan {FLOAT},
    annual_tax_wan {FLOAT},
    jobs {FLOAT},
    energy_tce {FLOAT},
    value_added_wan {FLOAT},
    rd_wan {FLOAT},
    table_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    result TEXT NOT NULL,
    assessed_by BIGINT,
    assessed_at BIGINT NOT NULL
);
CREATE INDEX project_proposals_by_city ON project_proposals (city, id)
"#,
    ),
    (
        6,
        "evaluation schemes as data, per jurisdiction and year",
        r#"
CREATE TABLE evaluation_schemes (
    scheme_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
)
"#,
    ),
    (
        7,
        "one current version of a report, version numbers unique",
        r#"
CREATE UNIQUE INDEX reports_one_version ON reports (assignment_id, period, version);
CREATE UNIQUE INDEX reports_one_current ON reports (assignment_id, period) WHERE is_current = 1
"#,
    ),
    (
        8,
        "registry of platforms and bases",
        r#"
CREATE TABLE bases (
    id {ID},
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT '',
    host_name TEXT NOT NULL DEFAULT '',
    host_uscc TEXT,
    recognised_by TEXT NOT NULL DEFAULT '',
    recognised_on TEXT NOT NULL,
    withdrawn_on TEXT,
    withdrawn_reason TEXT,
    source TEXT NOT NULL DEFAULT '',
    synthetic BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX bases_once ON bases (kind, level, name);
CREATE INDEX bases_by_kind ON bases (kind, level, recognised_on)
"#,
    ),
    (
        9,
        "key projects with stages, libraries and problems; admission proposals become projects",
        r#"
CREATE TABLE projects (
    id {ID},
    name TEXT NOT NULL,
    owner_uscc TEXT,
    owner_name TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL,
    suspended_from TEXT,
    plan_items TEXT NOT NULL DEFAULT '',
    chain_nodes TEXT NOT NULL DEFAULT '',
    total_investment_wan {FLOAT},
    planned_start TEXT,
    planned_finish TEXT,
    fast_lane BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    synthetic BIGINT NOT NULL DEFAULT 0,
    admission_id BIGINT REFERENCES project_proposals(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX projects_by_city ON projects (city, stage);
CREATE UNIQUE INDEX projects_one_per_admission ON projects (admission_id);
INSERT INTO projects (name, city, stage, admission_id, created_by, created_at, updated_at)
    SELECT project, city, 'planning', id, assessed_by, assessed_at, assessed_at FROM project_proposals ORDER BY id;
CREATE TABLE project_stages (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    on_date TEXT,
    reason TEXT NOT NULL DEFAULT '',
    by_user BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX project_stages_by_project ON project_stages (project_id, id);
INSERT INTO project_stages (project_id, from_stage, to_stage, on_date, reason, by_user, at)
    SELECT id, NULL, 'planning', NULL, '新增工业项目准入评价', created_by, created_at FROM projects;
CREATE TABLE project_libraries (
    id TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    plan_item TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL
);
INSERT INTO project_libraries (id, name_zh, name_en, plan_item, position) VALUES
    ('ic_key', '集成电路重点项目库', 'key integrated-circuit projects', '3.2', 1),
    ('5g_major', '5G重大项目库', 'major 5G projects', '3.3', 2);
CREATE TABLE project_library_members (
    library_id TEXT NOT NULL REFERENCES project_libraries(id),
    project_id BIGINT NOT NULL REFERENCES projects(id),
    PRIMARY KEY (library_id, project_id)
);
CREATE TABLE project_problems (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    department TEXT NOT NULL,
    deadline TEXT NOT NULL,
    state TEXT NOT NULL,
    raised_by BIGINT,
    raised_at BIGINT NOT NULL,
    answer TEXT,
    decision_basis TEXT,
    answered_by BIGINT,
    answered_at BIGINT,
    closed_at BIGINT,
    reopened BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX project_problems_by_project ON project_problems (project_id, id);
CREATE INDEX project_problems_by_department ON project_problems (department, state)
"#,
    ),
    (
        10,
        "key projects' progress per period, milestones and tracking log",
        r#"
CREATE TABLE project_progress (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    period TEXT NOT NULL,
    period_key BIGINT NOT NULL,
    version BIGINT NOT NULL,
    is_current BIGINT NOT NULL,
    state TEXT NOT NULL,
    invest_period_wan {FLOAT} NOT NULL,
    invest_cumulative_wan {FLOAT} NOT NULL,
    physical_percent {FLOAT} NOT NULL,
    narrative TEXT NOT NULL,
    synthetic BIGINT NOT NULL DEFAULT 0,
    review_comment TEXT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    reviewed_by BIGINT,
    reviewed_at BIGINT
);
CREATE UNIQUE INDEX project_progress_one_version ON project_progress (project_id, period, version);
CREATE UNIQUE INDEX project_progress_one_current ON project_progress (project_id, period) WHERE is_current = 1;
CREATE TABLE project_milestones (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    planned_on TEXT NOT NULL,
    done_on TEXT,
    synthetic BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    done_by BIGINT,
    done_at BIGINT
);
CREATE INDEX project_milestones_by_project ON project_milestones (project_id, planned_on);
CREATE TABLE project_log (
    id {ID},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    on_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL,
    who TEXT NOT NULL,
    synthetic BIGINT NOT NULL DEFAULT 0,
    by_user BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX project_log_by_project ON project_log (project_id, on_date)
"#,
    ),
    (
        11,
        "a key project's yearly investment plan and the source of each figure",
        r#"
ALTER TABLE projects ADD COLUMN yearly_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN figure_sources TEXT NOT NULL DEFAULT ''
"#,
    ),
    (
        12,
        "project_library_trackers",
        r#"
ALTER TABLE project_libraries ADD COLUMN tracking_departments TEXT NOT NULL DEFAULT '';
ALTER TABLE project_libraries ADD COLUMN tracking_officials TEXT NOT NULL DEFAULT ''
"#,
    ),
    (
        13,
        "the chain vocabulary's versions, names decided to mean a node, outside dependencies, firms' roles and bases on nodes",
        r#"
CREATE TABLE chain_vocabularies (
    id {ID},
    body TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE TABLE chain_text_map (
    text TEXT PRIMARY KEY,
    node_id TEXT,
    decided_by BIGINT,
    decided_at BIGINT NOT NULL
);
CREATE TABLE chain_node_facts (
    node_id TEXT PRIMARY KEY,
    outside BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    updated_by BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE TABLE chain_firms (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    node_id TEXT NOT NULL,
    role TEXT NOT NULL,
    capacity TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    updated_by BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (enterprise_id, node_id)
);
CREATE INDEX chain_firms_by_node ON chain_firms (node_id);
CREATE TABLE chain_bases (
    base_id BIGINT NOT NULL REFERENCES bases(id),
    node_id TEXT NOT NULL,
    updated_by BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (base_id, node_id)
)
"#,
    ),
    (
        14,
        "open challenges (揭榜挂帅): challenges, applications and their attachments, expert panels, reviews, milestones",
        r#"
CREATE TABLE challenges (
    id {ID},
    title TEXT NOT NULL,
    problem TEXT NOT NULL,
    indicators TEXT NOT NULL,
    funding_wan {FLOAT},
    reward TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    department TEXT NOT NULL,
    chain_node TEXT,
    gap_rule TEXT,
    criteria TEXT NOT NULL,
    apply_by TEXT,
    finish_by TEXT,
    state TEXT NOT NULL,
    winner_id BIGINT,
    outcome_note TEXT,
    synthetic BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE challenge_applications (
    id {ID},
    challenge_id BIGINT NOT NULL REFERENCES challenges(id),
    org_kind TEXT NOT NULL,
    org_id TEXT NOT NULL,
    org_name TEXT NOT NULL,
    summary TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX challenge_applications_once ON challenge_applications (challenge_id, org_kind, org_id);
CREATE TABLE challenge_attachments (
    id {ID},
    application_id BIGINT NOT NULL REFERENCES challenge_applications(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data {BLOB} NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE TABLE challenge_experts (
    id {ID},
    challenge_id BIGINT NOT NULL REFERENCES challenges(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    org_kind TEXT NOT NULL,
    org_id TEXT NOT NULL,
    interests TEXT NOT NULL,
    assigned_by BIGINT,
    assigned_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX challenge_experts_once ON challenge_experts (challenge_id, user_id);
CREATE TABLE challenge_reviews (
    id {ID},
    application_id BIGINT NOT NULL REFERENCES challenge_applications(id),
    expert_id BIGINT NOT NULL REFERENCES users(id),
    scores TEXT NOT NULL,
    comment TEXT NOT NULL,
    submitted BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX challenge_reviews_once ON challenge_reviews (application_id, expert_id);
CREATE TABLE challenge_milestones (
    id {ID},
    challenge_id BIGINT NOT NULL REFERENCES challenges(id),
    name TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT,
    note TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
)
"#,
    ),
    (
        15,
        "chip-terminal matchmaking: chip products, terminal needs, meetings and their outcomes",
        r#"
CREATE TABLE match_products (
    id {ID},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    process_node_nm BIGINT,
    maturity TEXT NOT NULL,
    annual_volume BIGINT,
    note TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    synthetic BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX match_products_by_enterprise ON match_products (enterprise_id);
CREATE TABLE match_needs (
    id {ID},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    annual_volume BIGINT,
    needed_by TEXT NOT NULL,
    requirements TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    synthetic BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX match_needs_by_enterprise ON match_needs (enterprise_id);
CREATE TABLE match_meetings (
    id {ID},
    product_id BIGINT NOT NULL REFERENCES match_products(id),
    need_id BIGINT NOT NULL REFERENCES match_needs(id),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL,
    note TEXT NOT NULL,
    outcome TEXT,
    outcome_on TEXT,
    outcome_note TEXT,
    synthetic BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX match_meetings_by_pair ON match_meetings (product_id, need_id)
"#,
    ),
    (
        16,
        "jobs: long work claimed by one server, taken over when that server dies",
        r#"
CREATE TABLE jobs (
    id {ID},
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_by BIGINT,
    requested_ip TEXT NOT NULL,
    server TEXT NOT NULL,
    claim BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    result_id BIGINT,
    error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_running ON jobs (state, heartbeat_at)
"#,
    ),
    (
        17,
        "enterprise figures: one index fewer to keep up on every import",
        // A firm's current figures are found by the partial unique index, one figure's history by the
        // year index (year, both states, firm); the index of every row by firm was kept up on each of an
        // import's many figure rows for the rare history page alone.
        r#"
DROP INDEX enterprise_figures_by_firm
"#,
    ),
    (
        18,
        "enterprises: the directory's order (cities in the province's order, then name) as an index",
        // The directory is paged in the province's order of cities; without this index every page of a
        // large registry sorted the whole table. `{CITY_ORDER}` is the same expression the query orders by
        // (`crate::enterprises::city_order`), so the planner matches the two. Within a city the index by
        // city orders by name and then id (PostgreSQL's index holds no row id of its own).
        r#"
CREATE INDEX enterprises_in_order ON enterprises (({CITY_ORDER}), name, id);
DROP INDEX enterprises_by_city;
CREATE INDEX enterprises_by_city ON enterprises (city, name, id)
"#,
    ),
    (
        19,
        "enterprises: names searched by trigrams, USCCs by their first characters, not by scanning the registry",
        // A search for part of a name (`q=`) was a `LIKE '%…%'`, which no B-tree serves. Each database
        // gets its own trigram index of names (`{NAME_SEARCH}`, see `render`): SQLite an FTS5 table kept
        // by triggers, PostgreSQL a GIN index of pg_trgm (a trusted extension: the database's owner may
        // create it). A USCC is searched by its beginning (the whole code, or its region's digits), which
        // the USCC's own unique index serves on SQLite and a byte-ordered index on PostgreSQL; trigrams of
        // USCCs would cost an import four times what the names' cost.
        r#"
{NAME_SEARCH}
"#,
    ),
    (
        20,
        "enterprises: PostgreSQL's index of the directory's order carries the city, so a deep page reads the index alone",
        // PostgreSQL answers from an index alone only when it holds every column the query names, and an
        // index on an expression of `city` does not hold `city` itself: a page 500,000 rows deep read the
        // table for each row it skipped (558 ms on a million firms; 33–42 ms with the column included).
        // SQLite reads its expression indexes alone already: nothing to do there.
        r#"
{ORDER_INDEX_WITH_CITY}
"#,
    ),
    (
        21,
        "enterprise figures: a firm's figures of a year written together are one sealed set",
        // An import wrote one row per figure, each sealed alone: nine rows and nine seals per firm, which
        // alone cost more than the import's time budget (docs/benchmarks.md, "Import"). A row is now a set:
        // the figures written together, their names in `metrics` (`,` between them) and their values
        // sealed as one. A figure's value is the one in the newest set that names it; a set stays current
        // while one of its figures has no newer set. Every row already stored is a set of one figure, whose
        // context (`figure_context`) is what it was sealed under, so nothing needs re-sealing.
        r#"
DROP INDEX enterprise_figures_one_current;
ALTER TABLE enterprise_figures RENAME COLUMN metric TO metrics;
CREATE INDEX enterprise_figures_current_by_firm ON enterprise_figures (enterprise_id, year) WHERE is_current = 1
"#,
    ),
    (
        22,
        "revision: a second counter that progress reports do not move",
        // Every write moved the one counter, and every cache was keyed on it: in a reporting season each
        // report filed made the next reader of every page rebuild the plans' figures, the registry's
        // evaluation results, the chain map and the role table, none of which a report changes. `d` moves
        // with every write but those that change progress reports alone (`Store::begin_report_write`).
        r#"
ALTER TABLE revision ADD COLUMN d BIGINT NOT NULL DEFAULT 0;
UPDATE revision SET d = n
"#,
    ),
];

/// PostgreSQL: migration 18's index again, with `city` included.
const ORDER_INDEX_WITH_CITY_POSTGRES: &str = r#"
DROP INDEX enterprises_in_order;
CREATE INDEX enterprises_in_order ON enterprises (({CITY_ORDER}), name, id) INCLUDE (city)
"#;

/// SQLite: an FTS5 index of trigrams over the registry's names, holding no copy of the text
/// (`content='enterprises'`), kept in step with the table by triggers, filled once from what is there.
const NAME_SEARCH_SQLITE: &str = r#"
CREATE VIRTUAL TABLE enterprises_search USING fts5(name, content='enterprises', content_rowid='id', tokenize='trigram');
CREATE TRIGGER enterprises_search_insert AFTER INSERT ON enterprises BEGIN
    INSERT INTO enterprises_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER enterprises_search_delete AFTER DELETE ON enterprises BEGIN
    INSERT INTO enterprises_search (enterprises_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER enterprises_search_update AFTER UPDATE OF name ON enterprises WHEN old.name IS NOT new.name BEGIN
    INSERT INTO enterprises_search (enterprises_search, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO enterprises_search (rowid, name) VALUES (new.id, new.name);
END;
INSERT INTO enterprises_search (enterprises_search) VALUES ('rebuild')
"#;

/// PostgreSQL: a GIN index of trigrams, which serves `ILIKE '%…%'` itself, and the USCCs in byte order
/// (whatever the database's collation) for a search by their beginning.
const NAME_SEARCH_POSTGRES: &str = r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX enterprises_name_trigrams ON enterprises USING gin (name gin_trgm_ops);
CREATE INDEX enterprises_uscc_bytes ON enterprises ((uscc COLLATE "C"))
"#;

pub fn render(sql: &str, backend: Backend) -> String {
    let (id, float, blob, search, order) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "REAL", "BLOB", NAME_SEARCH_SQLITE, ""),
        Backend::Postgres => {
            ("BIGSERIAL PRIMARY KEY", "DOUBLE PRECISION", "BYTEA", NAME_SEARCH_POSTGRES, ORDER_INDEX_WITH_CITY_POSTGRES)
        }
    };
    // Placeholders that bring others come first.
    sql.replace("{ORDER_INDEX_WITH_CITY}", order)
        .replace("{ID}", id)
        .replace("{FLOAT}", float)
        .replace("{BLOB}", blob)
        .replace("{CITY_ORDER}", crate::enterprises::city_order())
        .replace("{NAME_SEARCH}", search)
}

/// Splits a migration into statements (no statement of ours contains a semicolon inside a literal). A
/// trigger's body holds statements of its own: it runs from `CREATE TRIGGER` to the `END` that closes it.
pub fn statements(sql: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut trigger: Option<String> = None;
    for part in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        match trigger.take() {
            Some(mut body) => {
                body.push_str(";\n");
                body.push_str(part);
                if ends_with_word(part, "END") {
                    out.push(body);
                } else {
                    trigger = Some(body);
                }
            }
            None if starts_with_words(part, &["CREATE", "TRIGGER"]) && !ends_with_word(part, "END") => {
                trigger = Some(part.to_string());
            }
            None => out.push(part.to_string()),
        }
    }
    out.extend(trigger);
    out
}

fn starts_with_words(s: &str, words: &[&str]) -> bool {
    let mut it = s.split_whitespace();
    words.iter().all(|w| it.next().is_some_and(|x| x.eq_ignore_ascii_case(w)))
}

fn ends_with_word(s: &str, word: &str) -> bool {
    s.split_whitespace().next_back().is_some_and(|x| x.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_body_stays_in_one_statement() {
        let sql = "CREATE TABLE a (x INT);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n  \
                   INSERT INTO b VALUES (2);\nEND;\ncreate trigger u after delete on a begin delete from b; end;\nDROP TABLE c";
        let got = statements(sql);
        assert_eq!(got.len(), 4, "{got:#?}");
        assert_eq!(got[0], "CREATE TABLE a (x INT)");
        assert!(got[1].starts_with("CREATE TRIGGER t") && got[1].ends_with("END"), "{}", got[1]);
        assert_eq!(got[1].matches("INSERT INTO b").count(), 2);
        assert!(got[2].starts_with("create trigger u") && got[2].ends_with("end"), "{}", got[2]);
        assert_eq!(got[3], "DROP TABLE c");
    }

    #[test]
    fn every_migration_renders_for_both_databases_without_a_placeholder_left() {
        for (version, _, sql) in MIGRATIONS {
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let r = render(sql, backend);
                let left = r.split('{').skip(1).find_map(|after| {
                    let name = after.split('}').next()?;
                    (!name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')).then_some(name)
                });
                assert_eq!(left, None, "migration {version} keeps a placeholder");
            }
        }
    }
}
