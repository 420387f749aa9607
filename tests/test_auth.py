"""Accounts, passwords, session tokens, throttling, roles and the audit log (marketpulse.auth)."""

from __future__ import annotations

import shutil
import time

import pytest

from marketpulse import auth, store
from marketpulse.auth import sessions, tokens

PASSWORD = "correct horse battery"


@pytest.fixture
def city(demo_store, tmp_path, monkeypatch):
    """A private copy of the small demo city, set as the store."""
    path = tmp_path / "city.duckdb"
    shutil.copyfile(demo_store, path)
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    monkeypatch.delenv("MARKETPULSE_SECRET", raising=False)
    return path


@pytest.fixture
def admin(db, monkeypatch):
    monkeypatch.delenv("MARKETPULSE_SECRET", raising=False)
    auth.add_user("alice", "admin", PASSWORD, display_name="Alice", path=db)
    return db


# ── passwords ─────────────────────────────────────────────────────────────────


def test_passwords_are_salted_argon2id_hashes():
    one, two = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert one.startswith("$argon2id$") and one != two and PASSWORD not in one
    assert auth.check_password(one, PASSWORD) and not auth.check_password(one, PASSWORD + "x")
    assert not auth.check_password(None, PASSWORD) and not auth.check_password("not a hash", PASSWORD)


def test_short_passwords_are_refused():
    with pytest.raises(auth.WeakPassword):
        auth.hash_password("x" * (auth.MIN_LENGTH - 1))


def test_the_password_is_never_stored_or_logged_in_clear(admin, caplog):
    sessions.sign_in("alice", PASSWORD, path=admin)
    sessions.sign_in("alice", "wrong password!", path=admin)
    for file in (admin, auth.journal_path(admin), auth.secret_path(admin)):
        assert PASSWORD.encode() not in file.read_bytes()
    assert PASSWORD not in caplog.text and "wrong password!" not in caplog.text
    assert "password_hash" not in auth.accounts(admin).columns


# ── accounts ──────────────────────────────────────────────────────────────────


def test_accounts_fix_their_scope_by_role(city):
    codes = auth.demo.demo_codes(city)
    auth.add_user("t1", "territory", PASSWORD, territory=codes["territory"], path=city)
    auth.add_user("d1", "territory", PASSWORD, department=codes["department"], path=city)
    auth.add_user("c1", "cm", PASSWORD, cm=codes["cm"], path=city)
    auth.add_user("l1", "leader", PASSWORD, path=city)
    assert auth.get_user("t1", city).scope == store.Scope(territory_code=codes["territory"])
    assert auth.get_user("d1", city).scope == store.Scope(department_code=codes["department"])
    assert auth.get_user("c1", city).scope == store.Scope(cm_code=codes["cm"])
    assert auth.get_user("l1", city).scope == store.CITY
    bad = [
        dict(role="territory"),  # no scope
        dict(role="territory", territory=codes["territory"], department=codes["department"]),
        dict(role="cm", territory=codes["territory"]),
        dict(role="leader", territory=codes["territory"]),
        dict(role="cm", cm="NO-SUCH-CM"),
        dict(role="boss"),
    ]
    for i, kwargs in enumerate(bad):
        with pytest.raises(auth.AccountError):
            auth.add_user(f"bad{i}", password=PASSWORD, path=city, **kwargs)
    with pytest.raises(auth.AccountError):
        auth.add_user("t1", "leader", PASSWORD, path=city)  # exists
    with pytest.raises(auth.AccountError):
        auth.add_user("bad name", "leader", PASSWORD, path=city)


def test_company_sign_on_accounts_are_found_by_email(admin):
    auth.add_user("bob", "leader", None, email="Bob@Example.COM", path=admin)
    assert auth.user_by_email("bob@example.com", admin).name == "bob"
    assert auth.user_by_email("nobody@example.com", admin) is None
    assert sessions.sign_in("bob", "", path=admin).user is None  # no password to sign in with
    with pytest.raises(auth.AccountError):
        auth.add_user("carol", "leader", None, path=admin)  # neither password nor e-mail


def test_demo_accounts_one_per_role_only_on_the_demo_store(city, db):
    made = auth.ensure_demo_accounts(city)
    assert {a.role for a in made} == set(auth.ROLES)
    assert auth.ensure_demo_accounts(city) == made  # again: nothing added
    assert len(auth.accounts(city)) == len(auth.DEMO_ACCOUNTS)
    for account in auth.DEMO_ACCOUNTS:
        assert sessions.sign_in(account.name, account.password, path=city).user.role == account.role
    codes = auth.demo.demo_codes(city)
    assert auth.get_user("cm", city).scope.cm_code == codes["cm"]
    assert auth.ensure_demo_accounts(db) == [] and auth.accounts(db).empty


# ── tokens and sessions ───────────────────────────────────────────────────────


def test_tokens_are_signed_and_expire(admin):
    claims = tokens.new_claims("alice", 60, now=1000.0)
    token = tokens.issue(claims, admin)
    assert tokens.read(token, admin, now=1059) == claims
    assert tokens.read(token, admin, now=1060) is None  # lapsed
    version, body, signature = token.split(".")
    forged = tokens.issue(tokens.Claims("root", claims.sid, claims.iat, claims.exp), admin).split(".")[1]
    assert tokens.read(f"{version}.{forged}.{signature}", admin, now=1001) is None
    assert tokens.read(token[:-2] + "xx", admin, now=1001) is None
    assert tokens.read("garbage", admin) is None and tokens.read(None, admin) is None
    auth.secret_path(admin).unlink()  # a new key: old tokens are void
    assert tokens.read(token, admin, now=1001) is None
    assert oct(auth.secret_path(admin).stat().st_mode & 0o777) == "0o600"


def test_a_session_lasts_while_used_and_ends_on_sign_out(admin):
    now = time.time()
    out = sessions.sign_in("alice", PASSWORD, "10.0.0.1", path=admin, now=now)
    assert out.user.name == "alice" and out.user.role == "admin" and out.token
    idle = sessions.limit("session_idle_minutes", admin) * 60
    user, same = sessions.resume(out.token, admin, now=now + 10)
    assert user == out.user and same == out.token  # too young to renew
    later = now + idle - 5
    user, renewed = sessions.resume(out.token, admin, now=later)
    assert user.name == "alice" and renewed != out.token
    assert sessions.resume(out.token, admin, now=now + idle + 1) == (None, None)  # idle too long
    assert sessions.resume(renewed, admin, now=now + idle + 1)[0].name == "alice"  # renewed on use
    max_age = sessions.limit("session_max_hours", admin) * 3600
    assert sessions.resume(renewed, admin, now=now + max_age + 1) == (None, None)
    sessions.sign_out(renewed, "10.0.0.1", path=admin)
    assert sessions.resume(renewed, admin, now=later + 1) == (None, None)


def test_disabling_or_a_new_password_ends_open_sessions(admin):
    token = sessions.sign_in("alice", PASSWORD, path=admin).token
    time.sleep(0.01)
    auth.set_password("alice", PASSWORD + "!", by="root", path=admin)
    assert sessions.resume(token, admin) == (None, None)
    assert sessions.sign_in("alice", PASSWORD, path=admin).user is None
    token = sessions.sign_in("alice", PASSWORD + "!", path=admin).token
    assert sessions.resume(token, admin)[0].name == "alice"
    auth.set_active("alice", False, by="root", path=admin)
    assert sessions.resume(token, admin) == (None, None)
    assert sessions.sign_in("alice", PASSWORD + "!", path=admin).user is None
    auth.set_active("alice", True, by="root", path=admin)
    assert sessions.sign_in("alice", PASSWORD + "!", path=admin).user.name == "alice"


# ── throttling ────────────────────────────────────────────────────────────────


def test_failed_sign_ins_lock_the_account_for_a_growing_while(admin):
    free = int(sessions.limit("signin_free_attempts", admin))
    delay = sessions.limit("signin_delay_seconds", admin)
    now = 1_000_000.0
    for i in range(free):
        out = sessions.sign_in("alice", "not the password", "client-a", path=admin, now=now + i)
        assert out.reason == "wrong"
    assert out.wait_seconds == pytest.approx(delay)
    # locked: even the right password is not looked at, from any client
    locked = sessions.sign_in("alice", PASSWORD, "client-b", path=admin, now=now + free)
    assert locked.reason == "locked" and locked.user is None and locked.wait_seconds > 0
    # after the wait one more try; failing it doubles the wait
    t = now + free - 1 + delay
    assert sessions.sign_in("alice", "still wrong", "client-b", path=admin, now=t).wait_seconds == pytest.approx(
        2 * delay
    )
    ok = sessions.sign_in("alice", PASSWORD, "client-b", path=admin, now=t + 2 * delay)
    assert ok.user is not None  # success clears the account's failures
    assert sessions.wait_seconds("alice", "client-c", admin, now=t + 2 * delay + 1) == 0


def test_failed_sign_ins_slow_down_a_client_trying_many_names(admin):
    free = int(sessions.limit("signin_free_attempts", admin))
    now = 2_000_000.0
    for i in range(free):
        sessions.sign_in(f"guess{i}", "password?", "10.9.9.9", path=admin, now=now + i)
    assert sessions.sign_in("alice", PASSWORD, "10.9.9.9", path=admin, now=now + free).reason == "locked"
    assert sessions.sign_in("alice", PASSWORD, "10.1.1.1", path=admin, now=now + free).user.name == "alice"


# ── roles and scopes ──────────────────────────────────────────────────────────


def test_roles_allow_what_the_design_says():
    user = lambda role: auth.User("u", role)  # noqa: E731
    assert all(auth.allowed(user("admin"), a) for a in auth.ACTIONS)
    assert {a for a in auth.ACTIONS if auth.allowed(user("center"), a)} == {"view", "import", "rules", "approve"}
    for role in ("leader", "territory", "cm"):
        assert {a for a in auth.ACTIONS if auth.allowed(user(role), a)} == {"view"}
    assert not auth.allowed(None, "view")
    with pytest.raises(ValueError):
        auth.allowed(user("admin"), "fly")


def test_narrow_never_widens_the_account_scope():
    ter = store.Scope(territory_code="T1")
    assert auth.narrow(store.CITY, store.Scope(territory_code="T2")) == store.Scope(territory_code="T2")
    assert auth.narrow(ter, store.CITY) == ter
    assert auth.narrow(ter, store.Scope(cm_code="C9")) == store.Scope(territory_code="T1", cm_code="C9")
    with pytest.raises(auth.OutsideScope):
        auth.narrow(ter, store.Scope(territory_code="T2"))
    assert auth.narrow(ter, store.Scope(territory_code="T2"), strict=False) == ter
    cm = store.Scope(cm_code="C1")
    assert auth.narrow(cm, store.Scope(department_code="D1", cm_code="C2"), strict=False) == store.Scope(
        department_code="D1", cm_code="C1"
    )


# ── audit ─────────────────────────────────────────────────────────────────────


def test_the_audit_log_holds_sign_ins_failures_sign_outs_and_account_changes(admin):
    token = sessions.sign_in("alice", PASSWORD, "10.0.0.7", path=admin).token
    sessions.sign_in("alice", "nope nope", "10.0.0.8", path=admin)
    sessions.sign_out(token, "10.0.0.7", path=admin)
    auth.set_password("alice", PASSWORD, by="root", path=admin)
    auth.record("import", "alice", "visits.csv", "10.0.0.7", path=admin)
    auth.record("rule_edit", "alice", "monitoring_point", path=admin)
    auth.record("report_export", "alice", "2026-11-16", path=admin)
    log = auth.events(path=admin)
    assert list(log["event"])[::-1] == [
        "account_change",  # alice added
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "account_change",
        "import",
        "rule_edit",
        "report_export",
    ]
    assert set(log["client"].dropna()) == {"10.0.0.7", "10.0.0.8"}
    assert log.loc[log["event"] == "account_change", "user_name"].tolist() == ["root", "system"]
    with pytest.raises(ValueError):
        auth.record("coffee", "alice", path=admin)
