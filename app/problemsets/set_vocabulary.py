"""Every symbol a problem set speaks of, as one vocabulary, to tell an expression from a typo."""

from app.grading.mathparse.vocabulary import SymbolSpec, Vocabulary
from app.problemsets.schema import ExpressionSpec, ProblemSetDef


def problem_set_vocabulary(definition: ProblemSetDef) -> Vocabulary:
    """The set's symbols as scalars, with every free index and function its fields allow."""
    specs = [
        field.answer
        for question in definition.questions
        for field in question.fields
        if isinstance(field.answer, ExpressionSpec)
    ]
    symbols = tuple(
        SymbolSpec(
            name=name,
            latex=symbol.latex,
            aliases=tuple(symbol.aliases),
            indexed=symbol.indexed,
            derivative_of=symbol.derivative_of,
        )
        for name, symbol in definition.symbols.items()
    )
    return Vocabulary(
        symbols=symbols,
        free_indices=tuple(sorted({index for spec in specs for index in spec.free_indices})),
        functions=frozenset({"sqrt", *(name for spec in specs for name in spec.functions)}),
    )
