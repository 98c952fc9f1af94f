"""The `caseroom` command: serve, migrate, demo."""

from __future__ import annotations

import argparse
import asyncio
import sys

from caseroom.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        key: value
        for key, value in {
            "database_url": getattr(args, "database_url", None),
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
        }.items()
        if value is not None
    }
    return Settings(**overrides)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="caseroom", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API, websocket and pages")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--database-url")
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--database-url")
    demo = commands.add_parser("demo", help="load the demo organization (idempotent)")
    demo.add_argument("--database-url")
    args = parser.parse_args(argv)
    settings = _settings(args)

    if args.command == "migrate":
        from caseroom.storage.migrate import upgrade

        upgrade(settings.database_url)
        print(f"database is up to date: {settings.database_url}")
    elif args.command == "demo":
        from caseroom.demo import load_demo

        print(asyncio.run(load_demo(settings)))
    else:
        import uvicorn

        from caseroom.app import create_app

        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
