//! Routing, handlers and the in-memory store.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt::Display;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Body;
use hyper::header::{HeaderName, HeaderValue, ALLOW, CONNECTION, CONTENT_TYPE, LOCATION};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::RwLock;

use crate::body::{self, BodyError, MAX_BODY_BYTES};
use crate::form;
use crate::Config;

/// The response type of every handler.
pub(crate) type HttpResponse = Response<Full<Bytes>>;

/// The seeded demo user's name and password.
const DEMO_USERNAME: &str = "alice";
const DEMO_PASSWORD: &str = "wonderland";

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;
const MAX_NAME_CHARS: usize = 200;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_SKU_CHARS: usize = 64;
const MAX_QTY: u32 = 10_000;
const MAX_ITEMS: usize = 100;
const ORDER_STATUSES: [&str; 4] = ["pending", "paid", "shipped", "cancelled"];

const JSON: &str = "application/json";

/// The service: configuration and state.
pub(crate) struct App {
    config: Config,
    store: RwLock<Store>,
    tokens_issued: AtomicU64,
    token_keys: std::collections::hash_map::RandomState,
}

#[derive(Debug, Clone, Serialize)]
struct User {
    id: u64,
    name: String,
    email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    sku: String,
    qty: u32,
}

#[derive(Debug, Clone, Serialize)]
struct Order {
    id: u64,
    user_id: u64,
    items: Vec<Item>,
    status: String,
}

struct Store {
    users: BTreeMap<u64, User>,
    orders: BTreeMap<u64, Order>,
    next_user_id: u64,
    next_order_id: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    name: String,
    email: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserUpdate {
    name: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewOrder {
    user_id: u64,
    items: Vec<Item>,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderUpdate {
    items: Option<Vec<Item>>,
    status: Option<String>,
}

/// An error answer: a status and the text for `{"error": ...}`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    message: String,
    allow: Option<&'static str>,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            allow: None,
        }
    }

    fn not_found(what: &str) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn method_not_allowed(allow: &'static str) -> Self {
        ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            message: "method not allowed".to_owned(),
            allow: Some(allow),
        }
    }

    fn into_response(self) -> HttpResponse {
        let mut response = json_response(self.status, &json!({ "error": self.message }));
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static(allow));
        }
        if self.status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body may still be on its way: do not read it as a next request.
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

impl From<BodyError> for ApiError {
    fn from(err: BodyError) -> Self {
        match err {
            BodyError::TooLarge => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body larger than {MAX_BODY_BYTES} bytes"),
            ),
            BodyError::Read(e) => ApiError::bad_request(format!("could not read the body: {e}")),
        }
    }
}

type Result<T, E = ApiError> = std::result::Result<T, E>;

impl App {
    pub(crate) fn new(config: Config) -> Self {
        App {
            config,
            store: RwLock::new(Store::seeded()),
            tokens_issued: AtomicU64::new(0),
            token_keys: std::collections::hash_map::RandomState::new(),
        }
    }

    /// Answers one request, and logs it if so configured.
    pub(crate) async fn handle<B>(&self, request: Request<B>) -> HttpResponse
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Display,
    {
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let response = match self.route(request).await {
            Ok(response) => response,
            Err(err) => err.into_response(),
        };
        if self.config.log_requests {
            eprintln!("{method} {path} {}", response.status().as_u16());
        }
        response
    }

    async fn route<B>(&self, request: Request<B>) -> Result<HttpResponse>
    where
        B: Body<Data = Bytes> + Send + 'static,
        B::Error: Display,
    {
        let decoded = form::decode(request.uri().path().as_bytes(), false);
        let path = match decoded.strip_suffix('/') {
            Some(stripped) if !stripped.is_empty() => stripped,
            _ => decoded.as_str(),
        };
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let method = request.method().clone();
        let get = method == Method::GET || method == Method::HEAD;

        if segments.first() == Some(&"reflect") {
            return self.reflect(request).await;
        }
        match segments.as_slice() {
            ["healthz"] if get => Ok(text_response(StatusCode::OK, "ok")),
            ["healthz"] => Err(ApiError::method_not_allowed("GET, HEAD")),

            ["api", "users"] if get => self.list_users(&request).await,
            ["api", "users"] if method == Method::POST => self.create_user(request).await,
            ["api", "users"] => Err(ApiError::method_not_allowed("GET, HEAD, POST")),
            ["api", "users", id] => {
                let id = parse_id(id, "user")?;
                if get {
                    self.get_user(id).await
                } else if method == Method::PUT {
                    self.update_user(id, request).await
                } else if method == Method::DELETE {
                    self.delete_user(id).await
                } else {
                    Err(ApiError::method_not_allowed("GET, HEAD, PUT, DELETE"))
                }
            }

            ["api", "orders"] if get => self.list_orders(&request).await,
            ["api", "orders"] if method == Method::POST => self.create_order(request).await,
            ["api", "orders"] => Err(ApiError::method_not_allowed("GET, HEAD, POST")),
            ["api", "orders", id] => {
                let id = parse_id(id, "order")?;
                if get {
                    self.get_order(id).await
                } else if method == Method::PUT {
                    self.update_order(id, request).await
                } else if method == Method::DELETE {
                    self.delete_order(id).await
                } else {
                    Err(ApiError::method_not_allowed("GET, HEAD, PUT, DELETE"))
                }
            }

            ["login"] if method == Method::POST => self.login(request).await,
            ["login"] => Err(ApiError::method_not_allowed("POST")),
            ["upload"] if method == Method::POST => upload(request).await,
            ["upload"] => Err(ApiError::method_not_allowed("POST")),

            _ if self.config.albedo_fallback => self.reflect(request).await,
            _ => Err(ApiError::new(StatusCode::NOT_FOUND, "not found")),
        }
    }

    // ---- users ----

    async fn list_users<B>(&self, request: &Request<B>) -> Result<HttpResponse> {
        let query = query_pairs(request);
        let needle = form::first(&query, "q").map(str::to_lowercase);
        let limit = parse_param(&query, "limit", DEFAULT_LIMIT)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_request(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        let offset = parse_param(&query, "offset", 0usize)?;
        let store = self.store.read().await;
        let matching: Vec<&User> = store
            .users
            .values()
            .filter(|user| {
                needle.as_deref().is_none_or(|needle| {
                    user.name.to_lowercase().contains(needle)
                        || user.email.to_lowercase().contains(needle)
                })
            })
            .collect();
        let page: Vec<&User> = matching.iter().copied().skip(offset).take(limit).collect();
        Ok(json_response(
            StatusCode::OK,
            &json!({ "users": page, "total": matching.len(), "limit": limit, "offset": offset }),
        ))
    }

    async fn get_user(&self, id: u64) -> Result<HttpResponse> {
        let store = self.store.read().await;
        let user = store.users.get(&id).ok_or(ApiError::not_found("user"))?;
        Ok(json_response(StatusCode::OK, user))
    }

    async fn create_user<B>(&self, request: Request<B>) -> Result<HttpResponse>
    where
        B: Body<Data = Bytes>,
        B::Error: Display,
    {
        let new: NewUser = read_json(request).await?;
        let name = validate_name(&new.name)?;
        let email = validate_email(&new.email)?;
        let mut store = self.store.write().await;
        store.ensure_email_free(&email, None)?;
        let id = store.next_user_id;
        store.next_user_id += 1;
        let user = User { id, name, email };
        store.users.insert(id, user.clone());
        let mut response = json_response(StatusCode::CREATED, &user);
        insert_location(&mut response, "users", id);
        Ok(response)
    }

    async fn update_user<B>(&self, id: u64, request: Request<B>) -> Result<HttpResponse>
    where
        B: Body<Data = Bytes>,
        B::Error: Display,
    {
        let update: UserUpdate = read_json(request).await?;
        if update.name.is_none() && update.email.is_none() {
            return Err(ApiError::invalid("nothing to update: give name or email"));
        }
        let name = update.name.as_deref().map(validate_name).transpose()?;
        let email = update.email.as_deref().map(validate_email).transpose()?;
        let mut store = self.store.write().await;
        if !store.users.contains_key(&id) {
            return Err(ApiError::not_found("user"));
        }
        if let Some(email) = &email {
            store.ensure_email_free(email, Some(id))?;
        }
        let user = store
            .users
            .get_mut(&id)
            .ok_or(ApiError::not_found("user"))?;
        if let Some(name) = name {
            user.name = name;
        }
        if let Some(email) = email {
            user.email = email;
        }
        Ok(json_response(StatusCode::OK, &*user))
    }

    async fn delete_user(&self, id: u64) -> Result<HttpResponse> {
        let mut store = self.store.write().await;
        store.users.remove(&id).ok_or(ApiError::not_found("user"))?;
        Ok(no_content())
    }

    // ---- orders ----

    async fn list_orders<B>(&self, request: &Request<B>) -> Result<HttpResponse> {
        let query = query_pairs(request);
        let user_id = match form::first(&query, "user_id") {
            Some(value) if !value.is_empty() => Some(
                value
                    .parse::<u64>()
                    .map_err(|_| ApiError::bad_request("user_id must be a number"))?,
            ),
            _ => None,
        };
        let status = form::first(&query, "status").filter(|s| !s.is_empty());
        let store = self.store.read().await;
        let orders: Vec<&Order> = store
            .orders
            .values()
            .filter(|order| user_id.is_none_or(|id| order.user_id == id))
            .filter(|order| status.is_none_or(|status| order.status == status))
            .collect();
        Ok(json_response(
            StatusCode::OK,
            &json!({ "orders": orders, "total": orders.len() }),
        ))
    }

    async fn get_order(&self, id: u64) -> Result<HttpResponse> {
        let store = self.store.read().await;
        let order = store.orders.get(&id).ok_or(ApiError::not_found("order"))?;
        Ok(json_response(StatusCode::OK, order))
    }

    async fn create_order<B>(&self, request: Request<B>) -> Result<HttpResponse>
    where
        B: Body<Data = Bytes>,
        B::Error: Display,
    {
        let new: NewOrder = read_json(request).await?;
        let items = validate_items(new.items)?;
        let status = match new.status {
            Some(status) => validate_status(status)?,
            None => "pending".to_owned(),
        };
        let mut store = self.store.write().await;
        if !store.users.contains_key(&new.user_id) {
            return Err(ApiError::invalid(format!(
                "user {} does not exist",
                new.user_id
            )));
        }
        let id = store.next_order_id;
        store.next_order_id += 1;
        let order = Order {
            id,
            user_id: new.user_id,
            items,
            status,
        };
        store.orders.insert(id, order.clone());
        let mut response = json_response(StatusCode::CREATED, &order);
        insert_location(&mut response, "orders", id);
        Ok(response)
    }

    async fn update_order<B>(&self, id: u64, request: Request<B>) -> Result<HttpResponse>
    where
        B: Body<Data = Bytes>,
        B::Error: Display,
    {
        let update: OrderUpdate = read_json(request).await?;
        if update.items.is_none() && update.status.is_none() {
            return Err(ApiError::invalid("nothing to update: give items or status"));
        }
        let items = update.items.map(validate_items).transpose()?;
        let status = update.status.map(validate_status).transpose()?;
        let mut store = self.store.write().await;
        let order = store
            .orders
            .get_mut(&id)
            .ok_or(ApiError::not_found("order"))?;
        if let Some(items) = items {
            order.items = items;
        }
        if let Some(status) = status {
            order.status = status;
        }
        Ok(json_response(StatusCode::OK, &*order))
    }

    async fn delete_order(&self, id: u64) -> Result<HttpResponse> {
        let mut store = self.store.write().await;
        store
            .orders
            .remove(&id)
            .ok_or(ApiError::not_found("order"))?;
        Ok(no_content())
    }

    // ---- login, upload, reflect ----

    async fn login<B>(&self, request: Request<B>) -> Result<HttpResponse>
    where
        B: Body<Data = Bytes>,
        B::Error: Display,
    {
        require_media_type(
            request.headers(),
            |t| t == "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded",
        )?;
        let (parts, body) = request.into_parts();
        let body = body::read(&parts.headers, body, MAX_BODY_BYTES).await?;
        let pairs = form::parse_pairs(&body);
        let username = form::first(&pairs, "username")
            .ok_or_else(|| ApiError::bad_request("missing field: username"))?;
        let password = form::first(&pairs, "password")
            .ok_or_else(|| ApiError::bad_request("missing field: password"))?;
        if username != DEMO_USERNAME || password != DEMO_PASSWORD {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid username or password",
            ));
        }
        Ok(json_response(
            StatusCode::OK,
            &json!({ "token": self.new_token(), "username": username }),
        ))
    }

    /// A fresh opaque token. The demo checks no tokens; this only looks like a session.
    fn new_token(&self) -> String {
        let n = self.tokens_issued.fetch_add(1, Ordering::Relaxed);
        let mut token = String::with_capacity(32);
        for half in 0..2u64 {
            let mut hasher = self.token_keys.build_hasher();
            hasher.write_u64(n);
            hasher.write_u64(half);
            token.push_str(&format!("{:016x}", hasher.finish()));
        }
        token
    }

    async fn reflect<B>(&self, request: Request<B>) -> Result<HttpResponse>
    where
        B: Body<Data = Bytes>,
        B::Error: Display,
    {
        let (parts, body) = request.into_parts();
        let body = body::read(&parts.headers, body, MAX_BODY_BYTES).await?;
        let target = parts.uri.to_string();
        let answer = rampart_harness::reflect::respond(
            parts.method.as_str().as_bytes(),
            target.as_bytes(),
            &body,
        );
        let status = match StatusCode::from_u16(answer.status) {
            // HTTP/1.1 has no final 1xx answer (hyper would send 500, or switch protocols for
            // 101); Go's server follows an informational status with an implicit 200.
            Ok(status) if status.is_informational() => StatusCode::OK,
            Ok(status) => status,
            Err(_) => StatusCode::BAD_GATEWAY,
        };
        let mut response = Response::new(Full::new(Bytes::from(answer.body)));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        for (name, value) in answer.headers {
            // hyper frames the body itself; a second, different length would break the stream.
            if name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("transfer-encoding")
            {
                continue;
            }
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.append(name, value);
            }
        }
        Ok(response)
    }
}

async fn upload<B>(request: Request<B>) -> Result<HttpResponse>
where
    B: Body<Data = Bytes>,
    B::Error: Display,
{
    let content_type = require_media_type(
        request.headers(),
        |t| t == "multipart/form-data",
        "multipart/form-data",
    )?;
    let boundary = multer::parse_boundary(&content_type)
        .map_err(|e| ApiError::bad_request(format!("bad multipart Content-Type: {e}")))?;
    let (parts, body) = request.into_parts();
    let body = body::read(&parts.headers, body, MAX_BODY_BYTES).await?;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let bad = |e: multer::Error| ApiError::bad_request(format!("bad multipart body: {e}"));

    let mut files = Vec::new();
    let mut fields = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let mut size = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            size += chunk.len();
        }
        match file_name {
            Some(file_name) => files.push(json!({
                "field": name,
                "filename": file_name,
                "content_type": content_type,
                "size": size,
            })),
            None => fields.push(json!({ "field": name, "size": size })),
        }
    }
    if files.is_empty() {
        return Err(ApiError::bad_request("no files in the upload"));
    }
    Ok(json_response(
        StatusCode::CREATED,
        &json!({ "files": files, "fields": fields }),
    ))
}

impl Store {
    fn seeded() -> Self {
        let users = [
            (1, "Alice Liddell", "alice@example.com"),
            (2, "Bob Builder", "bob@example.com"),
            (3, "Carol Danvers", "carol@example.org"),
        ]
        .into_iter()
        .map(|(id, name, email)| {
            let user = User {
                id,
                name: name.to_owned(),
                email: email.to_owned(),
            };
            (id, user)
        })
        .collect();
        let item = |sku: &str, qty| Item {
            sku: sku.to_owned(),
            qty,
        };
        let orders = [
            (
                1,
                1,
                vec![item("BOOK-001", 1), item("TEA-042", 3)],
                "shipped",
            ),
            (2, 1, vec![item("HAT-007", 1)], "pending"),
            (3, 2, vec![item("BRICK-100", 500)], "paid"),
        ]
        .into_iter()
        .map(|(id, user_id, items, status)| {
            let order = Order {
                id,
                user_id,
                items,
                status: status.to_owned(),
            };
            (id, order)
        })
        .collect();
        Store {
            users,
            orders,
            next_user_id: 4,
            next_order_id: 4,
        }
    }

    /// 409 if another user than `except` has `email`.
    fn ensure_email_free(&self, email: &str, except: Option<u64>) -> Result<()> {
        let taken = self
            .users
            .values()
            .any(|u| Some(u.id) != except && u.email.eq_ignore_ascii_case(email));
        if taken {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("email {email} is already in use"),
            ));
        }
        Ok(())
    }
}

// ---- input ----

async fn read_json<T, B>(request: Request<B>) -> Result<T>
where
    T: DeserializeOwned,
    B: Body<Data = Bytes>,
    B::Error: Display,
{
    require_media_type(
        request.headers(),
        |t| t == JSON || (t.starts_with("application/") && t.ends_with("+json")),
        JSON,
    )?;
    let (parts, body) = request.into_parts();
    let body = body::read(&parts.headers, body, MAX_BODY_BYTES).await?;
    serde_json::from_slice(&body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::invalid(format!("invalid request: {e}")),
        _ => ApiError::bad_request(format!("malformed JSON: {e}")),
    })
}

/// The request's media type (lower case, without parameters) if `accept` takes it, else 415.
/// Returns the whole header value, parameters included.
fn require_media_type(
    headers: &HeaderMap,
    accept: impl Fn(&str) -> bool,
    expected: &str,
) -> Result<String> {
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if accept(&essence) {
        Ok(value.to_owned())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be {expected}"),
        ))
    }
}

fn query_pairs<B>(request: &Request<B>) -> Vec<(String, String)> {
    form::parse_pairs(request.uri().query().unwrap_or("").as_bytes())
}

fn parse_param(query: &[(String, String)], name: &str, default: usize) -> Result<usize> {
    match form::first(query, name) {
        None | Some("") => Ok(default),
        Some(value) => value
            .parse()
            .map_err(|_| ApiError::bad_request(format!("{name} must be a non-negative number"))),
    }
}

fn parse_id(segment: &str, what: &str) -> Result<u64> {
    segment
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{what} id must be a number")))
}

fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name.to_owned())
}

fn validate_email(email: &str) -> Result<String> {
    let email = email.trim();
    let well_formed = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !well_formed {
        return Err(ApiError::invalid("email must look like name@domain"));
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(ApiError::invalid(format!(
            "email must be at most {MAX_EMAIL_CHARS} characters"
        )));
    }
    Ok(email.to_owned())
}

fn validate_items(items: Vec<Item>) -> Result<Vec<Item>> {
    if items.is_empty() {
        return Err(ApiError::invalid("an order needs at least one item"));
    }
    if items.len() > MAX_ITEMS {
        return Err(ApiError::invalid(format!(
            "an order has at most {MAX_ITEMS} items"
        )));
    }
    for item in &items {
        if item.sku.trim().is_empty() || item.sku.chars().count() > MAX_SKU_CHARS {
            return Err(ApiError::invalid(format!(
                "sku must be 1 to {MAX_SKU_CHARS} characters"
            )));
        }
        if !(1..=MAX_QTY).contains(&item.qty) {
            return Err(ApiError::invalid(format!(
                "qty must be between 1 and {MAX_QTY}"
            )));
        }
    }
    Ok(items)
}

fn validate_status(status: String) -> Result<String> {
    if ORDER_STATUSES.contains(&status.as_str()) {
        Ok(status)
    } else {
        Err(ApiError::invalid(format!(
            "status must be one of {}",
            ORDER_STATUSES.join(", ")
        )))
    }
}

// ---- output ----

fn json_response<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(mut bytes) => {
            bytes.push(b'\n');
            with_type(status, JSON, bytes)
        }
        Err(_) => with_type(
            StatusCode::INTERNAL_SERVER_ERROR,
            JSON,
            br#"{"error":"could not encode the response"}"#.to_vec(),
        ),
    }
}

fn text_response(status: StatusCode, text: &'static str) -> HttpResponse {
    with_type(
        status,
        "text/plain; charset=utf-8",
        text.as_bytes().to_vec(),
    )
}

/// 204. It has no body, but still says what it would have been.
fn no_content() -> HttpResponse {
    with_type(StatusCode::NO_CONTENT, JSON, Vec::new())
}

fn with_type(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn insert_location(response: &mut HttpResponse, collection: &str, id: u64) {
    if let Ok(value) = HeaderValue::from_str(&format!("/api/{collection}/{id}")) {
        response.headers_mut().insert(LOCATION, value);
    }
}
