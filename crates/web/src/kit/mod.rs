//! What the resources' handlers share. For the JSON API: `api` (permission, write prelude, JSON parsing).
//! For the pages: `ui` (session checks, the frame, formatting, badges, tables, a form post's answer, CSV and
//! JSON exports with their columns declared once), `layout` (the page frame), `charts` (SVG sparklines,
//! indicator and investment charts in one line-chart frame, the city tile map) and `assets` (the stylesheet
//! and script).

pub mod api;
pub mod assets;
pub mod charts;
pub mod layout;
pub mod ui;
