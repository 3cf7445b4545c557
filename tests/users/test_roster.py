"""Reading CSV rosters: row numbers as a spreadsheet shows them, every bad row named, bounds."""

import pytest

from app.errors import InvalidRequest
from app.users.roster import MAX_ROWS, parse_roster


def names(body: bytes) -> list[str]:
    return [entry.student.name for entry in parse_roster(body)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"name\nAda\nGrace\n", ["Ada", "Grace"]),
        (b"\xef\xbb\xbfname\r\nAda\r\n", ["Ada"]),
        (b"Name,email\nAda,ada@example.org\n", ["Ada"]),
        (b" NAME ,id\n  Ada  ,1\n", ["Ada"]),
        (b"id,name,extra\n1,Ada\n2,Grace,x,y,z\n", ["Ada", "Grace"]),
        (b"\n\nname\n\nAda\n,,\n\nGrace", ["Ada", "Grace"]),
        (
            b'name\n"Hopper, Grace"\n"Dwayne ""The Rock"" Johnson"\n',
            ["Hopper, Grace", 'Dwayne "The Rock" Johnson'],
        ),
        (b'name\nO\'Brien "Bo"\n', ['O\'Brien "Bo"']),
        ("name\nZoë Ångström\n李小龙\n".encode(), ["Zoë Ångström", "李小龙"]),
        (b"name\nRobert'); DROP TABLE users;--\n", ["Robert'); DROP TABLE users;--"]),
        (b'name\n=HYPERLINK("x")\n', ['=HYPERLINK("x")']),
    ],
)
def test_reads_the_name_column(body: bytes, expected: list[str]) -> None:
    assert names(body) == expected


@pytest.mark.parametrize(
    ("body", "fields", "words"),
    [
        (b'name\nAda\n\n\n"Grace\nHopper"\nAlan\n', ["row 5"], "control character"),
        (b'name,id\nAda,1\n"  ",2\n', ["row 3"], "empty"),
        (b"name,id\nAda,1\n,2\n", ["row 3"], "empty"),
        (b"id,name\n1,Ada\n\n3\n", ["row 4"], "empty"),
        (b"id,name\n1\n", ["row 2"], "empty"),
        (b"name\nA\x00da\n", ["row 2"], "'\\x00'"),
        (b"name\n" + b"x" * 201 + b"\n", ["row 2"], "longer than 200"),
        ("name\nEvil\u202eEve\n".encode(), ["row 2"], "'\\u202e'"),
        (b"name\na\x1bb\nok\nc\x7fd\n", ["row 2", "row 4"], "row 2"),
        (b'name\n"unterminated\n', ["row 2"], "not valid CSV"),
        (b'name\n"Ada"Lovelace\n', ["row 2"], "not valid CSV"),
        (b"email,id\nada@example.org,1\n", ["row 1"], "no column called 'name'"),
        (b"\nname;email\nAda;a@b\n", ["row 2"], "separated by commas"),
        (b"name,Name\nAda,Ada\n", ["row 1"], "2 times"),
        (b"name,login,LOGIN\nAda,a,a\n", ["row 1"], "'login' 2 times"),
        (b"login\nada\n", ["row 1"], "no column called 'name'"),
        (b"name,login\nAda,ada\nAda,ada\n", ["row 3"], "the login ada is already on row 2"),
        (b"name,login\nAda, ada \n\nBo,ada\n", ["row 4"], "already on row 2"),
        (b"name,login\nAda,a\x00\n", ["row 2"], "the login holds a control character"),
        ("name,login\nAda,\u202eada\n".encode(), ["row 2"], "the login holds"),
        (b"name,login\nAda," + b"a" * 201 + b"\n", ["row 2"], "the login is longer than 200"),
        (b"name,caf\xe9\nAda\n", ["line 1"], "not UTF-8"),
        (b"name\nAda\n\xff\xfe\n", ["line 3"], "not UTF-8"),
    ],
)
def test_refuses_bad_rosters_naming_the_rows(body: bytes, fields: list[str], words: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_roster(body)
    assert caught.value.fields == fields
    assert words in caught.value.detail


@pytest.mark.parametrize("body", [b"", b"\n\n", b"\xef\xbb\xbf", b"name\n", b"name\n,\n\n"])
def test_refuses_a_roster_without_students(body: bytes) -> None:
    with pytest.raises(InvalidRequest, match="empty|no students"):
        parse_roster(body)


def test_every_bad_row_is_listed_and_the_message_stays_short() -> None:
    body = b"name\n" + b"\n".join(b"" if i % 2 else b"a\x00" for i in range(40)) + b"\n"
    with pytest.raises(InvalidRequest) as caught:
        parse_roster(body)
    assert caught.value.fields == [f"row {row}" for row in range(2, 42, 2)]
    assert "and 15 more rows" in caught.value.detail
    assert len(caught.value.detail) < 500


def test_holds_at_most_max_rows_students_blank_rows_aside() -> None:
    rows = b"\n".join(f"student {i}".encode() for i in range(MAX_ROWS))
    assert len(parse_roster(b"name\n\n" + rows + b"\n\n\n")) == MAX_ROWS
    with pytest.raises(InvalidRequest, match=f"at most {MAX_ROWS}"):
        parse_roster(b"name\n" + rows + b"\none more\n")


def test_a_huge_cell_is_refused_not_read() -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_roster(b'name\n"' + b"x" * 200_000 + b'"\n')
    assert caught.value.fields == ["row 2"]


def test_reads_the_login_column_when_there_is_one() -> None:
    body = b"id,Name, Login \n1,Ada,ada@example.org\n\n2,Grace,\n3,Alan,  alan  \n4,Cy\n"
    entries = parse_roster(body)
    assert [(e.row, e.student.name, e.student.login) for e in entries] == [
        (2, "Ada", "ada@example.org"),
        (4, "Grace", None),
        (5, "Alan", "alan"),
        (6, "Cy", None),
    ]
    assert [e.student.login for e in parse_roster(b"name\nAda\n")] == [None]


def test_logins_differing_in_case_are_different_logins() -> None:
    entries = parse_roster(b"name,login\nAda,ada\nAda,ADA\n")
    assert [e.student.login for e in entries] == ["ada", "ADA"]
