"""Direction is read like Protocol and Critical Path: a normalised value, the text as written, the note."""

from __future__ import annotations

import json

import pytest

from tests._paths import EXAMPLE_DOCS
from wiremap.catalog import Catalog
from wiremap.cli.main import main
from wiremap.document import parse_text
from wiremap.model import SCHEMA_VERSION


def _doc(direction: str) -> str:
    return f"# Integration: Orders → Warehouse\n\n**Protocol:** AMQP\n**Direction:** {direction}\n"


@pytest.mark.parametrize(
    ("written", "direction", "note"),
    [
        ("Unidirectional", "unidirectional", None),
        ("bidirectional", "bidirectional", None),
        ("`Bidirectional`", "bidirectional", None),
        ("Bidirectional (acks flow back)", "bidirectional", "acks flow back"),
        ("UNIDIRECTIONAL ( fire and forget )", "unidirectional", "fire and forget"),
        ("[Unidirectional/Bidirectional]", None, None),  # the template's placeholder
        ("Both ways", None, None),
        ("Bidirectional, mostly", None, None),  # VAL001 reports what is not read
    ],
)
def test_direction_is_normalised_with_raw_and_note(
    written: str, direction: str | None, note: str | None
) -> None:
    integ = parse_text(_doc(written), "d.md").integration
    assert integ.direction == direction
    assert integ.direction_raw == written.strip("`")
    assert integ.direction_note == note
    assert integ.line_of("direction") == integ.line_of("direction_raw") == 4


def test_no_direction_is_null_everywhere() -> None:
    integ = parse_text("# Integration: A → B\n", "d.md").integration
    assert (integ.direction, integ.direction_raw, integ.direction_note) == (None, None, None)


def test_show_json_and_schema_carry_the_new_keys(capsys: pytest.CaptureFixture[str]) -> None:
    doc = EXAMPLE_DOCS / "cart-service-to-cart-redis.md"
    assert main(["show", "--format", "json", str(doc)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] == SCHEMA_VERSION >= 2
    assert data["direction"] in ("unidirectional", "bidirectional")
    assert data["direction_raw"] and data["direction_raw"].lower().startswith(data["direction"])
    assert "direction_note" in data
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["schema_version"] == SCHEMA_VERSION
    assert schema["$id"].endswith(f"integration-v{SCHEMA_VERSION}.json")
    props = schema["properties"]
    assert {"direction", "direction_raw", "direction_note"} <= set(props)
    allowed = {
        v for option in props["direction"].get("anyOf", [props["direction"]]) for v in option.get("enum", [])
    }
    assert allowed == {"unidirectional", "bidirectional"}


def test_the_graph_reads_the_normalised_direction() -> None:
    cat = Catalog()
    written = ("Bidirectional (acks back)", "BIDIRECTIONAL", "Unidirectional", "bi-weekly batch")
    for n, direction in enumerate(written):
        cat.docs.append(parse_text(_doc(direction).replace("Orders", f"Service {n}"), "d.md"))
    back = sorted(e.destination for e in cat.edges() if e.source == "Warehouse")
    assert back == ["Service 0", "Service 1"]  # "bi-weekly batch" is not bidirectional (VAL001 reports it)
