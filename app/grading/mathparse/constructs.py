"""The translator's notations beyond arithmetic: derivatives, fractions, roots, calls, sums."""

from typing import Final

from app.grading.mathparse.core import Frag, Kind, Reject, cat, lit, wrap
from app.grading.mathparse.indexing import Indexing
from app.grading.messages import parse as messages

_CLOSING: Final = {"(": ")", "[": "]", "{": "}", r"\{": r"\}"}
_NOT_EQUAL: Final = frozenset({r"\neq", r"\ne"})
_NUMERATORS: Final = (("f",), ("L",), (r"\ell",), (r"\mathcal", "L"), ("J",), ("E",))


class Constructs(Indexing):
    """The structured notations; the grammar's core lives in the subclass."""

    def expr(self) -> Frag:
        """A sum of terms (defined by the subclass)."""
        raise NotImplementedError

    def term(self) -> Frag:
        """A product of factors (defined by the subclass)."""
        raise NotImplementedError

    def atom(self) -> Frag:
        """One operand (defined by the subclass)."""
        raise NotImplementedError

    def argument(self) -> Frag:
        r"""A LaTeX argument: a brace group, or one token (`\frac12`, `\sqrt x`)."""
        token = self.peek()
        if token is None:
            raise Reject(messages.ENDS_EARLY, self.end_position())
        if token.text == "{":
            return self.bracketed()
        if token.kind is Kind.NUM and token.text.isdigit() and len(token.text) > 1:
            if not token.grouped:
                self.split_number()
        return self.atom()

    def bracketed(self) -> Frag:
        """The expression inside a pair of brackets, without the brackets."""
        opening = self.advance()
        inner = self.expr()
        self.expect(_CLOSING[opening.text])
        return inner

    def fraction(self) -> Frag:
        r"""`\frac{a}{b}` (or a derivative written as a fraction)."""
        derivative = self.derivative_fraction()
        if derivative is not None:
            return derivative
        pos = self.advance().pos
        numerator, denominator = wrap(self.argument()), wrap(self.argument())
        parts = (lit("(", pos), numerator, lit("/", pos), denominator, lit(")", pos))
        return cat(parts, primary=True)

    def square_root(self) -> Frag:
        r"""`\sqrt{a}` or `\sqrt a`."""
        pos = self.advance().pos
        if self.text() == "[":
            raise Reject(messages.ROOT_INDEX, self.position())
        return self.call("sqrt", self.argument(), pos)

    def command_call(self, name: str) -> Frag:
        r"""`\exp(x)`, `\log x`: a LaTeX function command and its argument."""
        token = self.advance()
        if self.tables is None or name not in self.tables.functions:
            raise Reject(messages.unknown_function(token.text), token.pos)
        return self.call(name, self.argument(), token.pos)

    def word_call(self, name: str, end: int) -> Frag:
        """`sqrt(x)`, `ReLU(x)`: a function written in letters, with its bracketed argument."""
        pos = self.tokens[self.i].pos
        allowed = {"sqrt"} if self.tables is None else self.tables.functions
        if name not in allowed:
            raise Reject(messages.unknown_function(name), pos)
        self.i = end
        token = self.peek()
        if token is None or token.kind is not Kind.OPEN:
            raise Reject(messages.FUNCTION_BRACKETS.format(name=name), pos)
        return self.call(name, self.bracketed(), pos)

    def maximum(self, end: int) -> Frag:
        """`max(0, a)` in any bracket style, read as ReLU(a)."""
        pos = self.tokens[self.i].pos
        self.i = end
        token = self.peek()
        if token is None or token.kind is not Kind.OPEN:
            raise Reject(messages.MAX_FORM, pos)
        self.advance()
        first = self.expr()
        self.expect(",")
        second = self.expr()
        self.expect(_CLOSING[token.text])
        if first.text not in ("0", "0.0") and second.text not in ("0", "0.0"):
            raise Reject(messages.MAX_FORM, pos)
        return self.call("ReLU", second if first.text in ("0", "0.0") else first, pos)

    def summation(self, end: int) -> Frag:
        r"""`\sum_{j=1}^{m} body`: the body is the rest of the product that follows."""
        pos = self.tokens[self.i].pos
        self.i = end
        if self.text() == "(":
            return self.plain_sum(pos)
        index, lower, upper, excluded = self.sum_limits(pos)
        self.enter()
        body = self.term()
        self.leave()
        if excluded is not None:
            # \sum_{j \neq i} b is the full sum of b (1 - \delta_{ji}): one term left out.
            factor = (lit("*(1 - ", pos), self.delta_frag(index, excluded, pos), lit(")", pos))
            body = cat((wrap(body), *factor), primary=False)
        return self.sum_frag(body, index, lower, upper, pos)

    def kronecker(self) -> Frag:
        r"""`\delta_{ij}` or `\delta_{i,j}`: 1 where the two indices agree, else 0."""
        pos = self.advance().pos
        self.advance()
        if self.text() != "{":
            raise Reject(messages.KRONECKER_FORM, pos)
        self.advance()
        first = self.index_atom()
        if self.text() == ",":
            self.advance()
        second = self.index_atom()
        if self.text() != "}":
            raise Reject(messages.KRONECKER_FORM, pos)
        self.advance()
        return self.delta_frag(first, second, pos)

    def plain_kronecker(self, end: int) -> Frag:
        """`KroneckerDelta(i, j)` written directly, as the plain syntax writes it."""
        pos = self.tokens[self.i].pos
        self.i = end
        self.expect("(")
        first = self.index_atom()
        self.expect(",")
        second = self.index_atom()
        self.expect(")")
        return self.delta_frag(first, second, pos)

    def delta_frag(self, first: Frag, second: Frag, pos: int) -> Frag:
        """Plain syntax `KroneckerDelta(i, j)`."""
        parts = (lit("KroneckerDelta(", pos), first, lit(", ", pos), second, lit(")", pos))
        return cat(parts, primary=True)

    def sum_frag(self, body: Frag, index: Frag, lower: Frag, upper: Frag, pos: int) -> Frag:
        """Plain syntax `Sum(body, j, lo, hi)`."""
        sep = lit(", ", pos)
        parts = (lit("Sum(", pos), body, sep, index, sep, lower, sep, upper, lit(")", pos))
        return cat(parts, primary=True)

    def plain_sum(self, pos: int) -> Frag:
        """`Sum(body, j, lo, hi)` written directly."""
        self.advance()
        body = self.expr()
        self.expect(",")
        index = self.sum_index()
        self.expect(",")
        lower = self.expr()
        self.expect(",")
        upper = self.expr()
        self.expect(")")
        return self.sum_frag(body, index, lower, upper, pos)

    def sum_limits(self, pos: int) -> tuple[Frag, Frag, Frag, Frag | None]:
        r"""Index, limits and any excluded index (`j \neq i`); no limits means 1..sum_upper."""
        if self.text() != "_":
            raise Reject(messages.SUM_INDEX, pos)
        self.advance()
        lower: Frag | None = None
        excluded: Frag | None = None
        if self.text() == "{":
            self.advance()
            index = self.sum_index()
            if self.text() == "=":
                self.advance()
                lower = self.expr()
                excluded = self.exclusion_after_comma(index)
            elif self.text() in _NOT_EQUAL:
                self.advance()
                excluded = self.index_atom()
            self.expect("}")
        else:
            index = self.sum_index()
        upper = self.upper_limit()
        if upper is None:
            if lower is not None:
                raise Reject(messages.SUM_LIMITS, pos)
            upper = self.default_upper(pos)
        # The batch is x_1, ..., x_m: a sum written with only its upper limit starts at 1.
        return index, lower or lit("1", pos), upper, excluded

    def exclusion_after_comma(self, index: Frag) -> Frag | None:
        r"""The `j \neq i` of `\sum_{j=1, j \neq i}`; None when no comma follows the limit."""
        if self.text() != ",":
            return None
        self.advance()
        letter = self.advance()
        if letter.text != index.text or self.text() not in _NOT_EQUAL:
            raise Reject(messages.SUM_EXCLUSION, letter.pos)
        self.advance()
        return self.index_atom()

    def upper_limit(self) -> Frag | None:
        """The limit after `^`, if there is one."""
        if self.text() != "^":
            return None
        self.advance()
        return self.atom()

    def default_upper(self, pos: int) -> Frag:
        """The vocabulary's upper limit for sums written without one."""
        if self.tables is None or self.tables.sum_upper is None:
            raise Reject(messages.SUM_LIMITS, pos)
        return lit(self.tables.plain.get(self.tables.sum_upper, self.tables.sum_upper), pos)

    def sum_index(self) -> Frag:
        """The letter a sum binds."""
        token = self.advance()
        if token.kind is not Kind.LETTER:
            raise Reject(messages.SUM_INDEX, token.pos)
        return lit(token.text, token.pos)

    def derivative_fraction(self) -> Frag | None:
        r"""`\frac{\partial f}{\partial S}` or `\frac{df}{dS}`; None when it is not one."""
        start = self.i
        if self.tables is None or self.text_at(start + 1) != "{" or not self.is_d(start + 2):
            return None
        after = self.numerator_end(start + 3)
        if after is None or self.text_at(after) != "}" or self.text_at(after + 1) != "{":
            return None
        if not self.is_d(after + 2):
            return None
        self.i = after + 3
        result = self.derivative_target(self.tokens[start].pos)
        self.expect("}")
        return result

    def inline_derivative(self) -> Frag | None:
        r"""`dL/dy_i` or `\partial f/\partial S`; None (consuming nothing) when it is not one."""
        start = self.i
        if self.tables is None or not self.is_d(start):
            return None
        after = self.numerator_end(start + 1)
        if after is None or self.text_at(after) != "/" or not self.is_d(after + 1):
            return None
        self.i = after + 2
        return self.derivative_target(self.tokens[start].pos)

    def is_d(self, index: int) -> bool:
        """Whether tokens[index] is a differential sign: `d` or `\\partial`."""
        return self.text_at(index) in ("d", r"\partial")

    def numerator_end(self, index: int) -> int | None:
        """Where the differentiated function's name (f, L, ...) starting at index ends."""
        for spelling in _NUMERATORS:
            end = index + len(spelling)
            if tuple(self.text_at(k) for k in range(index, end)) == spelling:
                return end
        return None

    def derivative_target(self, pos: int) -> Frag:
        """The symbol differentiated by, resolved to its derivative symbol, index carried."""
        assert self.tables is not None
        found = self.tables.derivatives.longest(self.tokens, self.i)
        if found is None:
            raise Reject(messages.DERIVATIVE_UNKNOWN, self.position())
        start = self.i
        self.i = found[1]
        return self.indexed(found[0], start)
