import pytest
from jinja2 import UndefinedError

from app.html import html_environment


def test_text_is_escaped_and_filters_are_registered() -> None:
    environment = html_environment("app.reports", {"shout": str.upper})
    page = environment.from_string("{{ text|shout }}").render(text="<b>&</b>")
    assert page == "&lt;B&gt;&amp;&lt;/B&gt;"


def test_an_undefined_name_fails_the_render() -> None:
    environment = html_environment("app.web", {})
    with pytest.raises(UndefinedError):
        environment.from_string("{{ missing }}").render()


def test_templates_come_from_the_package_templates_folder() -> None:
    environment = html_environment("app.reports", {})
    assert "report.html" in environment.list_templates()
