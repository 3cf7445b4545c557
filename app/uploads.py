"""Multipart uploads: a body is read only once its sender is known, within the route's limit.

An upload route declares `dependencies=[Depends(accepting(...))]`, which checks the media type
and gives the body the route's size allowance, and takes an `Upload` from
`Depends(received_from(sender), scope="function")`, which reads the form only after `sender`
(the route's authentication) has accepted the caller. Nothing of a refused caller's body is
read, and a form spools its files to disk, so no upload is held in memory.
"""

import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, BinaryIO, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from app.config import Settings
from app.db.models import User
from app.deps import ServicesDep
from app.errors import InvalidRequest, UnsupportedMediaType
from app.middleware import allow_body
from app.web.deps import CSRF_FIELD

FILE_PART = "file"
TRANSPORT_FIELDS = frozenset({FILE_PART, CSRF_FIELD})
"""Parts that carry the upload itself or its CSRF token rather than the route's options."""
MULTIPART_OVERHEAD_BYTES = 64_000
"""Room in an upload's body for the form fields and multipart boundaries besides the file."""
MAX_FIELDS = 30
MAX_FIELD_BYTES = 10_000
DIGEST_CHUNK = 1 << 20

Options = TypeVar("Options", bound=BaseModel)


@dataclass(frozen=True)
class Upload:
    """A received file and the form's other fields (a repeated field as a list)."""

    file: BinaryIO
    filename: str | None
    fields: dict[str, str | list[str]]

    def options(self, model: type[Options]) -> Options:
        """The form's fields read as `model`, refused in the API's validation shape."""
        try:
            return model.model_validate(self.fields)
        except ValidationError as error:
            raise RequestValidationError(
                [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]
            ) from None

    def digest(self) -> str:
        """A digest of the file and the fields, for Idempotency-Key: a retry sends the same."""
        hasher = hashlib.sha256()
        for name in sorted(self.fields):
            hasher.update(repr((name, self.fields[name])).encode("utf-8", "backslashreplace"))
        hasher.update(b"\0file\0")
        self.file.seek(0)
        while chunk := self.file.read(DIGEST_CHUNK):
            hasher.update(chunk)
        self.file.seek(0)
        return hasher.hexdigest()


def documented(options: type[BaseModel], file: str) -> dict[str, Any]:
    """The route's OpenAPI request body: the multipart form, `file` (described by `file`)
    beside the fields of `options`."""
    schema = options.model_json_schema()
    properties = {FILE_PART: {"type": "string", "format": "binary", "description": file}}
    form = {
        "type": "object",
        "properties": {**properties, **schema.get("properties", {})},
        "required": [FILE_PART, *schema.get("required", [])],
    }
    content = {"multipart/form-data": {"schema": form}}
    return {"requestBody": {"required": True, "content": content}}


def accepting(
    what: str, example: str, limit: Callable[[Settings], int]
) -> Callable[[Request, ServicesDep], None]:
    """A route dependency: refuse a body that is not multipart/form-data, saying what to send
    (`what`) and how (`example`), and allow the body `limit` bytes of file besides the form."""

    def accept_upload(request: Request, services: ServicesDep) -> None:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "multipart/form-data":
            raise UnsupportedMediaType(f"Send {what} as multipart/form-data ({example}).")
        allow_body(request, limit(services.settings) + MULTIPART_OVERHEAD_BYTES)

    return accept_upload


def received_from(sender: Callable[..., Any]) -> Callable[..., AsyncIterator[Upload]]:
    """A dependency giving the upload, read once `sender` has accepted the caller."""

    async def receive_upload(
        request: Request, _caller: Annotated[User, Depends(sender)]
    ) -> AsyncIterator[Upload]:
        form = await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES)
        try:
            yield _upload_of(form.multi_items())
        finally:
            await form.close()

    return receive_upload


def _upload_of(items: list[tuple[str, str | UploadFile]]) -> Upload:
    files = [value for name, value in items if name == FILE_PART]
    if len(files) != 1 or not isinstance(files[0], UploadFile):
        raise InvalidRequest(
            f"Attach exactly one file, as the form's `{FILE_PART}` part.", fields=[FILE_PART]
        )
    fields: dict[str, str | list[str]] = {}
    for name, value in items:
        if name in TRANSPORT_FIELDS:
            continue
        if not isinstance(value, str):
            raise InvalidRequest(f"Only `{FILE_PART}` may be a file.", fields=[name])
        given = fields.get(name)
        fields[name] = value if given is None else [*_listed(given), value]
    return Upload(files[0].file, files[0].filename, fields)


def _listed(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]
