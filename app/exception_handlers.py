"""One place that turns every failure into the product's single error shape."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app.errors import DomainError, InvalidRequest, NotFound
from app.untrusted import shown

log = logging.getLogger(__name__)

HTTP_NAMES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    408: "RequestTimeout",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
}

# pydantic's words for a lone surrogate ("unable to parse raw data") say nothing of the fix.
NOT_UNICODE = (
    "The text holds a lone surrogate (an escape such as \\udfff without its pair), which is "
    "not a character; send the characters themselves."
)


def add_exception_handlers(app: FastAPI) -> None:
    """Register the handlers: domain errors, request validation, HTTP errors, the rest."""
    app.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def error_response(error: DomainError) -> JSONResponse:
    """The JSON response for a domain error."""
    return JSONResponse(error.to_dict(), status_code=error.status, headers=error.headers)


async def _domain(_request: Request, error: DomainError) -> JSONResponse:
    return error_response(error)


async def _validation(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = error.errors()
    fields = [".".join(str(part) for part in problem["loc"][1:]) for problem in problems]
    detail = "; ".join(_describe(problem) for problem in problems[:5])
    return error_response(InvalidRequest(detail, fields=[field for field in fields if field]))


def _describe(problem: dict[str, object]) -> str:
    # A location holds the client's own keys (answer ids), so each part is shown escaped.
    location = [shown(str(part)) for part in problem.get("loc", ()) if part != "body"]  # type: ignore[attr-defined]
    if problem.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    message = NOT_UNICODE if problem.get("type") == "string_unicode" else str(problem.get("msg"))
    where = ".".join(location)
    return f"{where}: {message}" if where else message


async def _http(_request: Request, error: HTTPException) -> JSONResponse:
    name = HTTP_NAMES.get(error.status_code, "HTTPError")
    detail = error.detail if isinstance(error.detail, str) else name
    if error.status_code == 404 and detail == "Not Found":
        detail = NotFound("There is nothing at this address.").detail
    body = {"error": name, "detail": detail}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    body = {"error": "InternalError", "detail": "Something went wrong on our side; try again."}
    return JSONResponse(body, status_code=500)
