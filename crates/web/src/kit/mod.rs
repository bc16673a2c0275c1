//! What the resources' handlers share. For the JSON API: `api` (permission, write prelude, JSON parsing).
//! For the pages: `ui` (session checks, the frame, formatting, badges, CSV and JSON exports), `layout` (the
//! page frame), `charts` (SVG sparklines, indicator charts, the city tile map) and `assets` (the stylesheet
//! and script).

pub mod api;
pub mod assets;
pub mod charts;
pub mod layout;
pub mod ui;
