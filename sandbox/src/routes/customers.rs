//! Customers (Dojo's `/customers`): the merchant creates, reads, updates and deletes them and makes
//! short-lived customer secrets; the page, with a customer secret as `Authorization: Basic` (Dojo's
//! scheme for customer-owned resources), lists and removes the customer's saved cards.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::http::auth::{auth_value, Merchant};
use crate::http::body::{json_object, no_fields, Fields, JsonBody};
use crate::http::{ok, ApiResult, Problem};
use crate::store::{CustomerFields, CustomerSecretError, StoreError};
use crate::AppState;

/// The sandbox's merchant id in `CustomerPaymentMethods`.
const MERCHANT_ID: &str = "sandbox";

fn parse_fields(body: &axum::body::Bytes) -> ApiResult<CustomerFields> {
    let obj = json_object(body, false)?;
    let f = Fields::new(&obj, "");
    // Addresses are accepted and not kept (the sandbox has no use for them yet).
    f.only(&[
        "name",
        "emailAddress",
        "phoneNumber",
        "vatNumber",
        "billingAddress",
        "shippingAddress",
    ])?;
    let phone = f.str("phoneNumber", 50)?;
    if phone.is_some_and(|p| p.chars().count() < 5) {
        return Err(Problem::invalid(
            "phoneNumber",
            "`phoneNumber` has 5 to 50 characters",
        ));
    }
    Ok(CustomerFields {
        name: f.str("name", 100)?.map(str::to_string),
        email: f.str("emailAddress", 254)?.map(str::to_string),
        phone: phone.map(str::to_string),
        vat: f.str("vatNumber", 50)?.map(str::to_string),
    })
}

pub async fn create(
    State(st): State<AppState>,
    _: Merchant,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let fields = parse_fields(&body)?;
    let mut store = st.store();
    let id = store.create_customer(fields, st.clock.now());
    Ok(ok(&store.customer(&id)?.dojo_json()))
}

/// `GET /customers/{ids}`: Dojo answers an array, for one id or several separated by commas.
pub async fn get(
    State(st): State<AppState>,
    _: Merchant,
    Path(ids): Path<String>,
) -> ApiResult<Response> {
    let store = st.store();
    let found: Vec<Value> = ids
        .split(',')
        .filter_map(|id| store.customer(id.trim()).ok())
        .map(|c| c.dojo_json())
        .collect();
    if found.is_empty() {
        return Err(Problem::not_found("the customer"));
    }
    Ok(ok(&Value::Array(found)))
}

pub async fn update(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let fields = parse_fields(&body)?;
    let mut store = st.store();
    store.update_customer(&id, fields, st.clock.now())?;
    Ok(ok(&store.customer(&id)?.dojo_json()))
}

pub async fn delete(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    st.store().delete_customer(&id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /customers/{id}/create-secret` → Dojo's `CustomerSecret`, valid as long as a client session
/// secret (`--token-ttl`).
pub async fn create_secret(
    State(st): State<AppState>,
    _: Merchant,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    if !body.is_empty() {
        no_fields(&body)?;
    }
    let now = st.clock.now();
    let (secret, expires) =
        st.store()
            .create_customer_secret(&id, now, st.config.token_ttl_secs)?;
    Ok(ok(&json!({
        "secret": secret,
        "createdAt": rfc3339(now),
        "expireAt": rfc3339(expires),
    })))
}

/// The page, for the customer in the path: `Authorization: Basic <customer secret>`.
pub struct CustomerSecret {
    pub id: String,
}

impl FromRequestParts<AppState> for CustomerSecret {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> ApiResult<Self> {
        let axum::extract::Path(params) =
            axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, st)
                .await
                .map_err(|e| Problem::not_found(&format!("the resource ({e})")))?;
        let id = params
            .into_iter()
            .find(|(k, _)| k == "customerId")
            .map(|(_, v)| v)
            .ok_or_else(|| Problem::not_found("the customer"))?;
        let secret = auth_value(&parts.headers, "Basic")
            .ok_or(StoreError::CustomerSecret(CustomerSecretError::Unknown))?;
        st.store()
            .check_customer_secret(secret, &id, st.clock.now())?;
        Ok(CustomerSecret { id })
    }
}

/// `GET /customers/public/{customerId}/payment-methods` → Dojo's `CustomerPaymentMethods`.
pub async fn payment_methods(
    State(st): State<AppState>,
    CustomerSecret { id }: CustomerSecret,
) -> ApiResult<Response> {
    let store = st.store();
    let saved: Vec<Value> = store
        .saved_methods_of(&id)?
        .into_iter()
        .map(|m| m.dojo_json())
        .collect();
    Ok(ok(&json!({
        "customerId": id,
        "merchantId": MERCHANT_ID,
        "savedPaymentMethods": saved,
        "supportedPaymentMethods": {"cardSchemes": ["VISA", "MASTERCARD", "AMEX"], "wallets": []},
    })))
}

/// `DELETE /customers/public/{customerId}/payment-methods/{paymentMethodId}` → 204.
pub async fn remove_payment_method(
    State(st): State<AppState>,
    CustomerSecret { id }: CustomerSecret,
    Path((_, pm)): Path<(String, String)>,
) -> ApiResult<Response> {
    st.store().remove_saved_method(&id, &pm)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
