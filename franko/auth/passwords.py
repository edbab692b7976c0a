"""Password hashing: the app's scheme (werkzeug scrypt), and the legacy chatbot's bcrypt hashes."""
import bcrypt
from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

LEGACY_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72  # bcrypt reads no further; the chatbot's bcrypt-ts silently cut passwords here


def hash_password(password: str) -> str:
    """werkzeug's scrypt; only the test configuration names a cheaper method (FRANKO_PASSWORD_METHOD)."""
    method = current_app.config.get("FRANKO_PASSWORD_METHOD") if has_app_context() else None
    return generate_password_hash(password, method=method or "scrypt")


def is_legacy_hash(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(LEGACY_PREFIXES)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`, whichever scheme made it; False for no hash."""
    if not stored:
        return False
    if is_legacy_hash(stored):
        try:
            # As the old library did: the first 72 bytes of the UTF-8 password, even mid-character.
            candidate = password.encode("utf-8")[:BCRYPT_MAX_BYTES]
            return bcrypt.checkpw(candidate, stored.encode("utf-8"))
        except ValueError:  # a malformed legacy hash matches nothing
            return False
    return check_password_hash(stored, password)
