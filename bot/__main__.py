"""The `mentorbot` command line.

Heavy libraries (PTB, SQLAlchemy, matplotlib, even asyncio) are imported inside the commands,
and help is plain text rather than Rich panels (typer's Rich formatting alone imports about
0.2 s of modules), so that `mentorbot --help` answers at once (benchmarks/load.py measures it).
A bad setting ends the command with one line, no traceback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

PLAIN: Any = {"no_args_is_help": True, "rich_markup_mode": None}
app = typer.Typer(help="mentorbot: a companion for recovery mentoring.", **PLAIN)
db_app = typer.Typer(help="Database commands.", **PLAIN)
staff_app = typer.Typer(help="Create and list staff (mentors and supervisors).", **PLAIN)
resources_app = typer.Typer(
    help="Import and export the directory of services (YAML or CSV).", **PLAIN
)
keys_app = typer.Typer(
    help="Encryption keys for free text and phone numbers at rest.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(staff_app, name="staff")
app.add_typer(resources_app, name="resources")
safety_app = typer.Typer(help="Check the crisis rules (config/crisis.yaml).", **PLAIN)
app.add_typer(safety_app, name="safety")


def _fail(message: str) -> NoReturn:
    typer.echo(f"mentorbot: {message}", err=True)
    raise typer.Exit(code=2)


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token; twilio
    # logs each request's form (the number and the text) at INFO. Neither may reach the logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("twilio").setLevel(logging.WARNING)
    # APScheduler logs two lines per job run at INFO: with the dispatcher every second that is
    # about 170,000 lines a day. Its warnings and a job's failure (ERROR) still get through.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _run(
    make: Callable[[Any], Coroutine[Any, Any, None]], *, keys: bool = True, database: bool = True
) -> None:
    """Load settings and run one async command, turning configuration problems into one line.

    Every command but the demo needs MENTORBOT_ENCRYPTION_KEYS: without it nothing starts.
    A database that cannot be reached is one line too (bot.errors_cli); other errors are bugs
    and keep their traceback.
    """
    import asyncio

    from bot.instruments.loader import InstrumentError
    from bot.reminder_policy import PolicyError
    from bot.safety import CrisisListError
    from bot.storage.crypto import KeyRingError, install_from_settings
    from config.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        if keys:
            install_from_settings(settings)
    except (SettingsError, KeyRingError) as exc:
        _fail(str(exc))
    from bot.errors_cli import database_problem, sqlite_problem

    url = settings.database_url if database else None  # the demo keeps its own file
    missing_folder = sqlite_problem(url) if url else None
    if missing_folder is not None:  # aiosqlite would print a thread's traceback as well
        _fail(missing_folder)
    try:
        asyncio.run(make(settings))
    except (SettingsError, InstrumentError, PolicyError, CrisisListError, KeyRingError) as exc:
        _fail(str(exc))
    except Exception as exc:
        problem = database_problem(exc, url) if url else None
        if problem is None:
            raise
        _fail(problem)


@app.command()
def demo(
    script: Annotated[
        Path | None, typer.Option(help="Replay the inputs in this file, one per line.")
    ] = None,
    database: Annotated[Path, typer.Option(help="SQLite file for the demo.")] = Path(
        "mentorbot-demo.db"
    ),
    pictures: Annotated[Path, typer.Option(help="Where charts are saved.")] = Path("demo-output"),
    reset: Annotated[bool, typer.Option(help="Start again with a fresh demo database.")] = False,
    as_mentor: Annotated[bool, typer.Option("--as-mentor", help="Chat as the mentor.")] = False,
) -> None:
    """Chat with mentorbot in the terminal, with synthetic demo people (no token needed)."""
    from bot.demo import run_demo

    if script is not None and not script.is_file():
        _fail(f"script file not found: {script}")
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    lines = script.read_text(encoding="utf-8").splitlines() if script is not None else None
    logging.basicConfig(level=logging.WARNING)
    _run(
        lambda settings: run_demo(
            settings, database=database, picture_dir=pictures, script=lines, as_mentor=as_mentor
        ),
        keys=False,  # the demo makes its own key when none is set
        database=False,  # and uses its own SQLite file, not MENTORBOT_DATABASE_URL
    )


@app.command()
def serve() -> None:
    """Run the Telegram bot and the HTTP endpoints (webhook, health check)."""
    from bot.app import serve as serve_app

    _configure_logging()
    _run(serve_app)


@app.command()
def scheduler() -> None:
    """Run the scheduler: meeting reminders, nudges and the outbox dispatcher."""
    from bot.scheduling.process import run_scheduler

    _configure_logging()
    _run(run_scheduler)


@app.command()
def run() -> None:
    """Run the bot and the scheduler together (a single-machine install)."""
    import asyncio

    from bot.app import serve as serve_app
    from bot.scheduling.process import run_scheduler

    async def both(settings: Any) -> None:
        stop = asyncio.Event()
        scheduler_task = asyncio.create_task(run_scheduler(settings, stop=stop))
        try:
            await serve_app(settings)
        finally:
            stop.set()
            await scheduler_task

    _configure_logging()
    _run(both)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (run after every install or update)."""
    import asyncio

    from bot.storage.migrate import upgrade

    async def go(settings: Any) -> None:
        await asyncio.to_thread(upgrade, settings.database_url)
        typer.echo("Database is up to date.")

    _run(go)


@keys_app.command("new")
def keys_new() -> None:
    """Print a fresh key: put it first in MENTORBOT_ENCRYPTION_KEYS, then run `keys rotate`."""
    from bot.storage.crypto import new_key

    typer.echo(new_key())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt all stored text and phone numbers with the first (newest) key."""
    from bot.keys_cli import rotate_keys

    _run(rotate_keys)


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Option(help="First name shown to mentees.")],
    telegram_id: Annotated[int, typer.Option(help="The person's numeric Telegram user id.")],
    role: Annotated[str, typer.Option(help="mentor or supervisor")] = "mentor",
) -> None:
    """Add a mentor or supervisor who can then use the bot's staff commands."""
    from bot.staff_cli import add_staff

    if role not in ("mentor", "supervisor"):
        _fail("--role must be mentor or supervisor")
    _run(lambda settings: add_staff(settings, name=name, telegram_id=telegram_id, role=role))


@staff_app.command("list")
def staff_list() -> None:
    """List mentors and supervisors."""
    from bot.staff_cli import list_staff

    _run(list_staff)


@resources_app.command("import")
def resources_import(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A .yaml or .csv file; the shipped config/resources.yaml if left out."
        ),
    ] = None,
) -> None:
    """Replace the directory with a file's entries: all or nothing, every bad row named."""
    from bot.resources_cli import import_resources
    from bot.signposting import DirectoryError, default_resources_path

    path = file or default_resources_path()
    if not path.is_file():
        _fail(f"file not found: {path}")
    try:
        _run(lambda settings: import_resources(settings, path))
    except DirectoryError as exc:
        # One line per problem, so every bad row can be fixed in one go.
        for line in str(exc).splitlines():
            typer.echo(f"mentorbot: {line}", err=True)
        raise typer.Exit(code=2) from None


@resources_app.command("export")
def resources_export(
    file: Annotated[Path, typer.Argument(help="Where to write: a .yaml or .csv file.")],
) -> None:
    """Write the entries in use to a YAML or CSV file (by its suffix)."""
    from bot.resources_cli import check_export_path, export_resources

    problem = check_export_path(file)
    if problem is not None:
        _fail(problem)
    _run(lambda settings: export_resources(settings, file))


@safety_app.command("check")
def safety_check(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="Messages to check: a corpus like tests/safety/corpus.yaml, or one message "
            "a line; the shipped corpus if left out."
        ),
    ] = None,
) -> None:
    """Print recall and false alarms per category for the shipped crisis rules."""
    from bot.safety import CrisisDetector, CrisisListError
    from bot.safety.corpus import score, shipped_corpus_path, table

    path = file or shipped_corpus_path()
    if not path.is_file():
        _fail(f"file not found: {path}")
    try:
        report = score(CrisisDetector.from_file(), path)
    except (CrisisListError, ValueError, OSError) as exc:
        _fail(str(exc))
    typer.echo(table(report))
    if not report.unlabelled and not report.perfect:
        raise typer.Exit(code=1)


@app.command()
def report(
    format: Annotated[
        str, typer.Option("--format", help="table, text, csv, json or png.")
    ] = "table",
    site: Annotated[str | None, typer.Option(help="Only episodes at this site.")] = None,
    mentor: Annotated[str | None, typer.Option(help="Only this mentor's mentees.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Follow-ups completed on or after (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Follow-ups completed before (YYYY-MM-DD).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            help="Compare two groups: another programme's FILE.csv, a kept group, or words "
            'such as "hub spokes", "mentor=Alex", "finished left" (docs/compare.md).'
        ),
    ] = None,
    keep: Annotated[
        str | None, typer.Option(help="Keep the --compare file's scores under this name.")
    ] = None,
) -> None:
    """Paired before/after outcomes (ARC, CEST) with 95% CIs, and the service's activity."""
    from datetime import date

    from bot.report_cli import FORMATS, ReportRequest, print_report

    if format not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}")
    try:
        days = [date.fromisoformat(d) if d else None for d in (since, until)]
    except ValueError:
        _fail("dates are written YYYY-MM-DD, for example 2026-06-30")
    request = ReportRequest(format, site, mentor, days[0], days[1], out, compare, keep)
    _run(lambda settings: print_report(settings, request))


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="Folder to write the CSV files into.")],
    identified: Annotated[
        bool, typer.Option(help="Include names and phone numbers (supervisors only; logged).")
    ] = False,
    supervisor: Annotated[
        str | None, typer.Option(help="Your name as a supervisor, for --identified.")
    ] = None,
) -> None:
    """Write the data for analysis as CSV files: pseudonymous unless --identified."""
    from bot.export_cli import export as write_export

    _run(
        lambda settings: write_export(
            settings, out=out, identified=identified, supervisor=supervisor
        )
    )


@app.command("audit")
def audit_command(
    mentee: Annotated[str, typer.Option(help="The mentee's first name or nickname.")],
) -> None:
    """List who looked at a mentee's record, and when (never what they saw)."""
    from bot.export_cli import show_audit

    _run(lambda settings: show_audit(settings, mentee=mentee))


def main() -> None:
    # PTB 22 warns on every 429 unless durations are timedeltas; mentorbot never reads them.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    app()


if __name__ == "__main__":
    main()
