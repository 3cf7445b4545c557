"""A strict reading of a rendered report with the standard library's HTML parser: every tag
closed in order, and what a test needs to look at (elements, attributes, text per element)."""

import base64
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
SVG_URI_PREFIX = "data:image/svg+xml;base64,"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(eq=False)
class Element:
    """One element: its tag, attributes, the elements around it (outermost first), its text."""

    tag: str
    attrs: dict[str, str | None]
    ancestors: list["Element"]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text inside, with runs of white space made one space."""
        return " ".join("".join(self.parts).split())

    def inside(self, element_id: str) -> bool:
        """Whether an element around this one has this id."""
        return any(each.attrs.get("id") == element_id for each in self.ancestors)


class Document(HTMLParser):
    """The parsed report; `problems` lists every way it is not well-formed."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.problems: list[str] = []
        self.open: list[Element] = []
        self.doctype: str | None = None
        self.feed(html)
        self.close()
        self.problems += [f"<{element.tag}> never closed" for element in self.open]

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        if len(set(names)) != len(names):
            self.problems.append(f"<{tag}> repeats an attribute: {names}")
        element = Element(tag, dict(attrs), list(self.open))
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.problems.append(f"<{tag}/> is not a void element")
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"</{tag}> closes a void element")
        elif not self.open or self.open[-1].tag != tag:
            expected = self.open[-1].tag if self.open else "nothing"
            self.problems.append(f"</{tag}> where </{expected}> was expected")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.parts.append(data)

    def find(self, tag: str, *, within: str | None = None) -> list[Element]:
        """The elements with this tag, only those inside the element `within` if given."""
        return [
            element
            for element in self.elements
            if element.tag == tag and (within is None or element.inside(within))
        ]

    def by_id(self, element_id: str) -> Element:
        (element,) = [each for each in self.elements if each.attrs.get("id") == element_id]
        return element

    def rows(self, within: str) -> list[list[str]]:
        """The texts of the cells of each body row of the tables inside the element `within`."""
        return [
            [cell.text for cell in self.find("td") if cell.ancestors[-1] is row]
            for row in self.find("tr", within=within)
            if any(each.tag == "tbody" for each in row.ancestors)
        ]


def numbers(text: str) -> list[float]:
    """The numbers written in a text, percentages as written (50.0% is 50.0)."""
    return [float(match) for match in NUMBER.findall(text)]


def svg_of(uri: str | None) -> ElementTree.Element:
    """The SVG document of a data URI, parsed (which fails unless it is well-formed XML)."""
    assert uri is not None and uri.startswith(SVG_URI_PREFIX), (uri or "")[:60]
    return ElementTree.fromstring(base64.b64decode(uri.removeprefix(SVG_URI_PREFIX), validate=True))


def bars(svg: ElementTree.Element, pattern: str) -> dict[str, tuple[float, float]]:
    """(width, height) of the path of every group whose id matches `pattern`, by id."""
    found: dict[str, tuple[float, float]] = {}
    for group in svg.iter(f"{SVG_NAMESPACE}g"):
        if re.fullmatch(pattern, group.get("id", "")):
            (path,) = group.iter(f"{SVG_NAMESPACE}path")
            coordinates = numbers(path.get("d", ""))
            xs, ys = coordinates[0::2], coordinates[1::2]
            found[group.get("id", "")] = (max(xs) - min(xs), max(ys) - min(ys))
    return found
