"""The `caseroom` command: serve, migrate, demo, and the operator commands."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys

from caseroom import admin_cli
from caseroom.channels.sms import demo as sms_demo
from caseroom.config import Settings
from caseroom.logs import configure_logging
from caseroom.services import auth


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {
        key: value
        for key, value in {
            "database_url": getattr(args, "database_url", None),
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
            "smtp_host": getattr(args, "smtp_host", None),
            "smtp_port": getattr(args, "smtp_port", None),
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
    smtpd = commands.add_parser("smtpd", help="receive inbound email (SMTP) in its own process")
    smtpd.add_argument("--host", dest="smtp_host")
    smtpd.add_argument("--port", dest="smtp_port", type=int)
    smtpd.add_argument("--database-url")
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--database-url")
    demo = commands.add_parser("demo", help="load the demo organization (idempotent)")
    demo.add_argument("--database-url")
    admin_cli.register(commands)
    sms_demo.register(commands)
    for name, help_text in (
        ("backup", "copy the database and the files into a new directory"),
        ("restore", "put a backup back into an empty database and the files folder"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("directory")
        command.add_argument("--database-url")
    args = parser.parse_args(argv)
    settings = _settings(args)
    configure_logging(settings)
    auth.use_password_cost(settings.password_hash_time_cost, settings.password_hash_memory_kib)
    if args.command in admin_cli.COMMANDS:
        return admin_cli.run(args, settings)
    if args.command == "sms-demo":
        return sms_demo.run(args, settings)

    if args.command == "migrate":
        from caseroom.storage.migrate import upgrade

        upgrade(settings.database_url)
        print(f"database is up to date: {settings.database_url}")
    elif args.command in ("backup", "restore"):
        from pathlib import Path

        from caseroom import backup

        run = backup.backup if args.command == "backup" else backup.restore
        try:
            manifest = run(settings, Path(args.directory))
        except backup.BackupError as error:
            print(f"caseroom {args.command}: {error}", file=sys.stderr)
            return 1
        kind, files = manifest["database"], manifest["files"]
        print(f"{args.command} done: {args.directory} ({kind}, {files} files)")
    elif args.command == "smtpd":
        from caseroom import smtpd as smtpd_command

        return smtpd_command.run(settings)
    elif args.command == "demo":
        from caseroom.demo import load_demo

        print(asyncio.run(load_demo(settings)))
    else:
        import uvicorn

        from caseroom.app import create_app

        app = create_app(settings)
        # What exists now lives as long as the process: keep it out of every
        # collection, and collect less often (a busy server allocates a lot).
        gc.collect()
        gc.freeze()
        gc.set_threshold(*settings.gc_thresholds)
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            ws_per_message_deflate=settings.ws_compression,
            # Far larger frames are cut by the server; those near the limit get a problem.
            ws_max_size=2 * settings.ws_max_frame_bytes,
            log_config=None,  # configure_logging above renders uvicorn's lines too
            access_log=False,  # RequestObserver writes the access line, with the request id
            timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
