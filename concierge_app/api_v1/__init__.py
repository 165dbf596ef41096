"""The bookings JSON API (`/api/v1/…`) for a PMS or channel manager: thin HTTP handlers over
`services/integrations`. `http.py` reads requests and writes errors, `bookings.py` the
endpoints, `openapi.py` the OpenAPI document, `app.py` the routes mounted by `api.py`."""
