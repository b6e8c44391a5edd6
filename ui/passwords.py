"""Password hashes for the staff console: PBKDF2-HMAC-SHA256 from the standard library.

A hash reads ``pbkdf2_sha256$<iterations>$<salt, base64>$<digest, base64>`` (the format Django
uses), made by ``policy-assistant hash-password``; settings keep only hashes, never passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return "$".join([ALGORITHM, str(iterations), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, encoded: str) -> bool:
    """True when ``password`` matches ``encoded``; a malformed hash matches nothing."""
    try:
        algorithm, iterations, salt, digest = encoded.split("$")
        if algorithm != ALGORITHM:
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.pbkdf2_hmac("sha256", password.encode(),
                                     base64.b64decode(salt, validate=True), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
