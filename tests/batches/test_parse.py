"""Reading class files: the same rows from every format, every bad-row reason, every refusal of
a whole file, and hostile files (huge lines, deep nesting, zip bombs, path traversal)."""

import csv
import io
import json
import struct
import warnings
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from app.batches import archive, parse
from app.batches.formats import MAX_LINE_CHARS
from app.batches.parse import ClassFile, ClassRow, read_class_file, read_model
from app.errors import InvalidRequest, PayloadTooLarge
from app.grading.limits import MAX_ANSWER_CHARS
from app.problemsets.catalog import ProblemCatalog

FIELDS = {
    field_id: field.is_upload
    for field_id, field in ProblemCatalog().compiled("dl-ex1").fields.items()
}
TEXT_FIELDS = [field_id for field_id, upload in FIELDS.items() if not upload]
UPLOAD_FIELDS = [field_id for field_id, upload in FIELDS.items() if upload]
GOOD = {"student": "ada", "answers": {"q1.a": "X \\in \\mathbb{R}^{m \\times 10}"}}

# What a class hands in: text answers (some blank), model files, optional hand-in times.
CLASS: list[dict[str, Any]] = [
    {
        "student": "Ada Lovelace",
        "answers": {"q1.a": "m x 10", "q2.total": "1000", "q4.baseline": "models/ada.pt"},
        "submitted_at": "2026-11-02T14:30:00+01:00",
    },
    {
        "student": "hopper@example.org",
        "answers": {"q1.b.W_h": "50 x 10", "q1.a": "", "q3.c": 'a, "b"\nc'},
        "submitted_at": "2026-11-02T09:00:00Z",
    },
    {
        "student": "李小龙",
        "answers": {"q4.dropout": "./models/li.safetensors", "q2.layer1": " 3 "},
    },
    {"student": "Robert'); DROP TABLE users;--", "answers": {"q1.a": '=HYPERLINK("x")'}},
]
MODELS = {"models/ada.pt": b"\x80\x02pt", "models/li.safetensors": b"{}safetensors"}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(tmp_path: Path, name: str, data: bytes) -> ClassFile:
    return read_class_file(write(tmp_path, name, data), filename=name, fields=FIELDS)


def jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def as_csv(rows: list[dict[str, Any]]) -> bytes:
    columns = sorted({field for row in rows for field in row["answers"]})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "submitted_at", *columns])
    for row in rows:
        answers = row["answers"]
        cells = [answers.get(column, "") for column in columns]
        writer.writerow([row["student"], row.get("submitted_at", ""), *cells])
    return out.getvalue().encode()


def zipped(entries: Mapping[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        # Writing one name twice is a hostile case here; zipfile warns about it.
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(out, "w", method) as archive_file:
            for name, data in entries.items():
                archive_file.writestr(name, data)
    return out.getvalue()


def expected(rows: list[dict[str, Any]], *, entries: Mapping[str, str]) -> list[tuple[Any, ...]]:
    """What each row should read as, computed from the rows: blank answers dropped."""
    result = []
    for row in rows:
        given = {field: text for field, text in row["answers"].items() if text.strip()}
        models = {
            field: entries[text.strip().removeprefix("./")]
            for field, text in given.items()
            if FIELDS[field]
        }
        answers = {field: text for field, text in given.items() if not FIELDS[field]}
        when = row.get("submitted_at")
        parsed = datetime.fromisoformat(when) if when else None
        result.append((row["student"], answers, models, parsed))
    return result


def contents(rows: list[ClassRow]) -> list[tuple[Any, ...]]:
    return [(row.student, row.answers, row.models, row.submitted_at) for row in rows]


def rewrite_header(data: bytes, name: str, *, flags: int = 0, size: int | None = None) -> bytes:
    """The archive with an entry's headers changed: flag bits set, or a false size declared."""
    patched = bytearray(data)
    encoded = name.encode()
    # (signature, offset of the flags, offset of the uncompressed size, offset of the name)
    for signature, flag_at, size_at, name_at in ((b"PK\x03\x04", 6, 22, 30),
                                                  (b"PK\x01\x02", 8, 24, 46)):  # fmt: skip
        at = patched.find(signature)
        while at >= 0:
            if patched[at + name_at : at + name_at + len(encoded)] == encoded:
                (old,) = struct.unpack_from("<H", patched, at + flag_at)
                struct.pack_into("<H", patched, at + flag_at, old | flags)
                if size is not None:
                    struct.pack_into("<L", patched, at + size_at, size)
            at = patched.find(signature, at + 4)
    return bytes(patched)


# --- the same rows from every format ----------------------------------------------------------


def test_every_format_reads_the_same_rows(tmp_path: Path) -> None:
    text_rows = [
        {**row, "answers": {f: a for f, a in row["answers"].items() if not FIELDS[f]}}
        for row in CLASS
    ]
    want = expected(text_rows, entries={})
    from_jsonl = read(tmp_path, "class.jsonl", jsonl(text_rows))
    from_ndjson = read(tmp_path, "class.NDJSON", jsonl(text_rows))
    from_csv = read(tmp_path, "class.csv", as_csv(text_rows))
    assert contents(from_jsonl.rows) == contents(from_ndjson.rows) == want
    assert contents(from_csv.rows) == want
    assert [row.line for row in from_jsonl.rows] == [1, 2, 3, 4]
    # The CSV header is line 1, and the quoted cell with a line break stays on one row.
    assert [row.line for row in from_csv.rows] == [2, 3, 4, 5]
    assert (from_jsonl.format, from_csv.format, from_csv.total, from_csv.bad) == (
        "jsonl",
        "csv",
        4,
        [],
    )


@pytest.mark.parametrize(("inner", "encode"), [("class.jsonl", jsonl), ("grades.csv", as_csv)])
@pytest.mark.parametrize("folder", ["", "hw5/", "./"])
def test_a_zip_reads_the_same_rows_and_names_its_model_files(
    tmp_path: Path, inner: str, encode: Any, folder: str
) -> None:
    entries = {f"{folder}{inner}": encode(CLASS)} | {
        f"{folder}{name}": data for name, data in MODELS.items()
    }
    parsed = read(tmp_path, "upload.bin", zipped(entries))
    names = {name: f"{folder}{name}" for name in MODELS}
    assert parsed.format == "zip" and parsed.bad == []
    assert contents(parsed.rows) == expected(CLASS, entries=names)
    for row in parsed.rows:
        for entry in row.models.values():
            data = read_model(tmp_path / "upload.bin", entry, max_bytes=1_000)
            assert data == MODELS[entry.removeprefix(folder)]


# --- bad rows: reported with their line, the others still read -------------------------------

LONG = "x" * (MAX_ANSWER_CHARS + 1)

BAD_JSONL_ROWS = [
    ('{"student": "bo", "answers": {"q1.a": "1"}', "not valid JSON", None),
    ('{"student": "bo", "answers": {"q1.a": "1"}} trailing', "not valid JSON: Extra data", None),
    ('["bo", {"q1.a": "1"}]', "one JSON object", None),
    ('"bo"', "one JSON object", None),
    ("null", "one JSON object", None),
    ('{"student": "bo", "answers": {"q1.a": "1"}, "grade": 100}', "unknown keys grade", "bo"),
    ('{"answers": {"q1.a": "1"}}', "names no student", None),
    ('{"student": null, "answers": {"q1.a": "1"}}', "names no student", None),
    ('{"student": "   ", "answers": {"q1.a": "1"}}', "the student is empty", None),
    ('{"student": 7, "answers": {"q1.a": "1"}}', "must be text", None),
    ('{"student": ["bo"], "answers": {"q1.a": "1"}}', "must be text", None),
    (json.dumps({"student": "b" * 201, "answers": {"q1.a": "1"}}), "longer than 200", None),
    ('{"student": "b\\u0000o", "answers": {"q1.a": "1"}}', "'\\x00'", None),
    ('{"student": "Eve\\u202eevE", "answers": {"q1.a": "1"}}', "'\\u202e'", None),
    ('{"student": "a\\nb", "answers": {"q1.a": "1"}}', "control character", None),
    ('{"student": "\\ud800", "answers": {"q1.a": "1"}}', "not valid Unicode", None),
    ('{"student": "bo"}', "answers must be an object", "bo"),
    ('{"student": "bo", "answers": ["1"]}', "answers must be an object", "bo"),
    ('{"student": "bo", "answers": "q1.a=1"}', "answers must be an object", "bo"),
    ('{"student": "bo", "answers": {"q1.a": 1}}', "answers to q1.a are not text", "bo"),
    ('{"student": "bo", "answers": {"q1.a": null}}', "not text", "bo"),
    ('{"student": "bo", "answers": {"q1.a": {"$ne": 1}}}', "not text", "bo"),
    ('{"student": "bo", "answers": {"nope": "1", "q9": "2"}}', "unknown field ids nope, q9", "bo"),
    ('{"student": "bo", "answers": {"Q1.A": "1"}}', "the fields are: q1.a,", "bo"),
    (json.dumps({"student": "bo", "answers": {"q1.a": LONG}}), "longer than 2,000", "bo"),
    ('{"student": "bo", "answers": {"q4.baseline": "m.pt"}}', "model files need a ZIP", "bo"),
    ('{"student": "bo", "answers": {"q1.a": "1"}, "submitted_at": "yesterday"}', "ISO-8601", "bo"),
    ('{"student": "bo", "answers": {"q1.a": "1"}, "submitted_at": 1700000000}', "ISO-8601", "bo"),
    (
        '{"student": "bo", "answers": {"q1.a": "1"}, "submitted_at": "2026-11-02T14:30:00"}',
        "no timezone",
        "bo",
    ),
    (
        json.dumps({"student": "bo", "answers": {"q1.a": "1"}, "submitted_at": "2" * 10_000}),
        "ISO-8601",
        "bo",
    ),
    ('{"student": "ada", "answers": {"q1.b.W_h": "1"}}', "already on line 1", "ada"),
    ('{"student": "  ada  ", "answers": {"q1.b.W_h": "1"}}', "already on line 1", "ada"),
    ('{"student": "bo", "answers": {}}', "answers nothing", "bo"),
    ('{"student": "bo", "answers": {"q1.a": "  ", "q2.total": ""}}', "answers nothing", "bo"),
    ('{"student": "bo", "student": "eve", "answers": {}}', "student appears twice", None),
    ('{"student": "bo", "answers": {"q1.a": "1", "q1.a": "2"}}', "q1.a appears twice", None),
    ("[" * 100_000, "nested too deeply", None),
    ('{"student": "bo", "answers": ' + '{"a": ' * 50_000, "nested too deeply", None),
    ('{"student": "bo", "answers": {"q1.a": "a\x00b"}}', "not valid JSON", None),
    ('{"student": "bo", "answers": {"q1.a": "1"}, "n": ' + "9" * 5_000 + "}", "digits", None),
    ('{"student": "' + "b" * MAX_LINE_CHARS + '"}', "longer than 1,000,000", None),
]


@pytest.mark.parametrize(("line", "words", "student"), BAD_JSONL_ROWS)
def test_a_bad_jsonl_row_is_reported_and_the_others_read(
    tmp_path: Path, line: str, words: str, student: str | None
) -> None:
    after = {"student": "zed", "answers": {"q1.a": "1"}}
    body = json.dumps(GOOD) + "\n" + line + "\n" + json.dumps(after) + "\n"
    parsed = read(tmp_path, "class.jsonl", body.encode())
    assert [(row.line, row.student) for row in parsed.rows] == [(1, "ada"), (3, "zed")]
    assert [(bad.line, bad.student) for bad in parsed.bad] == [(2, student)]
    assert words in parsed.bad[0].reason
    assert len(parsed.bad[0].reason) < 600
    assert parsed.total == 3


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    body = "\n\n" + json.dumps(GOOD) + "\r\n   \n\t\n" + '{"student": 1}\n\n'
    parsed = read(tmp_path, "class.jsonl", body.encode())
    assert [row.line for row in parsed.rows] == [3]
    assert [bad.line for bad in parsed.bad] == [6]


def test_one_row_per_student_even_when_the_first_was_bad(tmp_path: Path) -> None:
    rows = [
        {"student": "ada", "answers": {"nope": "1"}},
        {"student": "ada", "answers": {"q1.a": "1"}},
    ]
    parsed = read(tmp_path, "class.jsonl", jsonl(rows))
    assert parsed.rows == []
    assert [(bad.line, bad.reason.split(";")[0]) for bad in parsed.bad] == [
        (1, "unknown field ids nope"),
        (2, "the student ada is already on line 1"),
    ]


def test_times_keep_their_offset(tmp_path: Path) -> None:
    rows = [
        {**GOOD, "submitted_at": "2026-11-02T14:30:00+05:30"},
        {"student": "bo", "answers": {"q1.a": "1"}, "submitted_at": "2026-11-02 09:00Z"},
        {"student": "cy", "answers": {"q1.a": "1"}, "submitted_at": None},
    ]
    parsed = read(tmp_path, "class.jsonl", jsonl(rows))
    india = timezone(timedelta(hours=5, minutes=30))
    assert [row.submitted_at for row in parsed.rows] == [
        datetime(2026, 11, 2, 14, 30, tzinfo=india),
        datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        None,
    ]


BAD_CSV_ROWS = [
    ("bo,1,,,x\n", "column 5 holds text", "bo"),
    (",1,,\n", "the student is empty", None),
    ('"Eve\u202eevE",1,,\n', "'\\u202e'", None),
    ("bo,,,\n", "answers nothing", "bo"),
    ("b\x00o,1,,\n", "'\\x00'", None),
    ("bo,1,,soon\n", "ISO-8601", "bo"),
    ("bo,1,,2026-11-02T14:30\n", "no timezone", "bo"),
    ("bo,,m.pt,\n", "model files need a ZIP", "bo"),
    (f"bo,{LONG},,\n", "longer than 2,000", "bo"),
    ("ada,1,,\n", "already on line 2", "ada"),
]


@pytest.mark.parametrize(("line", "words", "student"), BAD_CSV_ROWS)
def test_a_bad_csv_row_is_reported_with_its_spreadsheet_line(
    tmp_path: Path, line: str, words: str, student: str | None
) -> None:
    body = "student,q1.a,q4.baseline,submitted_at\nada,1,,\n\n" + line + "zed,2,,\n"
    parsed = read(tmp_path, "class.csv", body.encode())
    assert [(row.line, row.student) for row in parsed.rows] == [(2, "ada"), (5, "zed")]
    assert [(bad.line, bad.student) for bad in parsed.bad] == [(4, student)]
    assert words in parsed.bad[0].reason


def test_csv_header_is_forgiving_about_case_space_order_and_blank_columns(
    tmp_path: Path,
) -> None:
    body = '\ufeff\n q1.a , Submitted_At,STUDENT ,,\n"a\nb",2026-11-02T09:00:00Z, bo \nc\n'
    parsed = read(tmp_path, "Class.CSV", body.encode())
    assert contents(parsed.rows) == [
        ("bo", {"q1.a": "a\nb"}, {}, datetime(2026, 11, 2, 9, tzinfo=UTC)),
    ]
    assert [(bad.line, bad.reason) for bad in parsed.bad] == [(4, "the student is empty")]


# --- files refused as a whole ------------------------------------------------------------------

REFUSED_FILES = [
    ("class.txt", b"student\nada\n", "not a class file", []),
    ("class.xlsx", b"PK\x05\x06" + b"\0" * 18, "not a class file", []),
    ("class", b"{}", "not a class file", []),
    ("class.zip", b"student\nada\n", "not a valid ZIP", []),
    ("class.jsonl", json.dumps(GOOD).encode() + b"\nCaf\xe9\n", "not UTF-8", ["line 2"]),
    ("class.jsonl", json.dumps(GOOD).encode("utf-16"), "not UTF-8", ["line 1"]),
    ("class.jsonl", b"", "no rows", []),
    ("class.jsonl", b"\xef\xbb\xbf\n\n  \r\n", "no rows", []),
    ("class.csv", b"", "empty", []),
    ("class.csv", b"student,q1.a\n", "no rows", []),
    ("class.csv", b"\nname,q1.a\nada,1\n", "no column called 'student'", ["line 2"]),
    (
        "class.csv",
        b"student,q1.a,grade\nada,1,A\n",
        "not fields of the problem set: grade",
        ["line 1"],
    ),
    ("class.csv", b"student,answers\nada,1\n", "not fields", ["line 1"]),
    ("class.csv", b"student,Q1.a\nada,1\n", "and field ids: q1.a, q1.b.W_h", ["line 1"]),
    ("class.csv", b"student,q1.a,q1.a\nada,1,2\n", "q1.a twice", ["line 1"]),
    ("class.csv", b"Student,student\nada,ada\n", "student twice", ["line 1"]),
    ("class.csv", b'student,q1.a\nada,1\n"bo,2\n', "not valid CSV", ["line 3"]),
    ("class.csv", b'student,q1.a\nada,1\nbo,"2"x\n', "not valid CSV", ["line 3"]),
    ("class.csv", b'student,q1.a\nbo,"' + b"x" * 200_000 + b'"\n', "field limit", ["line 2"]),
]


@pytest.mark.parametrize(("name", "data", "words", "fields"), REFUSED_FILES)
def test_a_file_that_cannot_be_read_as_a_whole_is_refused(
    tmp_path: Path, name: str, data: bytes, words: str, fields: list[str]
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        read(tmp_path, name, data)
    assert words in caught.value.detail
    assert caught.value.fields == fields


def test_a_refusal_shows_a_hostile_file_name_escaped(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest) as caught:
        read_class_file(
            write(tmp_path, "x", b"{}"), filename="\u202eevil\x1b[31m.exe", fields=FIELDS
        )
    assert "\u202e" not in caught.value.detail and "\x1b" not in caught.value.detail
    assert ".jsonl" in caught.value.detail


@pytest.mark.parametrize("encode", [jsonl, as_csv])
def test_at_most_max_rows_good_or_bad(tmp_path: Path, encode: Any) -> None:
    rows = [{"student": f"s{i}", "answers": {"q1.a": str(i)}} for i in range(parse.MAX_ROWS)]
    rows[7] = {"student": "s7", "answers": {"q1.a": ""}}
    name = "class.jsonl" if encode is jsonl else "class.csv"
    parsed = read(tmp_path, name, encode(rows))
    assert (len(parsed.rows), len(parsed.bad)) == (parse.MAX_ROWS - 1, 1)
    more = rows + [{"student": "one more", "answers": {"q1.a": "1"}}]
    with pytest.raises(InvalidRequest, match="at most 5,000 rows; split"):
        read(tmp_path, name, encode(more))


def test_a_class_file_over_the_size_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parse, "MAX_CLASS_FILE_BYTES", 1_000)
    small = jsonl([GOOD])
    big = jsonl([{"student": f"s{i}", "answers": {"q1.a": "1"}} for i in range(50)])
    assert len(read(tmp_path, "class.jsonl", small).rows) == 1
    with pytest.raises(PayloadTooLarge, match="larger than 1,000 bytes"):
        read(tmp_path, "class.jsonl", big)
    with pytest.raises(PayloadTooLarge, match="class file in the ZIP is larger"):
        read(tmp_path, "class.zip", zipped({"class.jsonl": big}))


# --- ZIP archives -----------------------------------------------------------------------------

CLASS_LINE = jsonl([GOOD])

REFUSED_ZIPS = [
    ({"models/a.pt": b"x"}, "no class file"),
    ({"__MACOSX/class.jsonl": CLASS_LINE, ".hidden.jsonl": CLASS_LINE}, "no class file"),
    ({"../class.jsonl": CLASS_LINE, "/abs/class.csv": b"student\n"}, "no class file"),
    ({"a.jsonl": CLASS_LINE, "b/c.csv": b"student\n"}, "2 class files"),
    ({"class.jsonl": CLASS_LINE, "./class.jsonl": CLASS_LINE}, "two entries named class.jsonl"),
    ({"class.jsonl": CLASS_LINE, "m/a.pt": b"1", "./m/a.pt": b"2"}, "two entries named m/a.pt"),
]


@pytest.mark.parametrize(("entries", "words"), REFUSED_ZIPS)
def test_a_zip_without_exactly_one_class_file_is_refused(
    tmp_path: Path, entries: dict[str, bytes], words: str
) -> None:
    with pytest.raises(InvalidRequest, match=words):
        read(tmp_path, "class.zip", zipped(entries))


def test_a_zip_with_the_same_name_twice_is_refused(tmp_path: Path) -> None:
    data = zipped({"class.jsonl": CLASS_LINE})
    twice = io.BytesIO(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with zipfile.ZipFile(twice, "a") as archive_file:
            archive_file.writestr("class.jsonl", CLASS_LINE)
    with pytest.raises(InvalidRequest, match="two entries named class.jsonl"):
        read(tmp_path, "class.zip", twice.getvalue())


def test_broken_and_hostile_archives_are_refused(tmp_path: Path) -> None:
    good = zipped({"class.jsonl": CLASS_LINE, "m.pt": b"x" * 1000})
    encrypted = rewrite_header(good, "m.pt", flags=0x1)
    bzip2 = zipped({"class.jsonl": CLASS_LINE}, method=zipfile.ZIP_BZIP2)
    cases = [
        (good[: len(good) // 2], "not a valid ZIP"),
        (b"PK\x03\x04" + b"\0" * 100, "not a valid ZIP"),
        (good[:-22] + b"PK\x05\x06" + b"\xff" * 18, "cannot be read|more than 2,000"),
        (encrypted, "m.pt is encrypted"),
        (bzip2, "compression method"),
    ]
    for data, words in cases:
        with pytest.raises(InvalidRequest, match=words):
            read(tmp_path, "class.zip", data)


def test_an_archive_declaring_a_huge_directory_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = zipped({"class.jsonl": CLASS_LINE})
    end = good.rfind(b"PK\x05\x06")
    declared = bytearray(good)
    struct.pack_into("<HH", declared, end + 8, 65_535, 65_535)

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("zipfile parsed the directory")

    monkeypatch.setattr(archive.zipfile, "ZipFile", never)
    with pytest.raises(InvalidRequest, match="more than 2,000 entries"):
        read(tmp_path, "class.zip", bytes(declared))


@pytest.mark.parametrize(
    ("extra", "refused"), [(archive.MAX_ENTRIES - 1, False), (archive.MAX_ENTRIES, True)]
)
def test_at_most_max_entries(tmp_path: Path, extra: int, refused: bool) -> None:
    entries = {"class.jsonl": CLASS_LINE} | {f"m/{i}.pt": b"" for i in range(extra)}
    data = zipped(entries, method=zipfile.ZIP_STORED)
    if refused:
        with pytest.raises(InvalidRequest, match="more than 2,000 entries"):
            read(tmp_path, "class.zip", data)
    else:
        assert read(tmp_path, "class.zip", data).rows[0].student == "ada"


def test_a_zip_whose_declared_sizes_add_up_too_high_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 10_000)
    data = zipped({"class.jsonl": CLASS_LINE, "a.pt": bytes(6_000), "b.pt": bytes(6_000)})
    with pytest.raises(PayloadTooLarge, match="unpacks to 12,"):
        read(tmp_path, "class.zip", data)


def test_model_names_are_keys_never_paths(tmp_path: Path) -> None:
    rows = [
        {"student": "a", "answers": {"q4.baseline": "../../etc/passwd"}},
        {"student": "b", "answers": {"q4.baseline": "../escape.pt"}},
        {"student": "c", "answers": {"q4.baseline": "/abs.pt"}},
        {"student": "d", "answers": {"q4.baseline": ".secret.pt"}},
        {"student": "e", "answers": {"q4.baseline": "missing.pt"}},
        {"student": "f", "answers": {"q4.baseline": "class.jsonl"}},
        {"student": "g", "answers": {"q4.baseline": "model.pkl"}},
        {"student": "h", "answers": {"q4.baseline": "ok.pt", "q4.dropout": "sub/ok.pth"}},
    ]
    entries = {
        "class.jsonl": jsonl(rows),
        "../../etc/passwd": b"root:x:0:0",
        "../escape.pt": b"x",
        "/abs.pt": b"x",
        ".secret.pt": b"x",
        "model.pkl": b"x",
        "ok.pt": b"ok",
        "sub/ok.pth": b"ok2",
        "__MACOSX/._ok.pt": b"junk",
    }
    upload = tmp_path / "upload" / "in" / "class.zip"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(zipped(entries))
    before = sorted(tmp_path.rglob("*"))
    parsed = read_class_file(upload, filename="class.zip", fields=FIELDS)
    assert contents(parsed.rows) == [
        ("h", {}, {"q4.baseline": "ok.pt", "q4.dropout": "sub/ok.pth"}, None)
    ]
    reasons = {bad.student: bad.reason for bad in parsed.bad}
    assert "is not one" in reasons["a"] and "is not one" in reasons["f"]
    assert "is not one" in reasons["g"]
    for student in "bcde":
        assert "the ZIP holds no file" in reasons[student], student
    # Read by name, the traversal entry is only bytes in memory.
    assert read_model(upload, "../../etc/passwd", max_bytes=100) == b"root:x:0:0"
    assert sorted(tmp_path.rglob("*")) == before


def test_read_model_refuses_missing_and_oversized_files(tmp_path: Path) -> None:
    path = write(tmp_path, "class.zip", zipped({"class.jsonl": CLASS_LINE, "m.pt": bytes(5_000)}))
    assert read_model(path, "m.pt", max_bytes=5_000) == bytes(5_000)
    with pytest.raises(PayloadTooLarge, match="larger than 4,999 bytes"):
        read_model(path, "m.pt", max_bytes=4_999)
    with pytest.raises(InvalidRequest, match="no file nope.pt"):
        read_model(path, "nope.pt", max_bytes=5_000)
    with pytest.raises(InvalidRequest, match="not a valid ZIP"):
        read_model(write(tmp_path, "plain.pt", b"\x80\x02"), "m.pt", max_bytes=5_000)


BOMB_BYTES = 64 * 1024 * 1024


def bomb(declared: int | None) -> bytes:
    """A highly compressible model file, its size declared honestly or as `declared`."""
    data = zipped({"class.jsonl": CLASS_LINE, "bomb.pt": bytes(BOMB_BYTES)})
    assert len(data) < BOMB_BYTES // 500
    return data if declared is None else rewrite_header(data, "bomb.pt", size=declared)


@pytest.mark.parametrize(
    ("declared", "error"),
    [(None, PayloadTooLarge), (1_000, InvalidRequest), (BOMB_BYTES // 2, PayloadTooLarge)],
)
def test_a_zip_bomb_is_refused_without_inflating_it(
    tmp_path: Path, declared: int | None, error: type[Exception]
) -> None:
    path = write(tmp_path, "class.zip", bomb(declared))
    parsed = read_class_file(path, filename="class.zip", fields=FIELDS)
    assert parsed.rows[0].student == "ada"
    with pytest.raises(error):
        read_model(path, "bomb.pt", max_bytes=1_000_000)


def test_a_corrupted_entry_is_refused(tmp_path: Path) -> None:
    data = bytearray(zipped({"class.jsonl": CLASS_LINE, "m.pt": b"abc" * 1000}))
    at = data.find(b"m.pt") + len(b"m.pt")
    data[at + 5 : at + 9] = b"\xff\xff\xff\xff"
    with pytest.raises(InvalidRequest, match="cannot be read"):
        read_model(write(tmp_path, "class.zip", bytes(data)), "m.pt", max_bytes=10_000)
