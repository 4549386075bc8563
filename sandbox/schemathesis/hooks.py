"""Schemathesis hooks for intent-sandbox (run by scripts/schemathesis.sh).

Auth per operation, as the spec's security schemes say: the merchant key (`Authorization: Basic <key>`,
the key itself as Dojo has it, not base64 user:password) for merchant and test routes; for the
browser routes the intent's (or setup intent's) own client session secret as a Bearer token, looked up
through the merchant API for the intent in the path, and for the saved cards a customer secret made for
the customer in the path (OpenAPI links cannot carry an Authorization header).

Schemathesis sets auth when it generates a case, and a stateful step puts the linked intent's id into
the path only after that; so `before_call` looks the secret up again for the id actually sent. It
touches only the values this auth produced: an Authorization header that schemathesis mutated or
removed on purpose (negative testing) goes out as it is.
"""

import os
import re

import requests
import schemathesis
from schemathesis.specs.openapi import stateful as _stateful

KEY = os.environ["SANDBOX_SECRET_KEY"]
BASE = os.environ["SANDBOX_URL"]
MERCHANT = {"Authorization": f"Basic {KEY}", "version": "2025-09-10"}
UNKNOWN = "Bearer cs_unknown"

# Every Bearer value this auth handed out, so `before_call` can tell them from generated ones.
_ours = {UNKNOWN}


def _scheme(path):
    """The security scheme openapi.yaml gives the operation at `path`."""
    if path.startswith("/payment-intents/public/"):
        return "clientSessionSecret"
    if path.startswith("/setup-intents/public/"):
        return "setupSecret"
    if path.startswith("/customers/public/"):
        return "customerSecret"
    if path.startswith(("/demo/", "/challenge", "/healthz")):
        return None
    return "merchantKey"


def _bearer(intent_id):
    if not intent_id:
        return UNKNOWN
    res = requests.get(
        f"{BASE}/payment-intents/{intent_id}",
        params={"returnCanceled": "true"},
        headers=MERCHANT,
        timeout=10,
    )
    secret = res.json().get("clientSessionSecret") if res.status_code == 200 else None
    if not secret:
        return UNKNOWN
    value = f"Bearer {secret}"
    _ours.add(value)
    return value


def _intent_id(case):
    return str((case.path_parameters or {}).get("paymentIntentId") or "")


def _setup_secret(setup_id):
    """The setup intent's own client session secret, as a Bearer value."""
    if not setup_id:
        return UNKNOWN
    res = requests.get(
        f"{BASE}/setup-intents/{setup_id}",
        params={"returnCanceled": "true"},
        headers=MERCHANT,
        timeout=10,
    )
    secret = res.json().get("clientSessionSecret") if res.status_code == 200 else None
    return f"Bearer {secret}" if secret else UNKNOWN


def _customer_secret(customer_id):
    """A fresh customer secret for the customer in the path, as a Basic value."""
    res = None
    if customer_id:
        res = requests.post(
            f"{BASE}/customers/{customer_id}/create-secret",
            headers={**MERCHANT, "Content-Type": "application/json"},
            timeout=10,
        )
    secret = res.json().get("secret") if res is not None and res.status_code == 200 else None
    return f"Basic {secret or 'cus_secret_unknown'}"


@schemathesis.auth(refresh_interval=None)
class SandboxAuth:
    def get(self, case, context):
        scheme = _scheme(context.operation.path)
        if scheme == "clientSessionSecret":
            return _bearer(_intent_id(case))
        params = case.path_parameters or {}
        if scheme == "setupSecret":
            return _setup_secret(str(params.get("setupIntentId") or ""))
        if scheme == "customerSecret":
            return _customer_secret(str(params.get("customerId") or ""))
        if scheme == "merchantKey":
            return f"Basic {KEY}"
        return None

    def set(self, case, data, context):
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": data}


# A positive case's Content-Type must name its body's media type. Schemathesis pins a declared
# Content-Type parameter to it, but it also sent an undeclared, empty one (beside random extra headers)
# in a positive case, and ST202 failed on the sandbox's 415: a POST without `Content-Type:
# application/json` is refused on purpose (no other site's page can send that type without a CORS
# preflight). Only that header of positive cases is corrected; negative cases keep theirs.
def _pin_content_type(case):
    meta = case.meta
    headers = case.headers or {}
    if meta is None or not meta.generation.mode.is_positive or case.media_type is None:
        return
    if any(k.lower() == "content-type" and v != case.media_type for k, v in headers.items()):
        case.headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}


# A stateful link can fill a path parameter with an empty string (e.g. a payment intent's optional
# `setupIntentId` stored as ""), and the empty segment then names another route: `POST
# /setup-intents/public/{id}/payment-methods` with id "" went out as `POST /setup-intents/public/payment-methods`,
# the setup intent "payment-methods", which takes only GET (405). No API id is empty: such a value is sent
# as an id that names nothing, so the request reaches the operation under test.
def _no_empty_path_ids(case):
    params = case.path_parameters or {}
    if any(v == "" for v in params.values()):
        case.path_parameters = {k: ("unknown" if v == "" else v) for k, v in params.items()}


@schemathesis.hook
def before_call(context, case, kwargs):
    _pin_content_type(case)
    _no_empty_path_ids(case)
    if _scheme(case.operation.path) != "clientSessionSecret":
        return
    headers = case.headers or {}
    if headers.get("Authorization") in _ours:
        case.headers = {**headers, "Authorization": _bearer(_intent_id(case))}


# In part of the generated cases, pay with a card the sandbox accepts (a random number almost never
# passes the Luhn check) and capture or refund 1 (random amounts are almost always more than is left),
# so stateful runs get past pay to captures, refunds, reversals and receipts. Only values that are
# already schema-valid are swapped for other schema-valid values, so a body generated to break the
# schema (negative testing) stays broken.
TEST_CARD = {"number": "4242424242424242", "expiryMonth": 12, "expiryYear": 2040, "cvc": "123"}
DIGITS = re.compile(r"^(?:[+-]?[0-9]{1,3}|[0-9]{4})$")


def _card_digits(v):
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and DIGITS.match(v))


def _schema_valid_card(card):
    return (
        isinstance(card, dict)
        and isinstance(card.get("number"), str)
        and len(card["number"]) <= 40
        and isinstance(card.get("cvc"), str)
        and len(card["cvc"]) <= 8
        and _card_digits(card.get("expiryMonth"))
        and _card_digits(card.get("expiryYear"))
    )


def _with_test_card(body):
    method = body.get("paymentMethod") if isinstance(body, dict) else None
    if not isinstance(method, dict) or not set(method) <= {"id", "card"}:
        return body
    card, ref = method.get("card"), method.get("id")
    if _schema_valid_card(card):
        name = card.get("cardholderName")
        named = {"cardholderName": "Test Payer"} if isinstance(name, str) and len(name) <= 200 else {}
        return {**body, "paymentMethod": {**method, "card": {**card, **TEST_CARD, **named}}}
    # A reference the sandbox never issued: pay by card instead (both are schema-valid shapes).
    if card is None and isinstance(ref, str) and len(ref) <= 64:
        return {**body, "paymentMethod": {"card": TEST_CARD, "id": None}}
    return body


def _with_small_amount(body):
    """1 is within what is left of any paid intent, so a capture or refund can succeed."""
    amount = body.get("amount") if isinstance(body, dict) else None
    if isinstance(amount, int) and not isinstance(amount, bool) and 1 <= amount <= 2**53 - 1:
        return {**body, "amount": 1}
    return body


# Operation path -> the swap that lets part of its generated cases succeed.
REALISTIC = {
    "/payment-intents/public/{paymentIntentId}/payments": _with_test_card,
    "/payment-intents/{paymentIntentId}/captures": _with_small_amount,
    "/payment-intents/{paymentIntentId}/refunds": _with_small_amount,
    "/demo/payment-intents/{paymentIntentId}/captures": _with_small_amount,
    "/demo/payment-intents/{paymentIntentId}/refunds": _with_small_amount,
}


def _few(body):
    """Bulk creates of at most 50: thousands per call would fill the open-intent cap (then every
    create in the stateful phase is a 429) and spend the run's time making intents."""
    count = body.get("count") if isinstance(body, dict) else None
    if isinstance(count, int) and not isinstance(count, bool) and 1 <= count <= 10_000:
        return {**body, "count": count % 50 + 1}
    return body


@schemathesis.hook
def before_generate_body(context, strategy):
    path = context.operation.path if context.operation is not None else None
    if path == "/test/intents/bulk":
        return strategy.map(_few)
    swap = REALISTIC.get(path)
    return strategy | strategy.map(swap) if swap else strategy


# Stateful runs start from operations schemathesis deems likely to succeed with generated data. It
# reads Dojo's optional `setupIntentId` and `billingAddress` on create as references to resources no
# operation here produces, so it would never start from `POST /payment-intents` (and never reach the
# merchant's captures, refunds and reversals). Creating needs no other resource: say so. (An internal
# of the pinned schemathesis version; scripts/setup.sh installs exactly that one.)
_likely_root = _stateful.is_likely_root_transition


def _create_is_a_root(operation, node, produced_anywhere):
    if operation.label == "POST /payment-intents":
        return True
    return _likely_root(operation, node, produced_anywhere)


_stateful.is_likely_root_transition = _create_is_a_root
