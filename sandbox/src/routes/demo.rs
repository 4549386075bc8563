//! Demo-only merchant-backend routes (no auth): they stand in for the merchant's server behind the demo
//! page and browser tests, and run the same store operations as the merchant endpoints. Answers carry
//! the browser view, which is what the demo page shows.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};

use crate::clock::rfc3339;
use crate::details::{Details, Schemes, CARD_SCHEMES};
use crate::http::auth::{BaseUrl, DemoEnabled};
use crate::http::body::{json_object, no_fields, Fields, JsonBody};
use crate::http::commit::{self, commit, Caller};
use crate::http::{ApiResult, Problem, Reply};
use crate::lifecycle::{CaptureMode, Money, MAX_AMOUNT};
use crate::store::{NewIntent, NewSetup, RefundDetails, Store, StoreError, StoreResult};
use crate::AppState;
use intent_checkout::core::intent::{Collection, DetailsConfig, IntentConfig};
use intent_checkout::core::order::{Amount, CurrencyCode, ItemLine, TaxLine};

pub async fn create(
    State(st): State<AppState>,
    _: DemoEnabled,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let obj = json_object(&body, true)?;
    let f = Fields::new(&obj, "");
    f.only(&[
        "amount",
        "currencyCode",
        "captureMode",
        "dialect",
        "reference",
        "description",
        "tipsAllowed",
        "customAmountAllowed",
        "tipsAmount",
        "collectEmail",
        "collectBilling",
        "collectShipping",
        "orderLines",
        "cardSchemes",
        "title",
        "redirectUrl",
        "cancelUrl",
        "expireInSeconds",
        // A returning customer's checkout (their saved cards pay), or the no-show charge of a booking.
        "customerId",
        "setupIntentId",
    ])?;
    // Form fields left empty mean "the default" (blank, for the free-text ones).
    let text = |k: &str, max| f.str(k, max).map(|v| v.filter(|s| !s.trim().is_empty()));
    let choice = |k: &str| f.str(k, 10).map(|v| v.filter(|s| !s.is_empty()));
    let currency =
        crate::http::body::currency(choice("currencyCode")?.unwrap_or("GBP"), "currencyCode")?;
    let amount = f.part("amount", 1)?.unwrap_or(1000);
    let tips = f.part("tipsAmount", 0)?.unwrap_or(0);
    if amount.checked_add(tips).map_or(true, |t| t > MAX_AMOUNT) {
        return Err(Problem::invalid("amount", "the total amount is too large"));
    }
    let n = NewIntent {
        dialect: f.dialect("dialect", st.config.dialect)?,
        capture_mode: match choice("captureMode")? {
            None => CaptureMode::Auto,
            Some(_) => f.capture_mode("captureMode")?,
        },
        amount,
        currency,
        tips,
        reference: text("reference", 60)?.unwrap_or("Demo order").to_string(),
        description: Some(
            text("description", 4096)?
                .unwrap_or("intent-checkout demo")
                .to_string(),
        ),
        metadata: BTreeMap::new(),
        custom_amount_allowed: f.bool("customAmountAllowed")?.unwrap_or(false),
        tips_allowed: f.bool("tipsAllowed")?.unwrap_or(false),
        auto_expire_in: None,
        auto_expire_action: None,
        expire_at: f
            .int("expireInSeconds", 1)?
            .map(|secs| st.clock.now() + secs.min(86_400 * 365) * 1000),
        demo: true,
        details: demo_details(&f, &st, amount, currency)?,
    };
    let customer = text("customerId", 100)?.map(str::to_string);
    let setup = text("setupIntentId", 100)?.map(str::to_string);
    let ttl = st.config.token_ttl_secs;
    commit::create(&st, |s, now| {
        if let Some(si) = &setup {
            s.check_chargeable_setup(si)?;
        }
        let change = s.create(n, now, ttl)?;
        if let Some(si) = &setup {
            s.link_charge(&change.id, si);
        }
        if let Some(c) = &customer {
            s.link_customer(&change.id, c);
        }
        let i = s.get(&change.id)?;
        let reply = Reply::json(&json!({
            "paymentIntentId": i.id,
            "clientSessionSecret": i.secret,
            "clientSessionSecretExpirationDate": rfc3339(i.secret_expires),
            "dialect": i.life.dialect().name(),
            "intent": i.browser_value(&base),
        }));
        Ok((change, reply))
    })
    .await
}

/// `{paymentIntentId, intent: <browser view>}` plus the id of what was made, under `made_key`.
fn view(s: &Store, id: &str, base: &str, made: Option<(&str, String)>) -> StoreResult<Reply> {
    let mut out = json!({"paymentIntentId": id, "intent": s.get(id)?.browser_value(base)});
    if let (Value::Object(o), Some((k, v))) = (&mut out, made) {
        o.insert(k.to_string(), Value::String(v));
    }
    Ok(Reply::json(&out))
}

/// `POST /demo/payment-intents/{id}/{action}`: the demo page's merchant buttons and its token refresh.
/// `captures` and `refunds` take an optional `{"amount"}` (default: all of it).
pub async fn act(
    State(st): State<AppState>,
    _: DemoEnabled,
    Path((id, action)): Path<(String, String)>,
    BaseUrl(base): BaseUrl,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    // Only intents the demo made: a merchant's intents are not the demo page's to change.
    if !st.store().get(&id).is_ok_and(|i| i.demo) {
        return Err(StoreError::NotFound("the payment intent").into());
    }
    let amount = || -> ApiResult<Option<i64>> {
        let obj = json_object(&body, true)?;
        let f = Fields::new(&obj, "");
        f.only(&["amount"])?;
        f.int("amount", 1)
    };
    let server = Caller::Server;
    let (id, base) = (id.as_str(), base.as_str());
    match action.as_str() {
        "refresh-client-session-secret" => {
            no_fields(&body)?;
            let ttl = st.config.token_ttl_secs;
            let op = |s: &mut Store, now| s.refresh_secret(id, now, ttl);
            commit(&st, server, None, op, |s, ()| {
                let i = s.get(id)?;
                Ok(Reply::json(&json!({
                    "clientSessionSecret": i.secret,
                    "clientSessionSecretExpirationDate": rfc3339(i.secret_expires),
                })))
            })
            .await
        }
        "captures" => {
            let amount = amount()?;
            let op = |s: &mut Store, now| s.capture(id, amount, now);
            let made = |s: &Store, made| view(s, id, base, Some(("captureId", made)));
            commit(&st, server, None, op, made).await
        }
        "refunds" => {
            let amount = amount()?;
            let op = |s: &mut Store, now| s.refund(id, amount, RefundDetails::default(), now);
            let made = |s: &Store, made| view(s, id, base, Some(("refundId", made)));
            commit(&st, server, None, op, made).await
        }
        "reversal" => {
            no_fields(&body)?;
            let op = |s: &mut Store, now| s.reverse(id, now);
            let made = |s: &Store, made| view(s, id, base, Some(("reversalId", made)));
            commit(&st, server, None, op, made).await
        }
        "cancel" => {
            no_fields(&body)?;
            let op = |s: &mut Store, now| s.cancel(id, now);
            commit(&st, server, None, op, |s, ()| view(s, id, base, None)).await
        }
        // The merchant's charge of a booking's saved card (an intent made with `setupIntentId`).
        "charge" => {
            no_fields(&body)?;
            let settle_ms = (st.config.async_settle_secs * 1000.0) as i64;
            let op = |s: &mut Store, now| {
                let c = s.charge(id, now, settle_ms)?;
                Ok((c.change, c.status.to_string()))
            };
            let made = |s: &Store, status| view(s, id, base, Some(("status", status)));
            commit(&st, server, None, op, made).await
        }
        _ => Err(Problem::not_found("this demo action")),
    }
}

/// The demo form's checkout options, as a merchant would set them on Dojo's create request: what to
/// collect, sample order lines that add up to the amount (two items and 20 % VAT), the accepted card
/// schemes (the demo stands in for the merchant's account), a title, redirect and cancel URLs.
fn demo_details(
    f: &Fields<'_>,
    st: &AppState,
    amount: i64,
    currency: &'static str,
) -> ApiResult<Details> {
    let flag = |k: &str| f.bool(k).map(|b| b.unwrap_or(false));
    let collect = |on: bool| {
        on.then_some(Collection {
            collection_required: true,
        })
    };
    let text = |k: &str| f.str(k, 2048).map(|v| v.filter(|s| !s.trim().is_empty()));
    let mut config = IntentConfig {
        title: text("title")?.map(|t| t.chars().take(100).collect()),
        customer_email: collect(flag("collectEmail")?),
        billing_address: collect(flag("collectBilling")?),
        shipping_details: collect(flag("collectShipping")?),
        ..IntentConfig::default()
    };
    for (key, slot) in [
        ("redirectUrl", &mut config.redirect_url),
        ("cancelUrl", &mut config.cancel_url),
    ] {
        if let Some(u) = text(key)? {
            if !super::intent_fields::is_http_url(u) {
                return Err(Problem::invalid(
                    key,
                    format!("`{key}` must be an http(s) URL"),
                ));
            }
            *slot = Some(u.to_string());
        }
    }
    let mut d = Details {
        card_schemes: match text("cardSchemes")? {
            Some(list) => {
                let names: Vec<&str> = list.split(',').map(str::trim).collect();
                let set = Schemes::of(&names);
                if set.names().len() != names.len() {
                    return Err(Problem::invalid(
                        "cardSchemes",
                        format!("`cardSchemes` takes {}", CARD_SCHEMES.join(",")),
                    ));
                }
                set
            }
            None => Schemes::of(&st.config.card_schemes),
        },
        ..Details::default()
    };
    if flag("orderLines")? {
        let code = CurrencyCode(
            Money::from_code(0, currency)
                .map_err(|_| Problem::invalid("currencyCode", "unknown currency"))?
                .currency(),
        );
        let m = |value| Amount {
            value,
            currency_code: code,
        };
        let vat = amount / 6; // 20 % VAT of a price that includes it
        let first = (amount - vat) * 2 / 3;
        d.item_lines = vec![
            ItemLine {
                name: Some("Espresso beans, 1 kg".into()),
                quantity: Some(1),
                amount_total: Some(m(first)),
                ..ItemLine::default()
            },
            ItemLine {
                name: Some("Paper filters".into()),
                quantity: Some(2),
                amount_total: Some(m(amount - vat - first)),
                ..ItemLine::default()
            },
        ];
        d.tax_lines = vec![TaxLine {
            id: Some("vat".into()),
            caption: Some("VAT".into()),
            sub_caption: Some("20%".into()),
            amount_total: m(vat),
            affected_plu: None,
        }];
        config.details = Some(DetailsConfig {
            show_total: Some(true),
            show_reference: Some(true),
        });
    }
    d.config = config;
    Ok(d)
}

/// `POST /demo/setup-intents` `{amount?}`: the demo's "Book a table": a new customer and a setup intent for a
/// no-show fee of `amount` (minor units of GBP, default 2500), as a restaurant's server would make them →
/// `{setupIntentId, clientSessionSecret, customerId}`.
pub async fn create_booking(
    State(st): State<AppState>,
    _: DemoEnabled,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let obj = json_object(&body, true)?;
    let f = Fields::new(&obj, "");
    f.only(&["amount"])?;
    let amount = f.part("amount", 1)?.unwrap_or(2500);
    if amount > MAX_AMOUNT {
        return Err(Problem::invalid("amount", "the amount is too large"));
    }
    let currency = crate::http::body::currency("GBP", "amount")?;
    let terms = format!(
        "Your table is held with this card. If you do not come and do not cancel by 6pm, we charge a no-show fee of £{}.{:02}.",
        amount / 100,
        amount % 100
    );
    let ttl = st.config.token_ttl_secs;
    let op = |s: &mut Store, now| {
        let customer = s.create_customer(crate::store::CustomerFields::default(), now);
        let n = NewSetup {
            dialect: st.config.dialect,
            reference: "Table for 2, Friday 8pm".into(),
            terms,
            mit_type: "NoShow".into(),
            intended: Some((amount, currency)),
            customer: Some(customer.clone()),
            metadata: BTreeMap::new(),
            expire_at: None,
        };
        let id = s.create_setup(n, now, ttl)?;
        Ok((id, customer))
    };
    commit::commit_unpublished(&st, Caller::Server, None, op, |s, (id, customer)| {
        Ok(Reply::json(&json!({
            "setupIntentId": id,
            "clientSessionSecret": s.setup(&id)?.secret,
            "customerId": customer,
        })))
    })
    .await
}

/// `POST /demo/customers/{id}/create-secret`: a customer secret for the demo's returning customer, as the
/// merchant's server would get one (`POST /customers/{id}/create-secret`) → `{secret, expireAt}`.
pub async fn customer_secret(
    State(st): State<AppState>,
    _: DemoEnabled,
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
    Ok(Reply::json(&json!({"secret": secret, "expireAt": rfc3339(expires)})).into_response())
}
