"""The OpenAPI 3.1 document of the bookings API, written as data (served at
`/api/v1/openapi.json`; a test checks it lists exactly the endpoints the API serves)."""

from __future__ import annotations

from typing import Any

from concierge_app import routes
from concierge_app.domain.api_keys import READ_BOOKINGS, SCOPES, WRITE_BOOKINGS
from concierge_app.domain.booking_input import COLLECTORS, LOCALES, MAX_EXTERNAL
from concierge_app.domain.idempotency import MAX_KEY

_REF = {
    "name": "ref",
    "in": "path",
    "required": True,
    "description": "Our reference (BK-000123) or the external reference (your id).",
    "schema": {"type": "string", "maxLength": MAX_EXTERNAL},
}
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same request again with the same key: the first answer is "
    "replayed (header Idempotent-Replayed: true). The same key with another body: 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _booking_answer(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pushed"}}},
    }


_ERRORS = {
    "400": _error("Malformed JSON."),
    "401": _error("No API key, or an unknown one."),
    "403": _error("The key is revoked or lacks the scope."),
    "413": _error("The body is larger than 64 KB."),
    "415": _error("The body is not application/json."),
    "422": _error("Invalid: `fields` says what is wrong with each field."),
}
_READ_ERRORS = {k: _ERRORS[k] for k in ("401", "403")}

_BOOKING_IN: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "external_reference",
        "guest",
        "property",
        "check_in",
        "check_out",
        "currency",
        "accommodation_total_minor",
    ],
    "properties": {
        "external_reference": {
            "type": "string",
            "maxLength": MAX_EXTERNAL,
            "description": "Your booking id (letters, digits and . _ : / # -); a known one "
            "updates its booking.",
        },
        "guest": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "email"],
            "properties": {
                "name": {"type": "string", "maxLength": 200},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "language": {"type": "string", "enum": list(LOCALES), "default": "en_US"},
            },
        },
        "property": {"type": "string", "description": "The property's code.", "maxLength": 20},
        "check_in": {"type": "string", "format": "date"},
        "check_out": {"type": "string", "format": "date"},
        "currency": {"type": "string", "description": "ISO 4217, e.g. EUR.", "maxLength": 3},
        "accommodation_total_minor": {
            "type": "integer",
            "minimum": 0,
            "description": "In minor units of `currency` (12050 = 120.50 EUR).",
        },
        "accommodation_paid_minor": {
            "type": "integer",
            "minimum": 0,
            "default": 0,
            "description": "Already paid (never lowered by an update).",
        },
        "collected_by": {"type": "string", "enum": list(COLLECTORS), "default": "platform"},
    },
}
_BOOKING_OUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
        "external_reference": {"type": ["string", "null"]},
        "status": {"type": "string"},
        "guest": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "email": {"type": "string"},
                "language": {"type": "string"},
            },
        },
        "property": {"type": "string"},
        "check_in": {"type": "string", "format": "date"},
        "check_out": {"type": "string", "format": "date"},
        "currency": {"type": "string"},
        "accommodation_total_minor": {"type": "integer"},
        "accommodation_paid_minor": {"type": "integer"},
        "collected_by": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
        "cancel_reason": {"type": ["string", "null"]},
    },
}


def openapi_document() -> dict[str, Any]:
    booking = {"$ref": "#/components/schemas/Booking"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Concierge Billing bookings API",
            "version": "1",
            "description": "For a PMS or channel manager: push bookings by your external "
            "reference, read and cancel them. Amounts are integer minor units with an ISO "
            "currency. Errors: {error: {code, message, fields}}.",
        },
        "security": [{"bearer": []}],
        "paths": {
            routes.API_BOOKINGS: {
                "post": {
                    "operationId": "pushBooking",
                    "summary": "Create a booking, or update the one with this external_reference",
                    "description": "Send the whole booking: an omitted optional field takes "
                    "its default. The same rules as the staff form and the CSV import; an "
                    "update never lowers what is paid.",
                    "security": [{"bearer": [WRITE_BOOKINGS]}],
                    "parameters": [_IDEMPOTENCY],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/BookingIn"}
                            }
                        },
                    },
                    "responses": {
                        "201": _booking_answer("Created."),
                        "200": _booking_answer("Updated, or unchanged (result says which)."),
                        "409": _error(
                            "Conflict, or the Idempotency-Key was used for another request."
                        ),
                        **_ERRORS,
                    },
                },
                "get": {
                    "operationId": "findBookings",
                    "summary": "The booking (none or one) with this external reference",
                    "security": [{"bearer": [READ_BOOKINGS]}],
                    "parameters": [
                        {
                            "name": "external_reference",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "maxLength": MAX_EXTERNAL},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The bookings found.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"data": {"type": "array", "items": booking}},
                                    }
                                }
                            },
                        },
                        "422": _ERRORS["422"],
                        **_READ_ERRORS,
                    },
                },
            },
            routes.API_BOOKING: {
                "get": {
                    "operationId": "getBooking",
                    "summary": "One booking, by our reference or yours",
                    "security": [{"bearer": [READ_BOOKINGS]}],
                    "parameters": [_REF],
                    "responses": {
                        "200": {
                            "description": "The booking.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"data": booking},
                                    }
                                }
                            },
                        },
                        "404": _error("No such booking."),
                        **_READ_ERRORS,
                    },
                }
            },
            routes.API_BOOKING_CANCEL: {
                "post": {
                    "operationId": "cancelBooking",
                    "summary": "Cancel the booking and its services (drafts voided)",
                    "security": [{"bearer": [WRITE_BOOKINGS]}],
                    "parameters": [_REF, _IDEMPOTENCY],
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {"reason": {"type": "string", "maxLength": 500}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _booking_answer("Cancelled."),
                        "404": _error("No such booking."),
                        "409": _error(
                            "Already cancelled, or the Idempotency-Key was used for "
                            "another request."
                        ),
                        **_ERRORS,
                    },
                }
            },
            routes.API_OPENAPI: {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document."}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer ck_live_… — a key made by staff "
                    f"(scopes: {', '.join(SCOPES)}).",
                }
            },
            "schemas": {
                "BookingIn": _BOOKING_IN,
                "Booking": _BOOKING_OUT,
                "Pushed": {
                    "type": "object",
                    "properties": {
                        "result": {
                            "type": "string",
                            "enum": ["created", "updated", "unchanged", "cancelled"],
                        },
                        "data": booking,
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message", "fields"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "fields": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        }
                    },
                },
            },
        },
    }
