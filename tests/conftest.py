"""Shared fixtures: temporary stores, and a tiny hand-made city for worked examples."""

from __future__ import annotations

import os
import secrets

import pytest

from marketpulse import auth, store
from marketpulse.auth import tokens
from marketpulse.ui import signin

TEST_PASSWORD = "mp-test-password"
# dashboards started by tests (AppTest in this process, servers as children) do not prepare the
# 周报 in the background: tests/test_prepared.py checks that on its own
os.environ["MARKETPULSE_PREPARE"] = "0"


@pytest.fixture
def db(tmp_path, monkeypatch):
    """An empty store of the current schema at a temporary path, set as MARKETPULSE_DB."""
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    with store.writer(path):
        pass
    return path


# The small simulated city, shared by every test file that needs realistic data.
DEMO_SEED = 7
DEMO_END_WEEK = "2026-11-16"  # Monday of the simulated window's last week


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """Path of the small simulated city (seed 7, last week 2026-11-16), built once per run.

    Treat it as read-only; copy the file first if a test must write to it.
    """
    from datetime import date

    from marketpulse.simulate import demo

    path = tmp_path_factory.mktemp("demo_store") / "demo.duckdb"
    demo.build(path, scale="small", seed=DEMO_SEED, end_week=date.fromisoformat(DEMO_END_WEEK))
    auth.ensure_demo_accounts(path)  # one account per role, as `make run` gives the demo
    return path


def sign_in(at, name: str = "admin"):
    """Sign an AppTest session in as account `name` (default: admin) on the store at
    $MARKETPULSE_DB, as the sign-in form leaves a session: a valid token in its state.

    A demo store gets its demo accounts (admin, center, leader, department, territory, cm);
    an account the store still lacks is made an admin with TEST_PASSWORD.
    """
    path = store.db_path()
    if auth.is_demo(path):
        auth.ensure_demo_accounts(path)
    if auth.get_user(name, path) is None:
        auth.add_user(name, "admin", TEST_PASSWORD, path=path)
    at.session_state[signin.TOKEN] = session_token(name, path)
    return at


def session_token(name: str = "admin", path=None) -> str:
    """A fresh session token for account `name` of the store at `path` (as a sign-in gives;
    a browser test puts it in the `mp_session` cookie)."""
    path = path or store.db_path()
    return tokens.issue(tokens.new_claims(name, auth.limit("session_idle_minutes", path) * 60), path)


@pytest.fixture
def signed_in():
    """`signed_in(at, name="admin")`: sign an AppTest in before its first run."""
    return sign_in


@pytest.fixture(scope="module")
def shared_secret():
    """One session-token key ($MARKETPULSE_SECRET) for a test module and every dashboard it
    starts, so a token made in the test opens any of them (browser tests)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("MARKETPULSE_SECRET", secrets.token_hex(32))
    yield
    patch.undo()


@pytest.fixture
def session_cookie(shared_secret):
    """`session_cookie(name="admin", path=None)`: the signed-in session cookie of account `name`
    for a Playwright context (`context.add_cookies([...])`), valid on any server of the module."""

    def cookie(name: str = "admin", path=None) -> dict:
        return {"name": signin.COOKIE, "value": session_token(name, path), "domain": "127.0.0.1", "path": "/"}

    return cookie
