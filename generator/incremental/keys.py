"""The one digest of an output file's bytes, and the one way a key is made from the values
something is made from: every store entry, every ledger group and the fingerprint of the
inputs use these."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable


def digest(data: bytes) -> bytes:
    """An output file's digest, as the state, the store and the search plan keep it."""
    return hashlib.blake2b(data, digest_size=16).digest()


def hasher():
    """For what is digested piece by piece (a file written in parts, the inputs' fingerprint):
    the same digest as digest() gives of the pieces joined."""
    return hashlib.blake2b(digest_size=16)


def keyed(parts: Iterable[bytes | str]) -> bytes:
    """The key of the values `parts`, each bytes or text, taken one at a time (a section's
    ten thousand heads are never joined); each part's length goes first, so that no two
    sequences of parts give the same bytes."""
    key = hasher()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        key.update(len(data).to_bytes(8, "big"))
        key.update(data)
    return key.digest()


def key_of(*parts: bytes | str) -> bytes:
    return keyed(parts)
