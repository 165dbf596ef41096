"""The OpenAPI document of the bookings API: valid JSON of OpenAPI 3.1, and it lists exactly the
endpoints (paths and methods) the API serves."""

from __future__ import annotations

import json

from concierge_app import routes
from concierge_app.api_v1.bookings import ENDPOINTS
from concierge_app.api_v1.openapi import openapi_document

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def test_the_document_is_json_of_openapi_3_1_with_its_references_resolved() -> None:
    document = json.loads(json.dumps(openapi_document()))
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    text = json.dumps(document)
    for name in document["components"]["schemas"]:
        assert f"#/components/schemas/{name}" in text or name == "BookingIn"
    refs = {part.split('"')[0] for part in text.split('"$ref": "')[1:]}
    for ref in refs:
        assert ref.removeprefix("#/components/schemas/") in document["components"]["schemas"]


def test_every_endpoint_is_in_the_document_and_every_documented_one_is_served() -> None:
    served = {(path, method.lower()) for path, by in ENDPOINTS.items() for method in by}
    documented = {
        (path, method)
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert served == documented
    assert all(path.startswith(routes.API_V1) for path, _ in served)


def test_every_operation_says_its_answers_and_its_scope() -> None:
    for item in openapi_document()["paths"].values():
        for operation in item.values():
            assert operation["responses"] and operation["operationId"]
            assert "security" in operation
