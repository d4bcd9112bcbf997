"""The user guide in docs/ documents every command, option, rule, JSON key and config key.

Each test fails when something is added to the code without being documented, or when a page goes
stale (a broken link, an out-of-date generated rule reference).
"""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from tests._paths import ROOT
from wiremap.cli.main import COMMANDS, app
from wiremap.config import Config
from wiremap.lint import RULES
from wiremap.lint.reference import render_rule_reference
from wiremap.model import Integration

DOCS = ROOT / "docs"
REGENERATE = ".venv/bin/wiremap rule --all --format markdown > docs/rules.md"

CLI: Any = typer.main.get_command(app)
SCHEMA = Integration.model_json_schema(by_alias=True, mode="serialization")

# A fence opens with 3+ backticks (no backtick after them on the line) or 3+ tildes.
_FENCE = re.compile(r"^ {0,3}(`{3,}(?=[^`]*$)|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prose(text: str) -> str:
    """The Markdown without fenced code blocks (examples may show links that are not links)."""
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
        elif fence is not None and m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
            fence = None
        elif fence is None:
            out.append(line)
    return "\n".join(out)


def code_spans(text: str) -> list[str]:
    return [m.group(2).strip() for m in _CODE_SPAN.finditer(prose(text))]


def links(text: str) -> list[str]:
    return _LINK.findall(_CODE_SPAN.sub("", prose(text)))


def anchors(text: str) -> set[str]:
    """GitHub's heading ids: lower-case, punctuation dropped, spaces to dashes, -1/-2 for repeats."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for line in prose(text).split("\n"):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).replace("`", "").lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def guide_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def options(name: str) -> Iterator[str]:
    for param in CLI.commands[name].params:
        if param.param_type_name == "option":
            yield from param.opts
            yield from param.secondary_opts


def choices(param: Any) -> list[str]:
    """The allowed values of an enum-typed parameter (Typer keeps the annotation it was built from)."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:  # plain click
        return [str(c) for c in getattr(getattr(param, "type", None), "choices", ())]
    candidates = [descriptor.annotation, *typing.get_args(descriptor.annotation)]
    for annotation in candidates:
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return [str(member.value) for member in annotation]
    return []


def mentions(text: str, word: str) -> bool:
    """``word`` as a whole token: ``-o`` is not found inside ``--output``."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


# 1. Commands and their options ------------------------------------------------------------------------


def test_commands_are_the_registered_ones() -> None:
    assert sorted(CLI.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_page(name: str) -> None:
    page = DOCS / "commands" / f"{name}.md"
    assert page.is_file(), f"command {name!r} has no page: write docs/commands/{name}.md"
    assert read(page).startswith(f"# wiremap {name}\n"), f"{page} must start with '# wiremap {name}'"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_index_links_every_command_page(name: str) -> None:
    assert f"commands/{name}.md" in links(read(DOCS / "index.md")), (
        f"docs/index.md does not link to commands/{name}.md"
    )


@pytest.mark.parametrize(("name", "option"), [(n, o) for n in sorted(COMMANDS) for o in options(n)])
def test_every_option_is_documented(name: str, option: str) -> None:
    assert mentions(read(DOCS / "commands" / f"{name}.md"), option), (
        f"option {option} of `wiremap {name}` is not documented in docs/commands/{name}.md"
    )


@pytest.mark.parametrize(
    ("name", "choice"),
    [(n, c) for n in sorted(COMMANDS) for p in CLI.commands[n].params for c in choices(p)],
)
def test_every_choice_is_documented(name: str, choice: str) -> None:
    assert choice in code_spans(read(DOCS / "commands" / f"{name}.md")), (
        f"value `{choice}` of an option of `wiremap {name}` is not documented in docs/commands/{name}.md"
    )


def test_root_options_are_documented() -> None:
    index = read(DOCS / "index.md")
    for param in CLI.params:
        for opt in param.opts:
            assert mentions(index, opt), f"option {opt} of `wiremap` is not documented in docs/index.md"


# 2. The rule reference ---------------------------------------------------------------------------------


def test_rule_reference_is_up_to_date() -> None:
    path = DOCS / "rules.md"
    if not path.is_file() or read(path) != render_rule_reference():
        pytest.fail(f"docs/rules.md is missing or stale; regenerate it with: {REGENERATE}")


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_in_the_reference(code: str) -> None:
    assert f"### {code}\n" in read(DOCS / "rules.md"), (
        f"rule {code} is not in docs/rules.md; regenerate it with: {REGENERATE}"
    )


# 3. The JSON model --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(SCHEMA["properties"]))
def test_every_json_key_is_documented(key: str) -> None:
    assert f"`{key}`" in read(DOCS / "format.md"), f"JSON key `{key}` is not documented in docs/format.md"


@pytest.mark.parametrize(
    "key", sorted({k for d in SCHEMA.get("$defs", {}).values() for k in d.get("properties", {})})
)
def test_every_nested_json_key_is_documented(key: str) -> None:
    spans = code_spans(read(DOCS / "format.md"))
    assert any(mentions(s, key) for s in spans), (
        f"nested JSON key {key!r} does not appear in any code span of docs/format.md"
    )


# 4. Configuration keys ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", [f for f in Config.model_fields if f not in ("path", "trust", "refused")])
def test_every_config_key_is_documented(field: str) -> None:
    key = field.replace("_", "-")
    spans = code_spans(read(DOCS / "configuration.md"))
    assert any(re.match(rf"{re.escape(key)}(?![\w-])", s) for s in spans), (
        f"config key `{key}` is not documented in docs/configuration.md"
    )


# 5. Links -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", [*guide_pages(), ROOT / "README.md"], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_relative_links_resolve(page: Path) -> None:
    broken: list[str] = []
    for target in links(read(page)):
        if _SCHEME.match(target) or target.startswith("#"):
            continue
        file_part = target.split("#", 1)[0]
        if not (page.parent / file_part).exists():
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to files that do not exist: {broken}"


@pytest.mark.parametrize("page", guide_pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_anchors_resolve(page: Path) -> None:
    broken: list[str] = []
    for target in links(read(page)):
        if _SCHEME.match(target) or "#" not in target:
            continue
        file_part, anchor = target.split("#", 1)
        dest = (page.parent / file_part) if file_part else page
        if dest.suffix == ".md" and dest.is_file() and anchor not in anchors(read(dest)):
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)} links to headings that do not exist: {broken}"


# 6. The trust model ----------------------------------------------------------------------------------------


def test_every_setting_is_in_the_security_table_with_its_trust_level() -> None:
    from wiremap.trust.settings import SETTINGS

    row = re.compile(r"^\| `([a-z_]+)` \| [^|]+ \| (runner|repository) \|", re.M)
    rows = {m.group(1): m.group(2) for m in row.finditer(read(DOCS / "security.md"))}
    assert rows == {name: spec.trust.value for name, spec in SETTINGS.items()}
