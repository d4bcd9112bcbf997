"""Secrets: what looks like one (the SEC001 rule) and masking it in every output.

One module decides both, so what lint reports as a plaintext secret is exactly what
``show`` (and later every report) masks.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "MASK",
    "SHAPES",
    "URL_PASSWORD",
    "is_reference",
    "looks_secret_name",
    "mask_json",
    "mask_text",
]

MASK = "***"

URL_PASSWORD = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://(?P<user>[^\s:@/?#\[\]]*):(?P<secret>[^\s@/?#]+)@")
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|APIKEY|PRIVATE_KEY|CREDENTIAL|ACCESS_KEY")
_NOT_SECRET_NAME = re.compile(
    r"_(?:FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|PORT|TTL|TIMEOUT|SECONDS|SECS|MS|HEADER|NAME|ID|ARN|REF|"
    r"TYPE|LENGTH|ENABLED|VERSION|EXPIRY|LIMIT|REGION|USER|USERNAME|ROTATION_DAYS)$"
)

# (what, shown instead of the secret, pattern with a ``secret`` group)
SHAPES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("AWS access key id", "AKIA***", re.compile(r"\b(?P<secret>(?:AKIA|ASIA)[0-9A-Z]{16})\b")),
    ("GitHub token", "ghp_***", re.compile(r"\b(?P<secret>gh[pousr]_[A-Za-z0-9]{30,})\b")),
    ("GitHub token", "github_pat_***", re.compile(r"\b(?P<secret>github_pat_[A-Za-z0-9_]{22,})")),
    ("Slack token", "xox*-***", re.compile(r"\b(?P<secret>xox[baprs]-[A-Za-z0-9-]{10,})")),
    ("Stripe live key", "sk_live_***", re.compile(r"\b(?P<secret>[sr]k_live_[A-Za-z0-9]{10,})")),
    (
        "private key",
        "-----BEGIN *** PRIVATE KEY-----",
        re.compile(r"(?P<secret>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)"),
    ),
    (
        "bearer token in an Authorization header",
        "Bearer ***",
        re.compile(
            r"Authorization[\"']?\s*[:=]\s*[\"']?Bearer\s+(?P<secret>[A-Za-z0-9._~+/=-]{20,})", re.IGNORECASE
        ),
    ),
)

# ``DB_PASSWORD=hunter2`` (an env-style name), ``password="hunter2"`` / ``"password": "hunter2"`` (a quoted
# literal). ``token=os.environ["X"]`` is code, not a secret: unquoted values only count for env-style names.
_ENV_ASSIGN = re.compile(r"\b(?P<name>[A-Z][A-Z0-9_]*)=(?P<q>[\"']?)(?P<secret>[^\s\"'#]+)(?P=q)")
_QUOTED_ASSIGN = re.compile(
    r"(?P<k>[\"']?)(?P<name>[A-Za-z_]*(?:password|passwd|secret|token|api_?key|apikey|private_key|access_key)"
    r"[A-Za-z_]*)(?P=k)\s*[:=]\s*(?P<q>[\"'])(?P<secret>[^\"'\n]+)(?P=q)",
    re.IGNORECASE,
)
_PRIVATE_KEY_BLOCK = re.compile(
    r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)(.*?)(-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----)", re.DOTALL
)


def is_reference(value: str) -> bool:
    """``${VAR}``, ``$VAR``, ``$(cmd)``, ``<secret>``, ``[placeholder]``, ``{name}``, ``***``: no literal."""
    v = value.strip().strip("\"'`")
    if not v or v.startswith(("$", "<", "[", "{", "%(")):
        return True
    return bool(re.fullmatch(r"[*xX.…]+", v))


def looks_secret_name(name: str) -> bool:
    """``DB_PASSWORD``, ``STRIPE_API_KEY``; not ``DB_PASSWORD_FILE`` or ``TOKEN_URL`` (they point at one)."""
    upper = name.upper()
    return bool(_SECRET_NAME.search(upper)) and not _NOT_SECRET_NAME.search(upper)


def _mask_group(m: re.Match[str]) -> str:
    secret = m.group("secret")
    if is_reference(secret):
        return m.group(0)
    start, end = m.span("secret")
    base = m.start(0)
    whole = m.group(0)
    return whole[: start - base] + MASK + whole[end - base :]


def _mask_named(m: re.Match[str]) -> str:
    return _mask_group(m) if looks_secret_name(m.group("name")) else m.group(0)


def mask_text(text: str) -> str:
    """Mask URL passwords, token shapes, private keys and secret assignments in free text."""
    if not text:
        return text
    text = _PRIVATE_KEY_BLOCK.sub(lambda m: f"{m.group(1)}\n{MASK}\n{m.group(3)}", text)
    if "://" in text:
        text = URL_PASSWORD.sub(_mask_group, text)
    for _, _, pattern in SHAPES:
        text = pattern.sub(_mask_group, text)
    if "=" in text:
        text = _ENV_ASSIGN.sub(_mask_named, text)
    if "=" in text or ":" in text:
        text = _QUOTED_ASSIGN.sub(_mask_named, text)
    return text


def _secret_env(name: str, value: str) -> bool:
    return (looks_secret_name(name) and not is_reference(value)) or mask_text(value) != value


def mask_json(data: Any) -> Any:
    """A copy of JSON-like data with every secret masked: free text, env var values by name,
    and JSON object members whose key names a secret."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            if (
                isinstance(value, str)
                and isinstance(key, str)
                and looks_secret_name(key)
                and not is_reference(value)
            ):
                out[key] = MASK
            else:
                out[key] = mask_json(value)
        name, value = out.get("name"), out.get("value")
        if isinstance(name, str) and isinstance(value, str) and "purpose" in out and _secret_env(name, value):
            out["value"] = MASK
        return out
    if isinstance(data, list):
        return [mask_json(x) for x in data]
    if isinstance(data, str):
        return mask_text(data)
    return data
