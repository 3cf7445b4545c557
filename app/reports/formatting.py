"""How the report writes numbers: one place, so the charts and the tables agree."""

DECIMALS = 2


def points(value: float | None) -> str:
    """A score as people write it: at most two decimals, no trailing zeros; a dash for none."""
    if value is None:
        return "\N{EN DASH}"
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def percent(share: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal; a dash for none."""
    if share is None:
        return "\N{EN DASH}"
    return f"{100 * share:.1f}%"


def plural(count: int, noun: str) -> str:
    """'1 student', '3 students'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")
