"""The routes of the bookings API, mounted by `api.py` beside the webhook: every endpoint of
`bookings.ENDPOINTS` (a JSON 405 for another method) and a JSON 404 for any other path."""

from __future__ import annotations

from starlette.routing import Route

from concierge_app import routes
from concierge_app.api_v1.bookings import ENDPOINTS, dispatcher, nowhere

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def api_v1_routes() -> list[Route]:
    endpoints = [Route(path, dispatcher(by), methods=METHODS) for path, by in ENDPOINTS.items()]
    return [*endpoints, Route(routes.API_V1_ANYTHING, nowhere, methods=METHODS)]
