"""``wiremap schema``: the JSON Schema of the integration model."""

from __future__ import annotations

from ..model import SCHEMA_VERSION, Integration
from ._common import print_json


def schema() -> None:
    """Print the JSON Schema of `wiremap show --format json` objects."""
    doc = Integration.model_json_schema(by_alias=True, mode="serialization")
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://wiremap.dev/schema/integration-v{SCHEMA_VERSION}.json",
        "schema_version": SCHEMA_VERSION,
        **doc,
    }
    print_json(doc)
