"""pydantic-settings classes: each annotated field is an env var read, named by ``env_prefix`` and the
field name, or by its ``alias``/``validation_alias`` (also the older ``class Config: env_prefix``)."""

from __future__ import annotations

import ast

from ._py_names import Module

__all__ = ["env_prefix", "settings_fields"]


def settings_fields(mod: Module, node: ast.ClassDef) -> list[tuple[int, str, str | None]]:
    """The env vars of a pydantic-settings class as ``(line, name, default)``; records its fields on ``mod``
    so ``settings.redis_url`` elsewhere in the module resolves to ``REDIS_URL``. Empty for other classes."""
    bases = {mod.resolve(b) or (b.id if isinstance(b, ast.Name) else "") for b in node.bases}
    is_settings = any(b.endswith("BaseSettings") for b in bases) or bool(
        {b for b in bases if b in mod.settings_classes}
    )
    if not is_settings:
        return []
    out: list[tuple[int, str, str | None]] = []
    mod.settings_classes.add(node.name)
    prefix = next((mod.settings_prefixes[b] for b in bases if b in mod.settings_prefixes), "")
    for item in node.body:
        prefix = env_prefix(item) or prefix
    mod.settings_prefixes[node.name] = prefix
    for item in node.body:
        if not (isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)):
            continue
        name = item.target.id
        if name.startswith("_") or name == "model_config":
            continue
        env = f"{prefix}{name}".upper()
        if isinstance(item.value, ast.Call):
            for kw in item.value.keywords:
                if kw.arg in ("validation_alias", "alias", "env") and isinstance(kw.value, ast.Constant):
                    env = kw.value.value if isinstance(kw.value.value, str) else env
        mod.settings_fields[name] = env
        default: str | None = None
        if isinstance(item.value, ast.Constant) and isinstance(item.value.value, str | int | float):
            default = str(item.value.value)
        elif isinstance(item.value, ast.Call):
            for kw in item.value.keywords:
                if kw.arg == "default" and isinstance(kw.value, ast.Constant):
                    default = None if kw.value.value is None else str(kw.value.value)
            if item.value.args and isinstance(item.value.args[0], ast.Constant):
                v = item.value.args[0].value
                default = None if v is None or v is ... else str(v)
        if default is not None:
            mod.settings_defaults[name] = default
        out.append((item.lineno, env, default))
    return out


def env_prefix(item: ast.stmt) -> str | None:
    """``model_config = SettingsConfigDict(env_prefix="X_")`` or ``class Config: env_prefix = "X_"``."""
    if isinstance(item, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "model_config" for t in item.targets
    ):
        value = item.value
        pairs: list[tuple[str | None, ast.expr]] = []
        if isinstance(value, ast.Call):
            pairs = [(kw.arg, kw.value) for kw in value.keywords]
        elif isinstance(value, ast.Dict):
            pairs = [
                (k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None, v)
                for k, v in zip(value.keys, value.values, strict=True)
                if k is not None
            ]
        for key, v in pairs:
            if key == "env_prefix" and isinstance(v, ast.Constant) and isinstance(v.value, str):
                return v.value
    if isinstance(item, ast.ClassDef) and item.name == "Config":
        for sub in item.body:
            if (
                isinstance(sub, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "env_prefix" for t in sub.targets)
                and isinstance(sub.value, ast.Constant)
                and isinstance(sub.value.value, str)
            ):
                return sub.value.value
    return None
