from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web._fakes import NOW, FakeView, TestClient, example_view
from wiremap.web import create_app


@pytest.fixture
def view() -> FakeView:
    return example_view()


@pytest.fixture
def client(view: FakeView) -> Iterator[TestClient]:
    with TestClient(create_app(view, clock=lambda: NOW)) as c:
        yield c
