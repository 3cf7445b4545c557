r"""Third stage: tokens to plain syntax, by recursive descent over one grammar for LaTeX and text.

expr   := [+|-] term {(+|-) term}
term   := signed {(* | / | juxtaposition) factor}    a sum sign takes the rest of its term
factor := atom {^ exponent | ' | ^T}
atom   := number | symbol [index] | ( expr ) | \frac | \sqrt | call | sum | derivative
"""

from typing import Final

from app.grading.mathparse.constructs import Constructs
from app.grading.mathparse.core import Frag, Kind, Reject, Token, cat, lit, wrap
from app.grading.mathparse.spellings import GREEK, Tables
from app.grading.messages import parse as messages

FRACTIONS: Final = frozenset({r"\frac", r"\dfrac", r"\tfrac"})
_COMMAND_CALLS: Final = {r"\exp": "exp", r"\log": "log", r"\ln": "log"}
_WORD_CALLS: Final = {
    "sqrt": "sqrt",
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "transpose": "transpose",
    "ReLU": "ReLU",
}
_TRANSPOSE_MARKS: Final = frozenset({r"\top", r"\intercal", "T"})
_FACTOR_STARTS: Final = frozenset({Kind.NUM, Kind.LETTER, Kind.CMD, Kind.OPEN})
_DOTS: Final = frozenset({r"\dots", r"\cdots", r"\ldots"})


def translate(tokens: list[Token], tables: Tables | None) -> Frag:
    """Translate a whole token list to plain syntax (raises Reject); None tables: a constant."""
    translator = Translator(list(tokens), tables)
    result = translator.expr()
    leftover = translator.peek()
    if leftover is not None:
        raise Reject(messages.unexpected(leftover.text), leftover.pos)
    return result


class Translator(Constructs):
    """The arithmetic grammar; the notations it dispatches to live in Constructs."""

    def expr(self) -> Frag:
        """Terms joined by + and -."""
        self.enter()
        parts: list[Frag] = []
        if self.text() in ("+", "-"):
            sign = self.advance()
            if sign.text == "-":
                parts.append(lit("-", sign.pos))
        parts.append(self.term())
        while self.text() in ("+", "-"):
            sign = self.advance()
            parts += [lit(f" {sign.text} ", sign.pos), self.term()]
        self.leave()
        return cat(parts, primary=len(parts) == 1 and parts[0].primary)

    def term(self) -> Frag:
        """Factors joined by *, / or juxtaposition."""
        parts = [self.signed()]
        while (token := self.peek()) is not None:
            if token.kind is Kind.OP and token.text in ("*", "/"):
                self.advance()
                parts += [lit(token.text, token.pos), self.signed()]
            elif token.kind in _FACTOR_STARTS:
                self.refuse_adjacent_numbers(token)
                parts += [lit("*", token.pos), self.factor()]
            else:
                break
        return cat(parts, primary=len(parts) == 1 and parts[0].primary)

    def refuse_adjacent_numbers(self, token: Token) -> None:
        """`2 3` is a typo, not a product."""
        if token.kind is Kind.NUM and self.tokens[self.i - 1].kind is Kind.NUM:
            raise Reject(messages.unexpected(token.text), token.pos)

    def signed(self) -> Frag:
        """A factor with optional leading signs (after an explicit * or /)."""
        if self.text() not in ("+", "-"):
            return self.factor()
        self.enter()
        sign = self.advance()
        inner = self.signed()
        self.leave()
        if sign.text == "+":
            return inner
        return cat((lit("-", sign.pos), inner), primary=False)

    def factor(self) -> Frag:
        """An atom with its powers and transposes."""
        self.enter()
        base = self.atom()
        while self.text() in ("^", "'"):
            mark = self.advance()
            if mark.text == "'" or self.transpose_mark():
                if mark.text == "^":
                    self.advance()
                base = self.call("transpose", base, mark.pos)
            elif self.inverse_transpose_mark():
                self.i += 4
                inverse = cat((wrap(base), lit("**(-1)", mark.pos)), primary=False)
                base = self.call("transpose", inverse, mark.pos)
            else:
                power = wrap(self.exponent())
                base = cat((wrap(base), lit("**", mark.pos), power), primary=False)
        self.leave()
        return base

    def transpose_mark(self) -> bool:
        """Whether the token after `^` means transpose (T, \\top) rather than a power."""
        token = self.peek()
        if token is None or token.text not in _TRANSPOSE_MARKS:
            return False
        return self.tables is None or self.tables.symbols.longest(self.tokens, self.i) is None

    def inverse_transpose_mark(self) -> bool:
        """Whether `^` is followed by `{-T}` or `{-\\top}`, the transpose of the inverse."""
        if self.text() != "{" or self.text(1) != "-" or self.text(3) != "}":
            return False
        self.i += 2
        try:
            return self.transpose_mark()
        finally:
            self.i -= 2

    def exponent(self) -> Frag:
        """What follows `^`: a signed factor, so that powers associate to the right."""
        return self.signed()

    def atom(self) -> Frag:
        """One operand."""
        token = self.peek()
        if token is None:
            raise Reject(messages.ENDS_EARLY, self.end_position())
        self.enter()
        if token.kind is Kind.OPEN:
            result = wrap(self.bracketed())
        elif token.kind is Kind.NUM:
            result = self.symbol() or self.number()
        elif token.kind is Kind.CMD:
            result = self.command(token)
        elif token.kind is Kind.LETTER:
            result = self.letters(token)
        else:
            raise Reject(messages.unexpected(token.text), token.pos)
        self.leave()
        return result

    def number(self) -> Frag:
        """A numeric literal, copied as written."""
        token = self.advance()
        return lit(token.text, token.pos)

    def command(self, token: Token) -> Frag:
        """A backslash command: a structure, a function, or a symbol's spelling."""
        name = token.text
        if name in FRACTIONS:
            return self.fraction()
        if name == r"\sqrt":
            return self.square_root()
        if name == r"\sum":
            return self.summation(self.i + 1)
        if name == r"\max":
            return self.maximum(self.i + 1)
        if name in _COMMAND_CALLS:
            return self.command_call(_COMMAND_CALLS[name])
        found = self.inline_derivative() or self.symbol()
        if found is not None:
            return found
        if name == r"\delta" and self.text(1) == "_":
            return self.kronecker()
        raise Reject(self.unknown_command_message(name), token.pos)

    def unknown_command_message(self, name: str) -> str:
        """Why a command is refused, in the terms the answer's kind calls for."""
        if self.tables is None:
            return messages.NOT_A_NUMBER
        if name[1:] in GREEK:
            return messages.unknown_symbol(name)
        if name in _DOTS:
            return messages.SUM_DOTS
        if name == r"\partial":
            return messages.DERIVATIVE_UNKNOWN
        return messages.unknown_command(name)

    def letters(self, token: Token) -> Frag:
        """A run of letters: a function word, a sum, a derivative, or symbols."""
        word, end = self.word(self.i)
        following = self.text_at(end)
        if word in ("sum", "Sum") and following in ("_", "("):
            return self.summation(end)
        if word == "max" and following in ("(", "[", r"\{"):
            return self.maximum(end)
        if word == "KroneckerDelta" and following == "(":
            return self.plain_kronecker(end)
        call_name = _WORD_CALLS.get("ReLU" if word.lower() == "relu" else word)
        if call_name is not None:
            return self.word_call(call_name, end)
        found = self.inline_derivative() or self.symbol()
        if found is not None:
            return found
        raise Reject(self.unknown_word_message(word, following), token.pos)

    def unknown_word_message(self, word: str, following: str) -> str:
        """Why a run of letters is refused."""
        if self.tables is None:
            return messages.NOT_A_NUMBER
        if following == "(":
            return messages.unknown_function(word)
        return messages.unknown_symbol(word)
