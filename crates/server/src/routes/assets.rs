//! Static files compiled into the binary ([`crate::assets`]), under `/static/…`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::routing::RouteTable;

pub fn routes(t: RouteTable) -> RouteTable {
    t.bare_get("/static/{*path}", serve)
}

async fn serve(Path(path): Path<String>) -> Result<Response, AppError> {
    let asset = crate::assets::find(&path).ok_or(AppError::NotFound)?;
    let mut response = (StatusCode::OK, asset.bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(response)
}
