//! The application's resources, one folder each. A resource's `mod.rs` says what it is, lists its URLs and
//! holds its route tables (`API`, `PAGES`); `api.rs` has its JSON handlers, `pages.rs` its HTML pages.
//!
//! | URL | resource |
//! |---|---|
//! | `/healthz`, `/api/v1/openapi.json`, `/assets/…` | `system` |
//! | `/api/v1/auth/…`, `/login`, `/logout`, `/account…` | `auth` |
//! | `/api/v1/plans…`, `/plan`, `/plans…` (but rounds, settings and indicators under a plan) | `plans` |
//! | `/api/v1/indicators…`, `…/plans/{id}/indicators`, `/`, `/indicators…`, `/cities…` | `indicators` |
//! | `/api/v1/supervision/…` (and its old paths `/api/v1/assignments…`, `/api/v1/reports…`, `/api/v1/attachments…`), `…/plans/{id}/rounds`, `…/plans/{id}/settings`, `/supervision`, `/agencies/…`, `/my`, `/assignments/…`, `/reports/…`, `/attachments/…` | `supervision` |
//! | `/api/v1/users`, `/api/v1/roles…`, `/api/v1/security/policy` (old path `/api/v1/policy`), `/api/v1/audit`, `/api/v1/changes`, `/users`, `/roles` | `users` |
//! | `/api/v1/enterprises…`, `/enterprises…` (but a firm's libraries and profile) | `enterprises` |
//! | `/api/v1/evaluations…`, `/api/v1/schemes`, `/evaluations…`, `/schemes` | `evaluations` |
//! | `/api/v1/libraries…`, `…/enterprises/{id}/libraries`, `…/enterprises/{id}/profile`, `/libraries…` | `libraries` |
//! | `/api/v1/projects…`, `/projects…` | `projects` |
//! | `/api/v1/bases…`, `/bases…` | `bases` |
//! | `/api/v1/chains…`, `/chains…` | `chains` |
//! | `/api/v1/challenges…`, `/api/v1/challenge-applications…`, `/api/v1/challenge-attachments…`, `/challenges…`, `/challenge-applications…`, `/challenge-attachments…` | `challenges` |
//! | `/api/v1/matches…`, `/matching…` | `matching` |
//! | `/api/v1/templates/…`, `/api/v1/imports…`, `/imports` | `imports` |
//! | `/api/v1/exports/{table}` | `exports` |

pub mod auth; // sign-in and the caller's own account
pub mod bases; // recognised platforms and bases; what an indicator is computed from
pub mod chains; // the chain map: nodes, firms on them, gaps, attraction and technology lists
pub mod challenges; // 揭榜挂帅: open challenges, applications, expert review, milestones
pub mod enterprises; // the registry of firms and their figures
pub mod evaluations; // per-mu evaluation runs, schemes, the resource policy on a run
pub mod exports; // any table the user may read, as an Excel workbook, CSV or JSON
pub mod imports; // Excel templates and the filled-in files taken back
pub mod indicators; // indicators and observations; the dashboard and the city map
pub mod libraries; // cultivation libraries and a firm's place in them
pub mod matching; // chip ↔ terminal matchmaking: products, needs, ranked pairs, meetings, weights
pub mod plans; // plan documents: import, read, close
pub mod projects; // new industrial project admission
pub mod supervision; // assignments, reports, review, attachments, rounds
pub mod system; // health, the OpenAPI document, the static assets
pub mod users; // accounts, roles, security policy, audit trail
