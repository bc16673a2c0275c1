//! The plan compiler: an action-plan document (text in UTF-8 or GB18030, .docx, .html) in, the plan
//! structure of `jiqun_domain::plan` out. No HTTP, no SQL.

pub mod input;
