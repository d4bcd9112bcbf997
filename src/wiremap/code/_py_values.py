"""Where a value comes from: literals, f-strings, constants, ``os.environ``/``os.getenv`` (with defaults),
pydantic-settings fields and constructor arguments. The Python indexer's targets and env reads."""

from __future__ import annotations

import ast

from ._py_names import ENV_FUNCS, MAX_DEPTH, PASSTHROUGH, STR_METHODS, Module, Scope, Value
from .clients import Api

__all__ = ["Resolver"]


class Resolver:
    """Reads values; the indexer derives from it (``mod`` is the module being indexed)."""

    mod: Module

    # -- values and targets ---------------------------------------------------------------------------------

    def value_of(self, expr: ast.expr | None, scope: Scope, cls: str | None, depth: int = 0) -> Value:
        if expr is None or depth > MAX_DEPTH:
            return Value()
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str):
                return Value(literal=expr.value)
            if isinstance(expr.value, int | float) and not isinstance(expr.value, bool):
                return Value(literal=str(expr.value))
            return Value()
        if isinstance(expr, ast.Await | ast.Starred):
            return self.value_of(expr.value, scope, cls, depth + 1)
        if isinstance(expr, ast.Name):
            if expr.id in scope.values:
                return self.value_of(scope.values[expr.id], scope, cls, depth + 1)
            if expr.id in self.mod.constants:
                return self.value_of(self.mod.constants[expr.id], Scope(), None, depth + 1)
            return Value()
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name) and expr.value.id == "self" and cls:
                inner = self.mod.attr_values.get(cls, {}).get(expr.attr)
                if inner is None:
                    return Value()
                init_scope = Scope(values=dict(self.mod.ctor_args.get(cls, {})))
                return self.value_of(inner, init_scope, cls, depth + 1)
            if expr.attr in self.mod.settings_fields:
                field_default = self.mod.settings_defaults.get(expr.attr)
                return Value(env=self.mod.settings_fields[expr.attr], default=field_default)
            return Value()
        if isinstance(expr, ast.Subscript):
            name = self.env_subscript(expr, scope, cls)
            if name:
                return Value(env=name)
            item = self.dict_item(expr, scope, depth)  # ``task["env_key"]`` of a dict literal
            return self.value_of(item, scope, cls, depth + 1) if item is not None else Value()
        if isinstance(expr, ast.JoinedStr):
            return self.joined(expr, scope, cls, depth)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.value_of(expr.left, scope, cls, depth + 1)
            right = self.value_of(expr.right, scope, cls, depth + 1)
            head = left.literal or left.default or ("" if left.env else "{…}")  # ``s + "_FILE"``: not "_FILE"
            tail = right.literal or right.default or ("" if right.env else "{…}")  # ``"proxy_" + k``
            joined = head + tail
            return Value(literal=joined if joined.strip("{…}") else None, env=left.env or right.env)
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            vals = [self.value_of(v, scope, cls, depth + 1) for v in expr.values]
            env = next((v.env for v in vals if v.env), None)
            lit = next((v.literal for v in vals if v.literal), None)
            return Value(literal=None if env else lit, env=env, default=lit if env else None)
        if isinstance(expr, ast.Call):
            return self.call_value(expr, scope, cls, depth)
        return Value()

    def setting_of(self, expr: ast.expr, scope: Scope, cls: str | None, depth: int = 0) -> str | None:
        """The other module's setting an expression is (``?orders.settings.LEDGER_URL``); the indexer
        knows the module's imports (see python.py)."""
        return None

    def call_value(self, call: ast.Call, scope: Scope, cls: str | None, depth: int) -> Value:
        dotted = self.mod.resolve(call.func)
        if dotted in ENV_FUNCS and call.args:
            name = self.value_of(call.args[0], scope, cls, depth + 1).literal
            expr = (
                call.args[1]
                if len(call.args) > 1
                else next((k.value for k in call.keywords if k.arg == "default"), None)
            )
            default = self.value_of(expr, scope, cls, depth + 1)
            return Value(env=name, default=default.literal or default.default)
        f = call.func
        if call.args and ((isinstance(f, ast.Name) and f.id in PASSTHROUGH) or dotted in PASSTHROUGH):
            return self.value_of(call.args[0], scope, cls, depth + 1)
        if isinstance(f, ast.Attribute) and f.attr in STR_METHODS:
            return self.value_of(f.value, scope, cls, depth + 1)
        return Value()

    def dict_item(self, expr: ast.Subscript, scope: Scope, depth: int) -> ast.expr | None:
        """``d["key"]`` where ``d`` is (bound to) a dict literal with that key: the key's value."""
        key = expr.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        d: ast.expr | None = expr.value
        for _ in range(MAX_DEPTH - depth):
            if isinstance(d, ast.Name) and d.id in scope.values:
                d = scope.values[d.id]
            elif isinstance(d, ast.Name) and d.id in self.mod.constants:
                d = self.mod.constants[d.id]
            else:
                break
        if not isinstance(d, ast.Dict):
            return None
        return next(
            (
                v
                for k, v in zip(d.keys, d.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == key.value
            ),
            None,
        )

    def joined(self, expr: ast.JoinedStr, scope: Scope, cls: str | None, depth: int) -> Value:
        out: list[str] = []
        env: str | None = None
        known = True
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out.append(part.value)
            elif isinstance(part, ast.FormattedValue):
                v = self.value_of(part.value, scope, cls, depth + 1)
                env = env or v.env
                text = v.literal or v.default or (f"${{{v.env}}}" if v.env else None)
                if text is None and (ref := self.setting_of(part.value, scope, cls)) is not None:
                    text = f"{{{ref}}}"  # another module's setting: the linker reads it there
                if text is None:
                    known = False
                    out.append("{…}")
                else:
                    out.append(text)
        text = "".join(out)
        if not known and (not out or out[0] == "{…}") and env is None:
            return Value(literal=text if text.strip("{…}/") else None)
        return Value(literal=text, env=env)

    def target_of(self, call: ast.Call, api: Api, scope: Scope, cls: str | None) -> Value:
        expr: ast.expr | None = None
        for kw in call.keywords:
            if kw.arg in api.target_keywords:
                expr = kw.value
                break
        if expr is None and api.target_arg is not None and len(call.args) > api.target_arg:
            expr = call.args[api.target_arg]
        value = self.value_of(expr, scope, cls)
        return self.with_port(value, call, api, scope, cls) if expr is not None else value

    def port_given(self, call: ast.Call, api: Api, scope: Scope, cls: str | None) -> str | None:
        """The port a call gives beside its host (``connect(host, 1883)``, ``SMTP(host, port=25)``)."""
        port_expr = next((kw.value for kw in call.keywords if kw.arg == "port"), None)
        if port_expr is None and api.port_arg is not None and len(call.args) > api.port_arg:
            port_expr = call.args[api.port_arg]
        if port_expr is None:
            return None
        port = self.value_of(port_expr, scope, cls)
        number = port.literal or port.default
        return number if number is not None and number.isdigit() else None

    def with_port(self, value: Value, call: ast.Call, api: Api, scope: Scope, cls: str | None) -> Value:
        """A bare host target with the port the call gives beside it (``connect(host, 1883)``,
        ``SMTP(host, port=25)``; a literal, a constant or an env default): ``host:1883``."""
        number = self.port_given(call, api, scope, cls)
        if number is None:
            return value

        def joined(host: str | None) -> str | None:
            bare = host and "://" not in host and "/" not in host and ":" not in host and "{" not in host
            return f"{host}:{number}" if bare else host

        return Value(literal=joined(value.literal), env=value.env, default=joined(value.default))

    # -- env reads ------------------------------------------------------------------------------------------

    def env_subscript(self, node: ast.Subscript, scope: Scope, cls: str | None) -> str | None:
        if self.mod.resolve(node.value) != "os.environ":
            return None
        return self.value_of(node.slice, scope, cls).literal
