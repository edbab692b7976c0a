"""Effects another party accepted whose mark is not yet committed: a file per key, on this machine.

An email is marked sent by a commit after the SMTP server's 250; a worker killed between the two
would leave it unmarked and its job's retry would send it again. A file made the moment the 250
arrives (one system call, which outlives a SIGKILL of the process) closes that window to
microseconds: the retry finds it, writes the mark and sends nothing. The file goes once the mark is
committed. It is this machine's only: a retry on another machine, before this one's worker is back,
still sends again (at least once, as before).
"""
import hashlib
import logging
import os

from flask import current_app

log = logging.getLogger(__name__)


def _path(key: str) -> str:
    directory = current_app.config.get("FRANKO_ACCEPTED_DIR") or os.path.join(current_app.instance_path, "accepted")
    return os.path.join(directory, hashlib.sha256(key.encode()).hexdigest())


def remember(key: str) -> None:
    """The effect named `key` was accepted (call at once, before its mark is written); a folder it cannot write is logged."""
    path = _path(key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as error:  # the mark is written all the same; only the window after the 250 stays open
        log.warning("cannot note %s as accepted in %s: %s", key, os.path.dirname(path), error)


def was_accepted(key: str) -> bool:
    """True when the effect was accepted on this machine and its mark may not have been committed."""
    return os.path.exists(_path(key))


def forget(key: str) -> None:
    """The mark is committed: the file is no longer needed."""
    try:
        os.remove(_path(key))
    except FileNotFoundError:
        pass
