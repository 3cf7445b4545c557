"""A position in a token list, with the moves every part of the translator shares."""

from typing import Final

from app.grading import limits
from app.grading.mathparse.core import Frag, Kind, Reject, Token, cat, lit
from app.grading.mathparse.spellings import Tables
from app.grading.messages import parse as messages

# Each bracket level costs a few grammar levels; this bounds recursion well below Python's limit.
MAX_GRAMMAR_DEPTH: Final = 4 * limits.MAX_NESTING


class Cursor:
    """Token navigation for the recursive-descent translator; `tables` is None for constants."""

    def __init__(self, tokens: list[Token], tables: Tables | None) -> None:
        self.tokens = tokens
        self.tables = tables
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> Token | None:
        """The token `offset` places ahead, or None past the end."""
        index = self.i + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def text(self, offset: int = 0) -> str:
        """The text of the token `offset` places ahead; empty past the end."""
        token = self.peek(offset)
        return token.text if token else ""

    def text_at(self, index: int) -> str:
        """The text of tokens[index]; empty past the end."""
        return self.tokens[index].text if index < len(self.tokens) else ""

    def advance(self) -> Token:
        """Consume and return the current token."""
        token = self.peek()
        if token is None:
            raise Reject(messages.ENDS_EARLY, self.end_position())
        self.i += 1
        return token

    def expect(self, text: str) -> Token:
        """Consume a token with exactly this text, or fail where it should be."""
        token = self.peek()
        if token is None:
            raise Reject(messages.ENDS_EARLY, self.end_position())
        if token.text != text:
            raise Reject(messages.unexpected(token.text), token.pos)
        self.i += 1
        return token

    def enter(self) -> None:
        """Count one grammar level, refusing input nested too deeply."""
        self.depth += 1
        if self.depth > MAX_GRAMMAR_DEPTH:
            raise Reject(messages.TOO_DEEP, self.position())

    def leave(self) -> None:
        """Undo one `enter`."""
        self.depth -= 1

    def position(self) -> int | None:
        """The raw offset of the current token, or of the end."""
        token = self.peek()
        return token.pos if token else self.end_position()

    def end_position(self) -> int | None:
        """The raw offset of the last token, standing in for the end of the answer."""
        return self.tokens[-1].pos if self.tokens else None

    def word(self, start: int) -> tuple[str, int]:
        """The run of letters typed together from tokens[start], and where it ends."""
        end = start
        while end < len(self.tokens) and self.tokens[end].kind is Kind.LETTER:
            if end > start and self.tokens[end].spaced:
                break
            end += 1
        return "".join(token.text for token in self.tokens[start:end]), end

    def split_number(self) -> None:
        r"""Split a multi-digit number as LaTeX reads a bare argument (`\frac12` is 1 over 2)."""
        token = self.tokens[self.i]
        first = Token(Kind.NUM, token.text[0], token.pos, token.spaced)
        rest = Token(Kind.NUM, token.text[1:], token.pos + 1)
        self.tokens[self.i : self.i + 1] = [first, rest]

    def call(self, name: str, argument: Frag, pos: int) -> Frag:
        """Plain syntax for a one-argument call."""
        inner = argument.bare or argument
        return cat((lit(f"{name}(", pos), inner, lit(")", pos)), primary=True)
