"""`otklik keys`: API keys for the HTTP API (in Russian).

    otklik keys create --name NAME --role ROLE [--role ROLE ...]   the key is printed once
    otklik keys list
    otklik keys revoke ID

Roles: system (classify, ingest), analyst (insights, topics, models list), press (masked texts),
admin (everything, models, raw text). Keys live in the message store (--db, as other commands).
"""

from __future__ import annotations

import argparse

from api.cli_support import UserError
from insights.keys import ROLES

ROLE_HELP = (
    "system — классификация и загрузка; analyst — аналитика, темы, обучение; "
    "press — пресс-служба, маскированные тексты; admin — всё, модели, ключи, исходный текст"
)


def register(commands) -> None:
    keys = commands.add_parser("keys", help="ключи доступа к HTTP API")
    actions = keys.add_subparsers(dest="keys_action", metavar="ДЕЙСТВИЕ", required=True)
    create = actions.add_parser("create", help="создать ключ (он показывается один раз)")
    create.add_argument("--name", required=True, help="кому или какой системе выдан ключ")
    create.add_argument(
        "--role",
        action="append",
        required=True,
        choices=ROLES,
        metavar="РОЛЬ",
        help=f"роль (можно несколько раз): {ROLE_HELP}",
    )
    actions.add_parser("list", help="список ключей (без самих ключей)")
    revoke = actions.add_parser("revoke", help="отозвать ключ")
    revoke.add_argument("id", metavar="ID", help="идентификатор ключа из otklik keys list")
    for parser in (create, *actions.choices.values()):
        if not any(a.dest == "db" for a in parser._actions):
            parser.add_argument(
                "--db",
                default=None,
                metavar="URL",
                help="адрес базы (иначе OTKLIK_DATABASE_URL или файл SQLite)",
            )
    keys.set_defaults(handler=run_keys)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def run_keys(args: argparse.Namespace) -> int:
    from insights.keys import KeyProblem, create_key, list_keys, revoke_key
    from insights.store import open_store

    store = open_store(args.db)
    if args.keys_action == "create":
        try:
            key, info = create_key(store, args.name, args.role)
        except KeyProblem as exc:
            raise UserError(f"Ключ не создан: {exc}") from exc
        print(f"Ключ {info.id} для «{info.name}» (роли: {', '.join(info.roles)}):")
        print(key)
        print("Сохраните его сейчас: он больше не будет показан (в базе только его хеш).")
        return 0
    if args.keys_action == "list":
        keys = list_keys(store)
        if not keys:
            print("Ключей нет. Создайте: otklik keys create --name ИМЯ --role РОЛЬ")
        for info in keys:
            state = f"отозван {_when(info.revoked_at)}" if info.revoked_at else "действует"
            print(
                f"{info.id}  {info.name}  роли: {','.join(info.roles)}  создан "
                f"{_when(info.created_at)}  использован {_when(info.last_used_at)}  {state}"
            )
        return 0
    if not revoke_key(store, args.id):
        raise UserError(f"Ключ {args.id} не найден или уже отозван (см. otklik keys list)")
    print(f"Ключ {args.id} отозван.")
    return 0
