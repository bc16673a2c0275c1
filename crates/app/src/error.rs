//! The error every use case returns. Each carries a stable code (for programs), the HTTP status it maps
//! to, and its message in Chinese and English; `details` names fields where the input was wrong.

use jiqun_domain::Lang;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct AppError {
    pub code: &'static str,
    pub status: u16,
    pub zh: String,
    pub en: String,
    pub details: Vec<(String, String, String)>,
}

impl AppError {
    pub fn new(code: &'static str, status: u16, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError { code, status, zh: zh.into(), en: en.into(), details: Vec::new() }
    }

    pub fn not_found(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new("not_found", 404, zh, en)
    }

    pub fn forbidden() -> AppError {
        AppError::new("forbidden", 403, "无权执行此操作", "you may not do this")
    }

    pub fn unauthorized() -> AppError {
        AppError::new("unauthorized", 401, "请先登录", "please log in")
    }

    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new("conflict", 409, zh, en)
    }

    /// Bad input in one field.
    pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        let (zh, en) = (zh.into(), en.into());
        let mut e = AppError::new("invalid", 422, format!("输入有误：{zh}"), format!("invalid input: {en}"));
        e.details.push((field.to_string(), zh, en));
        e
    }

    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError::new("internal", 500, format!("内部错误：{what}"), format!("internal error: {what}"))
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    pub fn details(&self, lang: Lang) -> Vec<Detail> {
        self.details
            .iter()
            .map(|(f, zh, en)| Detail {
                field: f.clone(),
                message: if lang == Lang::Zh { zh.clone() } else { en.clone() },
            })
            .collect()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.en)
    }
}

impl std::error::Error for AppError {}

impl From<jiqun_store::StoreError> for AppError {
    fn from(e: jiqun_store::StoreError) -> Self {
        match e {
            jiqun_store::StoreError::NotFound(what) => {
                AppError::not_found(format!("未找到：{what}"), format!("not found: {what}"))
            }
            jiqun_store::StoreError::Conflict(what) => {
                AppError::conflict(format!("操作冲突：{what}"), format!("conflict: {what}"))
            }
            other => AppError::internal(other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
