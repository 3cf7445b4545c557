"""Symbols and their indices: `x_i`, `x_{j+1}`, `x[i]` and the sample notation `x^{(i)}`."""

from app.grading.mathparse.core import Frag, Kind, Reject, Token, cat, lit
from app.grading.mathparse.cursor import Cursor
from app.grading.mathparse.lexer import ACCENTS
from app.grading.messages import parse as messages


class Indexing(Cursor):
    """Symbol lookup and the index that must (or must not) follow a symbol."""

    def symbol(self) -> Frag | None:
        """The longest symbol spelling here, with its index; None when nothing matches."""
        if self.tables is None:
            return None
        found = self.tables.symbols.longest(self.tokens, self.i)
        if found is None:
            return None
        start = self.i
        self.i = found[1]
        return self.indexed(found[0], start)

    def indexed(self, name: str, start: int) -> Frag:
        """A symbol's plain name, with the index that must (or must not) follow it."""
        assert self.tables is not None
        spec, pos = self.tables.specs[name], self.tokens[start].pos
        plain = lit(self.tables.plain[name], pos)
        written = _written(self.tokens[start : self.i])
        if not spec.indexed:
            if self.text() == "_":
                raise Reject(messages.takes_no_index(written), self.position())
            return plain
        return cat((plain, lit("[", pos), self.index(written), lit("]", pos)), primary=True)

    def index(self, written: str) -> Frag:
        """An index after `_` or in brackets: a letter, a whole number, or letter +/- number."""
        token = self.peek()
        if token is not None and token.text == "_":
            self.advance()
            if self.text() != "{":
                return self.index_atom()
            self.advance()
            result = self.index_body()
            self.expect("}")
            return result
        if token is not None and token.text == "[" and not token.spaced:
            self.advance()
            result = self.index_body()
            self.expect("]")
            return result
        if token is not None and token.text == "^" and self.is_sample_superscript():
            return self.sample_superscript()
        raise Reject(messages.needs_index(written), self.position())

    def is_sample_superscript(self) -> bool:
        """Whether `^` starts the sample-number notation `x^{(i)}`, whose index is a letter."""
        offset = 2 if self.text(1) == "{" else 1
        following = self.peek(offset + 1)
        return self.text(offset) == "(" and following is not None and following.kind is Kind.LETTER

    def sample_superscript(self) -> Frag:
        """`x^{(i)}` or `x^(i)`: the index of the i-th sample, written as a superscript."""
        self.advance()
        braced = self.text() == "{"
        if braced:
            self.advance()
        self.expect("(")
        result = self.index_body()
        self.expect(")")
        if braced:
            self.expect("}")
        return result

    def index_body(self) -> Frag:
        """Index contents: an index atom, optionally plus or minus a whole number."""
        first = self.index_atom()
        if self.text() not in ("+", "-") or first.text.isdigit():
            return first
        sign = self.advance()
        number = self.index_atom()
        if not number.text.isdigit():
            raise Reject(messages.BAD_INDEX, sign.pos)
        return cat((first, lit(sign.text, sign.pos), number), primary=False)

    def index_atom(self) -> Frag:
        """A single index token: one letter or a whole number."""
        token = self.advance()
        if token.kind is Kind.LETTER or (token.kind is Kind.NUM and token.text.isdigit()):
            return lit(token.text, token.pos)
        raise Reject(messages.BAD_INDEX, token.pos)


def _written(tokens: list[Token]) -> str:
    r"""Tokens as typed, with an accent's argument braced again (`\hat{x}`, not `\hatx`)."""
    out = ""
    for index, token in enumerate(tokens):
        accented = index > 0 and tokens[index - 1].text in ACCENTS
        out += f"{{{token.text}}}" if accented else token.text
    return out
