"""Backends for the state tests: a SQLite file per test and a throwaway PostgreSQL cluster.

The PostgreSQL cluster (``pg_server``, started once per session) lives in tests/conftest.py.
Each test gets its own database, copied from a migrated template. Without PostgreSQL installed
the PG tests are skipped, except when ``CI`` is set: then they fail.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from state.repository import Repository
from tests.conftest import PgServer

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_counter = itertools.count()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., str]:
    """Factory: ``db_url(backend, migrated=True)`` → a URL of a fresh database."""

    def make(backend: str, *, migrated: bool = True) -> str:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'kw{next(_counter)}.db'}"
            if migrated:
                repo = Repository.from_url(url)
                repo.upgrade()
                repo.close()
            return url
        server: PgServer = request.getfixturevalue("pg_server")
        name = f"kw_test_{os.getpid()}_{next(_counter)}"
        server.sql(f"CREATE DATABASE {name}" + (" TEMPLATE kw_template" if migrated else ""))
        return server.url(name)

    return make


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: ``sqlite`` or ``postgresql``."""
    name: str = request.param
    return name


@pytest.fixture
def repo(backend: str, db_url: Callable[..., str]) -> Iterator[Repository]:
    """A migrated, empty repository on the backend under test."""
    repository = Repository.from_url(db_url(backend))
    yield repository
    repository.close()
