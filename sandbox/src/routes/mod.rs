//! The router: which handler answers which method and path. Everything the handlers share about
//! HTTP lives in `crate::http`; what they do to intents lives in `crate::store`.

pub mod browser;
pub mod card_frame;
pub mod challenge;
pub mod customers;
pub mod demo;
pub mod intent_fields;
pub mod merchant;
pub mod payment_methods;
pub mod records;
pub mod setup_intents;
pub mod test_routes;
pub mod webhooks;

use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::http::layers;
use crate::AppState;

pub fn router(st: AppState) -> Router {
    let api = Router::new()
        .route("/payment-intents", post(merchant::create))
        .route("/payment-intents/search", post(records::search))
        .route("/payment-intents/refunds/{id}", get(records::refund))
        .route("/payment-intents/{id}/receipt", post(records::receipt))
        .route(
            "/payment-intents/{id}",
            get(merchant::get_intent).delete(merchant::cancel),
        )
        .route(
            "/payment-intents/{id}/refresh-client-session-secret",
            post(merchant::refresh),
        )
        .route("/payment-intents/{id}/captures", post(merchant::capture))
        .route("/payment-intents/{id}/reversal", post(merchant::reversal))
        .route("/payment-intents/{id}/refunds", post(merchant::refund))
        .route(
            "/payment-intents/{id}/tips-amount",
            post(merchant::set_amount),
        )
        .route("/payment-intents/{id}/amount", post(merchant::set_amount))
        .route("/payment-intents/public/{id}", get(browser::get_intent))
        .route("/payment-intents/public/{id}/payments", post(browser::pay))
        .route(
            "/payment-intents/public/{id}/payment-methods",
            post(payment_methods::create),
        )
        .route(
            "/payment-intents/public/{id}/tips-amount",
            post(browser::set_amount),
        )
        .route(
            "/payment-intents/public/{id}/amount",
            post(browser::set_amount),
        )
        .route("/payment-intents/public/{id}/events", get(browser::events))
        .route("/payment-intents/{id}/charge", post(setup_intents::charge))
        .route("/setup-intents", post(setup_intents::create))
        .route(
            "/setup-intents/{id}",
            get(setup_intents::get).delete(setup_intents::cancel),
        )
        .route(
            "/setup-intents/{id}/refresh-client-session-secret",
            post(setup_intents::refresh),
        )
        .route("/setup-intents/public/{id}", get(setup_intents::get_public))
        .route(
            "/setup-intents/public/{id}/confirm",
            post(setup_intents::confirm),
        )
        .route(
            "/setup-intents/public/{id}/events",
            get(setup_intents::events),
        )
        .route(
            "/setup-intents/public/{id}/payment-methods",
            post(setup_intents::create_reference),
        )
        .route("/customers", post(customers::create))
        .route(
            "/customers/{id}",
            get(customers::get)
                .patch(customers::update)
                .delete(customers::delete),
        )
        .route(
            "/customers/{id}/create-secret",
            post(customers::create_secret),
        )
        .route(
            "/customers/public/{customerId}/payment-methods",
            get(customers::payment_methods),
        )
        .route(
            "/customers/public/{customerId}/payment-methods/{paymentMethodId}",
            delete(customers::remove_payment_method),
        )
        .route("/demo/payment-intents", post(demo::create))
        .route("/demo/payment-intents/{id}/{action}", post(demo::act))
        .route("/demo/setup-intents", post(demo::create_booking))
        .route(
            "/demo/customers/{id}/create-secret",
            post(demo::customer_secret),
        )
        .route("/webhooks/events", get(webhooks::events))
        .route("/webhooks", get(webhooks::list).post(webhooks::subscribe))
        .route(
            "/webhooks/{id}",
            get(webhooks::get)
                .patch(webhooks::update)
                .delete(webhooks::unsubscribe),
        )
        .route(
            "/webhooks/{id}/secrets",
            get(webhooks::secrets).post(webhooks::generate_secret),
        )
        .route(
            "/webhooks/{id}/secrets/{secret}",
            delete(webhooks::delete_secret),
        )
        .route(
            "/webhooks/{id}/secrets/{secret}/activate",
            put(webhooks::activate_secret),
        )
        .route("/test/clock", get(test_routes::clock))
        .route("/test/clock/advance", post(test_routes::advance))
        .route(
            "/test/faults",
            get(test_routes::get_faults)
                .post(test_routes::set_faults)
                .delete(test_routes::clear_faults),
        )
        .route("/test/webhook-deliveries", get(test_routes::deliveries))
        .route("/test/ledger", get(test_routes::ledger))
        .route("/test/receipts", get(test_routes::receipts))
        .route("/test/intents/bulk", post(test_routes::bulk))
        .route("/test/reset", post(test_routes::reset))
        .route(
            "/test/challenges/{id}/complete",
            post(challenge::complete_for_test),
        )
        .route("/healthz", get(test_routes::health))
        .method_not_allowed_fallback(layers::method_not_allowed);
    let api = layers::guard_routes(api, &st).with_state(st.clone());
    // Pages that hold card fields or a completion credential: no CORS headers, so no other origin can
    // read them.
    let framed = Router::new()
        .route("/card-frame/v1", get(card_frame::page))
        .route("/challenge.js", get(challenge::script))
        .route("/challenge.css", get(challenge::style))
        .route("/challenge/{id}", get(challenge::page))
        .route("/challenge/{id}/complete", post(challenge::complete))
        .method_not_allowed_fallback(layers::method_not_allowed);
    let framed = layers::guard_routes(framed, &st).with_state(st.clone());
    layers::wrap(api.merge(crate::static_files::router(&st)), framed, &st)
}
