"""Scoping cases for the core URLs (see tests/scoping/framework.py)."""

from tests.scoping.framework import Case


def _enterprise_changes(world):
    return {"own": {"model_label": "enterprises.Enterprise", "pk": world.enterprise_a.pk},
            "foreign": {"model_label": "enterprises.Enterprise", "pk": world.enterprise_b.pk}}


CASES = {
    "core:home": Case.global_(note="cards are counted through the choke point by each app"),
    "core:login": Case.public(),
    "core:logout": Case.global_(note="POST only; GET answers 405"),
    "core:otp": Case.global_(note="redirects users without a second factor"),
    "core:password_change": Case.global_(),
    "core:regions": Case.global_(note="public reference data"),
    "core:changes": Case.objects(_enterprise_changes),
    "core:audit_log": Case.role("audit_admin"),
    "core:health": Case.public(),
    "favicon": Case.public(note="browsers ask for /favicon.ico: a redirect to the vendored icon", expect=(301,)),
    "api:openapi-json": Case.global_(),
    "api:openapi-view": Case.global_(),
    "public_api:api-root": Case.public(note="the public API root itself serves nothing", expect=(404,)),
    "public_api:openapi-json": Case.public(),
    "public_api:openapi-view": Case.public(),
    "api:api-root": Case.global_(note="the API root itself serves nothing", expect=(404,)),
}
