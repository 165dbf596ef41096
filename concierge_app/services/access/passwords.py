"""Passwords: the policy wherever one is set (length, zxcvbn strength, not the person's own name
or email) and Argon2 hashing (pwdlib's recommended parameters).

Hashing is slow on purpose (tens of milliseconds): callers do it outside any transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pwdlib import PasswordHash
from zxcvbn import zxcvbn

from concierge_app.domain.errors import DomainError

MIN_LENGTH = 12
MAX_LENGTH = 128  # longer input is refused before any hashing
MIN_SCORE = 3  # zxcvbn 0–4: 3 is "safely unguessable: moderate protection from offline attacks"
_ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the first 72 characters decide the score

_hasher = PasswordHash.recommended()
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class WeakPassword(DomainError):
    """The new password does not meet the policy; the message says why."""


def hash_password(password: str) -> str:
    """An Argon2 hash of the password."""
    return _hasher.hash(password)


def check_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(valid, a stronger hash to store or None). An unknown account (no hash) takes as long."""
    # An invited user who has not chosen a password yet has none ("").
    if not password_hash or len(password) > MAX_LENGTH:
        _hasher.verify(password[:MAX_LENGTH], _DUMMY_HASH)
        return False, None
    valid, new_hash = _hasher.verify_and_update(password, password_hash)
    return bool(valid), new_hash


def _personal_words(email: str, name: str) -> list[str]:
    """The person's own words, which zxcvbn counts as trivially guessable: the email's local
    part, the name, and their words."""
    local = email.strip().lower().split("@", 1)[0]
    words = [local, name.strip().lower(), *re.split(r"[^\w]+", f"{local} {name}".lower())]
    return sorted({w for w in words if len(w) >= 3})


@dataclass(frozen=True, slots=True)
class Strength:
    """zxcvbn's estimate of a password (0 too guessable … 4 very unguessable), what it says
    about it, and whether the policy takes it."""

    score: int
    label: str
    feedback: str
    acceptable: bool


LABELS = ("Too guessable", "Very weak", "Weak", "Strong", "Very strong")


def _problem(password: str, *, email: str, name: str) -> str | None:
    """Why the policy refuses the password (None: it takes it), without zxcvbn."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters for the password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters for the password."
    lowered = password.lower()
    local = email.strip().lower().split("@", 1)[0]
    for word in (local, name.strip().lower()):
        if len(word) >= 4 and word in lowered:
            return "The password must not contain your name or the first part of your email."
    return None


def strength(password: str, *, email: str, name: str) -> Strength:
    """The estimate shown while a new password is typed (and the policy's verdict)."""
    verdict = zxcvbn(password[:_ZXCVBN_MAX], user_inputs=_personal_words(email, name))
    score = int(verdict["score"])
    feedback = verdict.get("feedback", {})
    hints = [str(feedback.get("warning") or ""), *map(str, feedback.get("suggestions", []))]
    said = " ".join(h.strip() for h in hints if h.strip())
    problem = _problem(password, email=email, name=name)
    label = LABELS[max(0, min(score, 4))] if problem is None else "Not accepted"
    if problem is None and score < MIN_SCORE:
        problem = "This password is too easy to guess."
        said = said or "Add another word or two: a few unrelated words make a strong password."
    text = " ".join(part for part in (problem, said) if part)
    return Strength(score, label, text, problem is None)


def check_policy(password: str, *, email: str, name: str) -> None:
    """Refuse a password that is short, easy to guess (zxcvbn score under 3) or made of the
    person's own name or email; the message says why and how to do better."""
    problem = _problem(password, email=email, name=name)
    if problem is not None:
        raise WeakPassword(problem, field="password")
    rated = strength(password, email=email, name=name)
    if not rated.acceptable:
        raise WeakPassword(rated.feedback, field="password")
