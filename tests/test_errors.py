"""Domain errors: the one error shape, whatever client text a detail or a field echoes."""

import json

import pytest

from app.errors import DomainError, InvalidRequest, UnknownField


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            UnknownField("Unknown field ids: q9.", fields=["q9"]),
            {"error": "UnknownField", "detail": "Unknown field ids: q9.", "fields": ["q9"]},
        ),
        (
            InvalidRequest("name \udfff is odd", fields=["a\ud800", "\u202e"]),
            {
                "error": "InvalidRequest",
                "detail": "name \ufffd is odd",
                "fields": ["a\ufffd", "\u202e"],
            },
        ),
        (DomainError("\ud83d"), {"error": "DomainError", "detail": "\ufffd"}),
    ],
)
def test_the_error_shape_always_encodes(error: DomainError, expected: dict[str, object]) -> None:
    assert error.to_dict() == expected
    assert str(error) == expected["detail"]
    json.dumps(error.to_dict(), ensure_ascii=False).encode("utf-8")
