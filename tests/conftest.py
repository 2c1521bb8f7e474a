import contextlib
import functools
import re
import shutil
from pathlib import Path

import anyio.from_thread
import pyoxigraph as ox
import pytest

from ict_diplomacy.project import Project
from ict_diplomacy.publish import build
from ict_diplomacy.publish.dumps import DUMP_PREFIXES
from ict_diplomacy.publish.release import STORE_DIR, Release
from ict_diplomacy.settings import Settings
from ict_diplomacy.sparql import queries
from ict_diplomacy.sparql.connect import opened
from ict_diplomacy.web import prerender

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"

PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in DUMP_PREFIXES.items())


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def release(project, tmp_path_factory) -> Path:
    """The real data built once into a temporary release link, with its stored pages (as the CLI builds)."""
    out = tmp_path_factory.mktemp("release") / "dist"
    build.build(project, out, progress=lambda _: None, derive=prerender.DERIVE)
    return out


@pytest.fixture(scope="session")
def store(release) -> ox.Store:
    return ox.Store.read_only(str(release / STORE_DIR))


@pytest.fixture(scope="session")
def catalogue(project):
    """The stored queries of queries/, loaded and checked once."""
    return queries.load(project)


@pytest.fixture(scope="session")
def cli_root(release, tmp_path_factory):
    """A project directory whose dist/ is the test release and whose queries/ are the real ones."""
    root = tmp_path_factory.mktemp("cli-root")
    (root / "queries").symlink_to(ROOT / "queries")
    (root / "dist").symlink_to(release.resolve())
    return root


@pytest.fixture(scope="session")
def portal():
    """An event loop in a thread, so synchronous tests can call the async library."""
    with anyio.from_thread.start_blocking_portal() as portal:
        yield portal


@pytest.fixture(scope="session")
def call(portal):
    """call(coroutine_function, *args, **kwargs): its result, run on the portal's loop."""
    return lambda function, *args, **kwargs: portal.call(functools.partial(function, *args, **kwargs))


@pytest.fixture(scope="session")
def open_engine(portal, release):
    """open_engine(**settings): the engine the server uses, over the test release, closed at the end."""
    with contextlib.ExitStack() as stack:
        def make(**settings):
            chosen = Settings(**{"workers": 1, "answer_cache_mb": 0, **settings})
            return stack.enter_context(portal.wrap_async_context_manager(opened(chosen, Release.open(release))))
        yield make


@pytest.fixture(scope="session")
def embedded(open_engine):
    """The embedded engine (one worker process) over the test release."""
    return open_engine()


def select(store: ox.Store, query: str) -> list[dict]:
    """Rows of a SELECT as dicts of plain values (IRIs and literals as strings)."""
    result = store.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


def one(store: ox.Store, query: str) -> dict:
    """The single row a question must have."""
    rows = select(store, query)
    assert len(rows) == 1, rows
    return rows[0]


def short(iri: str) -> str:
    """The last segment of an IRI: `BR` for `…/id/country/BR`, `Loan` for `…#Loan`."""
    return re.split(r"[/#]", iri)[-1]


@pytest.fixture
def make_project(tmp_path):
    """A throwaway project: the real ontology and shapes, the minimal fixture data, plus extra files."""
    def make(**extra_files: str) -> Project:
        root = tmp_path / "project"
        shutil.copytree(ROOT / "ontology", root / "ontology")
        shutil.copytree(ROOT / "shapes", root / "shapes")
        (root / "data").mkdir()
        shutil.copy(FIXTURES / "minimal.ttl", root / "data" / "minimal.ttl")
        for name, text in extra_files.items():
            (root / "data" / f"{name}.ttl").write_text(text, encoding="utf-8")
        return Project(root)
    return make


from tests.servers import ictd_server, oxigraph_server, remote_server, tight_server, stand_ins, wikidata  # noqa: E402,F401 - shared real servers
from tests.virtuoso import virtuoso_remote_server, virtuoso_server  # noqa: E402,F401 - one Virtuoso per session
