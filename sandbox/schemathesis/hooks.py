"""Schemathesis hooks for intent-sandbox (run by scripts/schemathesis.sh).

Auth per operation, as the spec's security schemes say: the merchant key (`Authorization: Basic <key>`,
the key itself as Dojo has it, not base64 user:password) for merchant and test routes, and for the
browser routes the intent's own client session secret as a Bearer token, looked up through the
merchant API for the intent in the path (OpenAPI links cannot carry an Authorization header).
"""

import os

import requests
import schemathesis

KEY = os.environ["SANDBOX_SECRET_KEY"]
BASE = os.environ["SANDBOX_URL"]
MERCHANT = {"Authorization": f"Basic {KEY}", "version": "2025-09-10"}


def _scheme(path):
    """The security scheme openapi.yaml gives the operation at `path`."""
    if path.startswith("/payment-intents/public/"):
        return "clientSessionSecret"
    if path.startswith(("/demo/", "/challenge", "/healthz")):
        return None
    return "merchantKey"


def _secret(intent_id):
    if not intent_id:
        return None
    res = requests.get(
        f"{BASE}/payment-intents/{intent_id}",
        params={"returnCanceled": "true"},
        headers=MERCHANT,
        timeout=10,
    )
    if res.status_code != 200:
        return None
    return res.json().get("clientSessionSecret")


@schemathesis.auth(refresh_interval=None)
class SandboxAuth:
    def get(self, case, context):
        scheme = _scheme(context.operation.path)
        if scheme == "clientSessionSecret":
            secret = _secret((case.path_parameters or {}).get("paymentIntentId"))
            return f"Bearer {secret or 'cs_unknown'}"
        if scheme == "merchantKey":
            return f"Basic {KEY}"
        return None

    def set(self, case, data, context):
        if data is not None:
            case.headers = {**(case.headers or {}), "Authorization": data}
