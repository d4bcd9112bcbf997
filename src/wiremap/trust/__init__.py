"""Who may make wiremap do what: the runner, or the repository it reads (docs/security.md).

- :mod:`.settings`: every per-integration setting, typed, with the trust level that may set it;
- :mod:`.resolve`: the settings in force for one integration, and what was asked for but not granted;
- :mod:`.credentials`: secrets of the runner's environment bound to the hosts they belong to.
"""

from __future__ import annotations

from .credentials import CredentialsWithheld, SecretGate, Withheld, parse_bindings
from .settings import SETTINGS, IntegrationSettings, SettingSpec, Trust, parse_flag

__all__ = [
    "SETTINGS",
    "CredentialsWithheld",
    "IntegrationSettings",
    "SecretGate",
    "SettingSpec",
    "Trust",
    "Withheld",
    "parse_bindings",
    "parse_flag",
]
