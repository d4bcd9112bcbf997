"""The shared parse of a doc's Python blocks: every node, in ast.walk's order, or None past the bound."""

from __future__ import annotations

import ast
import inspect
import json
import textwrap

import pytest

from wiremap.document import pysyntax


@pytest.mark.parametrize("module", [json, textwrap, inspect])
def test_nodes_are_those_of_ast_walk_in_its_order(module: object) -> None:
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    nodes = pysyntax.nodes_of(tree)
    if len(list(ast.walk(tree))) > pysyntax.MAX_NODES:
        assert nodes is None
    else:
        assert nodes == tuple(ast.walk(tree))


def test_a_tree_past_the_bound_is_not_walked() -> None:
    big = ast.parse("x = [" + "1, " * pysyntax.MAX_NODES + "]")
    assert pysyntax.nodes_of(big) is None
    small = ast.parse("x = [" + "1, " * 100 + "]")
    assert pysyntax.nodes_of(small) == tuple(ast.walk(small))
