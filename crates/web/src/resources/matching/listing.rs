//! Chip products and terminal needs: the two kinds of listing, which the API and the pages read, add, edit,
//! withdraw and offer again alike. Each is a type implementing `Listing`, which names its use cases; the
//! handlers are written once, generic over it.

use std::future::Future;

use jiqun_app::matching::{MatchNeedInput, MatchNeedView, MatchProductInput, MatchProductView};
use jiqun_app::{App, AppError, Session};
use jiqun_domain::Lang;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A kind of listing: its input and view, and the use cases that read and write it.
pub trait Listing: Send + Sync + 'static {
    type Input: DeserializeOwned + Send + Sync;
    type View: Serialize + Send + Sync;

    /// Where its page is (and where a form post returns to).
    const PAGE: &'static str;

    /// The listings the session may see.
    fn list(app: &App, s: &Session, lang: Lang) -> impl Future<Output = Result<Vec<Self::View>, AppError>> + Send;

    fn read(app: &App, s: &Session, id: i64, lang: Lang) -> impl Future<Output = Result<Self::View, AppError>> + Send;

    /// Adds one; its id.
    fn create(
        app: &App,
        s: &Session,
        input: &Self::Input,
        ip: &str,
    ) -> impl Future<Output = Result<i64, AppError>> + Send;

    fn update(
        app: &App,
        s: &Session,
        id: i64,
        input: &Self::Input,
        ip: &str,
    ) -> impl Future<Output = Result<(), AppError>> + Send;

    /// The input that keeps a listing as it is recorded, active or not, against the version read.
    fn made_active(view: Self::View, active: bool, version: Option<i64>) -> Self::Input;
}

/// Chip products (`/api/v1/matches/products`, `/matching/products`).
pub struct Products;

/// Terminal needs (`/api/v1/matches/needs`, `/matching/needs`).
pub struct Needs;

/// The use cases a kind of listing is read and written with: `listing!(Kind, Input, View, page, list, read,
/// create, update, made_active)`.
macro_rules! listing {
    ($kind:ty, $input:ty, $view:ty, $page:literal, $list:ident, $read:ident, $create:ident, $update:ident, $made_active:path) => {
        impl Listing for $kind {
            type Input = $input;
            type View = $view;

            const PAGE: &'static str = $page;

            async fn list(app: &App, s: &Session, lang: Lang) -> Result<Vec<$view>, AppError> {
                app.$list(s, lang).await
            }

            async fn read(app: &App, s: &Session, id: i64, lang: Lang) -> Result<$view, AppError> {
                app.$read(s, id, lang).await
            }

            async fn create(app: &App, s: &Session, input: &$input, ip: &str) -> Result<i64, AppError> {
                app.$create(s, input, ip).await
            }

            async fn update(app: &App, s: &Session, id: i64, input: &$input, ip: &str) -> Result<(), AppError> {
                app.$update(s, id, input, ip).await
            }

            fn made_active(view: $view, active: bool, version: Option<i64>) -> $input {
                $made_active(view, active, version)
            }
        }
    };
}

listing!(
    Products,
    MatchProductInput,
    MatchProductView,
    "/matching/products",
    match_products,
    match_product,
    create_match_product,
    update_match_product,
    product_made_active
);

listing!(
    Needs,
    MatchNeedInput,
    MatchNeedView,
    "/matching/needs",
    match_needs,
    match_need,
    create_match_need,
    update_match_need,
    need_made_active
);

fn product_made_active(p: MatchProductView, active: bool, version: Option<i64>) -> MatchProductInput {
    MatchProductInput {
        uscc: None,
        name: p.name,
        category: p.category,
        process_node_nm: p.process_node_nm,
        maturity: p.maturity.as_str().into(),
        annual_volume: p.annual_volume,
        note: p.note,
        active: Some(active),
        version,
    }
}

fn need_made_active(n: MatchNeedView, active: bool, version: Option<i64>) -> MatchNeedInput {
    MatchNeedInput {
        uscc: None,
        name: n.name,
        category: n.category,
        annual_volume: n.annual_volume,
        needed_by: n.needed_by.to_string(),
        requirements: n.requirements,
        active: Some(active),
        version,
    }
}
