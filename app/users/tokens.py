"""Bearer tokens: random, shown once, stored only as a hash."""

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh token with 256 bits of randomness."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The stored form of a token."""
    # Tokens are random and long, so a fast hash is enough: there is nothing to guess from it.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
