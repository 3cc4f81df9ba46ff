"""Receipt codes: 80 random bits, written as 16 Crockford base32 characters in groups of four.

Only an Argon2id hash is stored. The salt is fixed per installation (kept in
$VIGIL_DATA_DIR/receipt_salt) so that a code can be looked up by its hash; the
80 bits of the code itself are what makes guessing hopeless, the slow hash is
what makes a stolen database useless for recovering codes.
"""

from __future__ import annotations

import os
import secrets
from functools import cache

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 16
# Argon2id with 8 MiB and 1 pass (about 6 ms here): see docs/decisions/0002-receipt-hash.md
TIME_COST, MEMORY_COST_KIB, PARALLELISM = 1, 8_192, 1
# Look-alikes people type: Crockford's O/I/L/U, and Cyrillic capitals on a Bulgarian or Ukrainian keyboard.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V", "А": "A", "В": "B", "Е": "E", "К": "K",
                          "М": "M", "Н": "H", "О": "0", "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y",
                          "З": "3", "І": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, LENGTH, 4))


def canonical(typed: str) -> str:
    """What the reporter typed, forgiving case, spaces, dashes and look-alike letters; '' if it cannot be a code."""
    text = "".join(ch for ch in (typed or "").upper() if ch.isalnum()).translate(_READ_AS)
    return text if len(text) == LENGTH and all(ch in ALPHABET for ch in text) else ""


@cache
def _salt() -> bytes:
    env = os.environ.get("VIGIL_RECEIPT_SALT")
    if env:
        return env.encode()
    path = settings.DATA_DIR / "receipt_salt"
    if not path.exists():
        path.write_text(secrets.token_hex(16))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def digest(code: str) -> str:
    """Argon2id of the canonical code, hex; '' for something that is not a code."""
    text = canonical(code)
    if not text:
        return ""
    return hash_secret_raw(text.encode(), _salt(), time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB,
                           parallelism=PARALLELISM, hash_len=32, type=Type.ID).hex()
