r"""An equation that states the quantity asked for in another form: `\tilde{w} = w/p` for w.

The field's own symbol (`w`, `Y`) may then stand anywhere, not only alone on the left. The
equation L = R is accepted when it holds at every sample point once the asked symbol takes
the target's values there, and when it pins that symbol down: with the symbol moved off its
target (scaled and shifted), it fails at every point. So `w/p = \tilde{w}` and
`ReLU(...) = Y` are the answer, while `w = w` or `0 = 0` hold for anything and earn nothing.
Both sides are parsed trees, evaluated with the same bounded numpy walk as any answer.
"""

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import sympy
from numpy.typing import NDArray

from app.grading.answers._text import Piece, split_top
from app.grading.answers.base import Comparison
from app.grading.failures import ParseFailure
from app.grading.mathparse.vocabulary import Dim, SymbolSpec
from app.grading.messages import answers as messages
from app.grading.sampling.batch import EvaluationError, FloatArray, SampleBatch
from app.grading.sampling.compare import SampledTarget
from app.grading.sampling.evaluate import evaluate

ASKED: Final = "asked_quantity"
"""The name the asked quantity's symbol is given among the field's own symbols."""
# A target that spells one symbol (`w`, `w^*`, `\hat{Y}`, `X_tilde`), not a derivative.
SYMBOL_LIKE = re.compile(
    r"(?:\\[A-Za-z]+\s*\{?\s*)?\\?[A-Za-z]+\}?(?:_\{?[A-Za-z0-9]+\}?|\^\{?\*\}?)?"
)
# The symbol moved off its target: scaled and shifted, so no linear relation can still hold.
MOVED_SCALE: Final = 1.5
MOVED_SHIFT: Final = 0.5

Parse = Callable[[str], sympy.Expr | ParseFailure]


@dataclass(frozen=True, slots=True)
class Relation:
    """A student's equation `left = right` in which the asked quantity is a symbol."""

    left: sympy.Expr
    right: sympy.Expr


def asked_symbol(
    targets: Sequence[str], *, shape: tuple[Dim, ...] | None, others: Collection[str] = ()
) -> SymbolSpec | None:
    """The asked quantity as a symbol spelled like the field's targets; None when none fits.

    `others` are the names of the context's other quantities: a target list shared by sibling
    fields (`A`, `B`) names each of them, and only this field's own is the asked symbol.
    """
    spellings = [
        target.strip()
        for target in targets
        if SYMBOL_LIKE.fullmatch(target.strip()) and target.strip() not in others
    ]
    if not spellings:
        return None
    return SymbolSpec(ASKED, spellings[0], tuple(spellings[1:]), shape=shape)


def read_relation(text: str, parse: Parse) -> Relation | None:
    """Both sides of a one-`=` equation that mentions the asked symbol; None otherwise."""
    sides = split_top(Piece(text, 0), "=")
    if len(sides) != 2:
        return None
    left, right = parse(sides[0].text), parse(sides[1].text)
    if isinstance(left, ParseFailure) or isinstance(right, ParseFailure):
        return None
    names = {str(symbol) for symbol in left.free_symbols | right.free_symbols}
    return Relation(left, right) if ASKED in names else None


def judge_relation(
    relation: Relation,
    target: SampledTarget,
    batches: Sequence[SampleBatch],
    *,
    rtol: float,
    atol: float,
) -> Comparison:
    """Holds at the target's values and fails off them: the relation determines the target."""
    try:
        held = _holds(relation, target.values, batches, rtol=rtol, atol=atol)
        moved = [values * MOVED_SCALE + MOVED_SHIFT for values in target.values]
        still = _holds(relation, moved, batches, rtol=rtol, atol=atol)
    except EvaluationError as error:
        return Comparison(False, error.message)
    if held is None:
        return Comparison(False, messages.SIDES_SHAPES_DIFFER)
    if not held.all():
        return Comparison(False, messages.RELATION_FAILS)
    if still is None or still.any():
        return Comparison(False, messages.RELATION_LOOSE)
    return Comparison(True)


def _holds(
    relation: Relation,
    values: Sequence[FloatArray],
    batches: Sequence[SampleBatch],
    *,
    rtol: float,
    atol: float,
) -> NDArray[np.bool_] | None:
    """Per draw whose target is finite, whether the sides agree; None when their shapes differ."""
    found: list[NDArray[np.bool_]] = []
    for asked, batch in zip(values, batches, strict=True):
        given = replace(batch, values={**batch.values, ASKED: asked})
        left, right = _sides(relation, given)
        if left.shape != right.shape:
            return None
        draws = len(asked)
        scale = np.maximum(np.abs(left), np.abs(right))
        close = np.abs(left - right) <= atol + rtol * scale
        agree = np.asarray(close.reshape(draws, -1).all(axis=1), dtype=np.bool_)
        judged = np.asarray(np.isfinite(asked).reshape(draws, -1).all(axis=1), dtype=np.bool_)
        found.append(agree[judged])
    return np.concatenate(found)


def _sides(relation: Relation, batch: SampleBatch) -> tuple[FloatArray, FloatArray]:
    # `p\tilde{w} - w = 0`: the number 0 stands for the zero vector of the other side.
    if relation.left == 0:
        right = evaluate(relation.right, batch)
        return np.zeros_like(right), right
    left = evaluate(relation.left, batch)
    if relation.right == 0:
        return left, np.zeros_like(left)
    return left, evaluate(relation.right, batch)


def is_zero(relation: Relation) -> bool:
    """Whether a side is the number 0, which stands for a zero vector or matrix as well."""
    return bool(relation.left == 0 or relation.right == 0)
