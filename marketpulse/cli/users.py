"""`user add|list|disable|enable|password|demo`: accounts from a shell, and `--as-user` for
`query` and `report`, which runs them within an account's scope (narrowing, never widening).

The shell is for people with access to the server: account changes made here are logged
in the audit log as done by `cli:<login name>`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from marketpulse import auth, store
from marketpulse.cli.common import EXIT_OK, EXIT_REFUSED
from marketpulse.errors import UsageError


def actor() -> str:
    """Who the audit log names for a change made from the shell."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def add_as_user_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--as-user",
        metavar="NAME",
        help="在该账号的范围内运行(只会收窄)/ run within this account's scope (narrows, never widens)",
    )


def as_user(args, wanted: store.Scope) -> store.Scope:
    """`wanted` narrowed to the scope of `--as-user NAME`; unchanged without it."""
    name = getattr(args, "as_user", None)
    if not name:
        return wanted
    user = auth.get_user(name)
    if user is None:
        raise UsageError(f"没有启用的账号 {name} / No active account {name}")
    try:
        return auth.narrow(user.scope, wanted)
    except auth.OutsideScope as exc:
        raise UsageError(f"超出账号 {name} 的范围 / Outside the scope of account {name}: {exc}") from None


def add_parser(sub) -> None:
    """The `user` command and its actions."""
    p = sub.add_parser("user", help="账号管理 / manage accounts")
    actions = p.add_subparsers(dest="action", required=True)

    a = actions.add_parser("add", help="新建账号 / add an account")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=auth.ROLES)
    where = a.add_mutually_exclusive_group()
    where.add_argument("--department", help="territory 账号:市场部编码 / a territory account's 市场部")
    where.add_argument("--territory", help="territory 账号:片区编码 / a territory account's 片区")
    where.add_argument("--cm", help="cm 账号:客户经理编码 / a cm account's customer manager")
    a.add_argument("--display-name", help="显示名 / name shown")
    a.add_argument("--email", help="公司统一登录的邮箱 / e-mail for company sign-on")
    a.add_argument("--password-stdin", action="store_true", help="从标准输入读密码 / read the password from stdin")
    a.add_argument("--no-password", action="store_true", help="只用统一登录 / company sign-on only (needs --email)")
    a.set_defaults(func=cmd_add)

    a = actions.add_parser("list", help="列出账号 / list the accounts")
    a.set_defaults(func=cmd_list)
    for name, text in (("disable", "停用账号 / disable an account"), ("enable", "启用账号 / enable an account")):
        a = actions.add_parser(name, help=text)
        a.add_argument("name")
        a.set_defaults(func=cmd_active)
    a = actions.add_parser("password", help="重设密码 / set a new password")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true", help="从标准输入读密码 / read the password from stdin")
    a.set_defaults(func=cmd_password)
    a = actions.add_parser("demo", help="演示库:建好并列出演示账号 / demo store: add and list the demo accounts")
    a.set_defaults(func=cmd_demo)


def read_password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice at a terminal (never an argument)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError("没有终端:请用 --password-stdin / No terminal: use --password-stdin")
    first = getpass.getpass("密码 / Password: ")
    if getpass.getpass("再输入一次 / Again: ") != first:
        raise UsageError("两次输入的密码不同 / The two passwords differ")
    return first


def _refused(exc: Exception) -> int:
    print(exc, file=sys.stderr)
    return EXIT_REFUSED


def cmd_add(args) -> int:
    password = None if args.no_password else read_password(args.password_stdin)
    try:
        user = auth.add_user(
            args.name,
            args.role,
            password,
            display_name=args.display_name,
            department=args.department,
            territory=args.territory,
            cm=args.cm,
            email=args.email,
            by=actor(),
        )
    except (auth.AccountError, auth.WeakPassword) as exc:
        return _refused(exc)
    print(f"已新建账号 {user.name}({user.role})/ Account {user.name} added ({user.role})")
    return EXIT_OK


def cmd_list(args) -> int:
    frame = auth.accounts()
    if frame.empty:
        print("还没有账号 / No accounts yet")
        return EXIT_OK
    scope = frame["scope_department"].fillna(frame["scope_territory"]).fillna(frame["scope_cm"]).fillna("city")
    shown = frame.assign(scope=scope)[["user_name", "display_name", "role", "scope", "email", "active"]]
    print(shown.to_string(index=False))
    return EXIT_OK


def cmd_active(args) -> int:
    try:
        auth.set_active(args.name, args.action == "enable", by=actor())
    except auth.AccountError as exc:
        return _refused(exc)
    print(f"{args.name}: {args.action}d")
    return EXIT_OK


def cmd_password(args) -> int:
    password = read_password(args.password_stdin)
    try:
        auth.set_password(args.name, password, by=actor())
    except (auth.AccountError, auth.WeakPassword) as exc:
        return _refused(exc)
    print(f"已为 {args.name} 设置新密码 / New password set for {args.name}")
    return EXIT_OK


def cmd_demo(args) -> int:
    made = auth.ensure_demo_accounts()
    if not made:
        print("不是演示库,未建演示账号 / Not the demo store: no demo accounts")
        return EXIT_OK
    codes = auth.demo.demo_codes()
    print("演示账号 / Demo accounts (sign in at the dashboard):")
    for a in made:
        print(f"  {a.name:11s} {a.password:22s} {a.role:10s} {codes.get(a.level, 'city')}")
    return EXIT_OK
