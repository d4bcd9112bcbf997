"""Masking secrets in everything wiremap prints: passwords in URLs, secret-looking env values, tokens."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MASK", "is_reference", "looks_secret_name", "looks_secret_value", "mask_json", "mask_text"]

MASK = "***"

_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]+:)(?P<pw>[^\s@/]+)(?P<at>@)")
_TOKENS = re.compile(
    r"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}"
    r"|sk_live_[A-Za-z0-9]{10,}|rk_live_[A-Za-z0-9]{10,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,})"
)
_BEARER = re.compile(r"(?P<head>\b(?:Bearer|Basic|Token)\s+)(?P<pw>[A-Za-z0-9._~+/=-]{12,})")
_KEYVAL = re.compile(
    r"(?P<head>\b(?:[A-Za-z_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIALS?|ACCESS_KEY)"
    r"[A-Za-z0-9_]*)\s*[=:]\s*[\"']?)(?P<pw>[^\s\"'#]+)",
    re.IGNORECASE,
)
_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PWD$|SECRET|TOKEN|API_?KEY|APIKEY|PRIVATE_KEY|CREDENTIAL|ACCESS_KEY|AUTH)",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"^(?:\$\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^>]+>|\[[^\]]+\]|\*+|x+|\.\.\.|…)$")


def is_reference(value: str) -> bool:
    """``${VAR}``, ``$VAR``, ``<token>``, ``[placeholder]``, ``***``: not a secret itself."""
    return bool(_REFERENCE.match(value.strip().strip("\"'")))


def looks_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def looks_secret_value(value: str) -> bool:
    return bool(_TOKENS.search(value) or _URL_PASSWORD.search(value))


def _sub_pw(m: re.Match[str]) -> str:
    pw = m.group("pw")
    if is_reference(pw):
        return m.group(0)
    return m.group("head") + MASK + (m.groupdict().get("at") or "")


def mask_text(text: str) -> str:
    """Mask URL passwords, well-known token shapes, bearer tokens and ``SECRET=value`` pairs."""
    text = _URL_PASSWORD.sub(_sub_pw, text)
    text = _TOKENS.sub(MASK, text)
    text = _BEARER.sub(_sub_pw, text)
    return _KEYVAL.sub(_sub_pw, text)


def _secret_env(name: str, value: str) -> bool:
    return (looks_secret_name(name) and not is_reference(value)) or looks_secret_value(value)


def mask_json(data: Any) -> Any:
    """A copy of JSON-like data with every secret masked; env var values masked by name too."""
    if isinstance(data, dict):
        out = {k: mask_json(v) for k, v in data.items()}
        name, value = out.get("name"), out.get("value")
        if isinstance(name, str) and isinstance(value, str) and "purpose" in out and _secret_env(name, value):
            out["value"] = MASK
        return out
    if isinstance(data, list):
        return [mask_json(x) for x in data]
    if isinstance(data, str):
        return mask_text(data)
    return data
