"""The `motcua` command line: run the system, its parts, and administrative tasks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from motcua import settings as settings_module
from motcua.supervisor import Service, ServiceFailed, Supervisor, python_module

DEPLOYABLE_SUFFIXES = (".bpmn", ".dmn", ".form")


def _split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f"expected HOST:PORT, got {address!r}")
    return host, int(port)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="motcua")
def main() -> None:
    """motcua — electronic one-stop shop (Một cửa điện tử) on Camunda 8 / Zeebe."""


@main.command()
@click.option("--address", default=None, help="gRPC address to serve [default: ZEEBE_ADDRESS]")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="directory of the engine's database [default: $MOTCUA_DATA_DIR/engine]")
def engine(address: str | None, data_dir: Path | None) -> None:
    """Run the embedded Zeebe-compatible engine (gRPC gateway)."""
    settings = settings_module.load()
    argv = python_module(
        "engine",
        "--address", address or settings.zeebe_address,
        "--data", str(data_dir or settings.data_dir / "engine"),
    )
    _exec(argv)


@main.command()
def migrate() -> None:
    """Bring the application database (MOTCUA_DATABASE_URL) to the latest schema."""
    _migrate(settings_module.load())
    click.echo("database is up to date")


@main.command()
def workers() -> None:
    """Run every job worker against ZEEBE_ADDRESS."""
    _migrate(settings_module.load())
    _exec(python_module("workers"))


@main.command()
@click.option("--host", default=None, help="[default: MOTCUA_WEB_HOST]")
@click.option("--port", type=int, default=None, help="[default: MOTCUA_WEB_PORT]")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="worker processes [default: MOTCUA_WEB_PROCESSES, else one per core]")
def web(host: str | None, port: int | None, processes: int | None) -> None:
    """Run the staff and public webapp (several worker processes; Ctrl-C stops them all)."""
    from motcua import web_server

    settings = settings_module.load()
    _migrate(settings)
    try:
        server = web_server.WebServerSettings.from_environment(
            host or settings.web_host, port or settings.web_port, processes)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    web_server.serve(server)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def deploy(paths: tuple[Path, ...]) -> None:
    """Deploy BPMN, DMN and form files (or directories of them) to ZEEBE_ADDRESS, in one deployment."""
    from motcua import deployment

    files = deployment.collect(paths, DEPLOYABLE_SUFFIXES)
    if not files:
        raise click.ClickException(f"no {', '.join(DEPLOYABLE_SUFFIXES)} files in {', '.join(map(str, paths))}")
    settings = settings_module.load()
    try:
        deployed = deployment.deploy(settings.zeebe_address, files)
    except deployment.DeploymentRejected as rejected:
        raise click.ClickException(str(rejected)) from None
    for line in deployed:
        click.echo(line)


@main.group()
def catalog() -> None:
    """The procedure catalog (MOTCUA_CATALOG_DIR)."""


@catalog.command("check")
def catalog_check() -> None:
    """Validate every catalog file; list every problem with file, line and field."""
    from motcua.catalog import CatalogError, load_catalog

    directory = settings_module.load().catalog_dir
    try:
        loaded = load_catalog(directory)
    except CatalogError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{directory}: {len(loaded.procedures)} procedure versions, all valid")


@main.command()
@click.option("--demo/--no-demo", default=True, help="load demo users and dossiers")
def up(demo: bool) -> None:
    """Start engine, workers and webapp together; Ctrl-C stops everything."""
    settings = settings_module.load()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine_host, engine_port = _split_address(settings.zeebe_address)
    supervisor = Supervisor(echo=click.echo)
    code = 1
    click.echo(f"motcua: starting (data in {settings.data_dir})")
    try:
        supervisor.start(Service("engine", python_module(
            "engine", "--address", settings.zeebe_address,
            "--data", str(settings.data_dir / "engine")), ready_port=(engine_host, engine_port)))
        deployables = [d for d in (settings.bpmn_dir, settings.forms_dir)
                       if any(p.suffix in DEPLOYABLE_SUFFIXES for p in d.rglob("*"))]
        supervisor.run_step("database migration", python_module("motcua", "migrate"))
        if deployables:
            supervisor.run_step("deploy", python_module("motcua", "deploy", *map(str, deployables)))
        if demo:
            supervisor.run_step("demo data", python_module("motcua", "demo"))
        supervisor.start(Service("workers", python_module("workers")))
        supervisor.start(Service("webapp", python_module(  # as `motcua web` runs it
            "motcua", "web", "--host", settings.web_host, "--port", str(settings.web_port)),
            ready_port=(settings.web_host, settings.web_port), ready_path="/healthz"))
        click.echo(f"\nmotcua is running: {settings.web_url}\nPress Ctrl-C to stop.\n")
        code = supervisor.wait()
    except ServiceFailed as failure:
        click.echo(f"motcua: {failure}", err=True)
    except KeyboardInterrupt:
        code = 0
    finally:
        click.echo("motcua: stopping")
        supervisor.stop()
    sys.exit(code)


@main.command()
def demo() -> None:
    """Load demo users and dossiers into the application database (idempotent)."""
    try:
        from motcua import demo as demo_data
    except ImportError:
        click.echo("demo data: nothing to load yet")
        return
    demo_data.load(settings_module.load())


def _migrate(settings: settings_module.Settings) -> None:
    """Every command that uses the application database brings it up to date first."""
    from motcua import db

    try:
        db.migrate(settings.database_url)
    except Exception as error:  # a clear sentence, not a traceback, for a bad URL or a locked file
        raise click.ClickException(f"cannot migrate the database {settings.database_url}: {error}") from None


def _exec(argv: list[str]) -> None:
    import os

    os.execv(argv[0], argv)


# ---- staff accounts and API tokens (the webapp's helper) -----------------------------------
@main.group()
def user() -> None:
    """Staff accounts: their roles are the candidate groups of the user tasks.

    Another agency's system answering consultations is not a user: give it a token with
    `motcua token create --agency CODE`."""


@user.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["reception", "specialist", "head", "leader", "operator", "admin"]),
              help="a role (repeat for several)")
@click.option("--name", "full_name", required=True, help="full name as staff read it")
@click.option("--unit", default=None, help="division or office")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="the password (asked for when not given)")
def user_add(username: str, roles: tuple[str, ...], full_name: str, unit: str | None, password: str) -> None:
    """Create a staff account."""
    from motcua import db
    from motcua.staff_accounts import AccountError, create_user

    settings = settings_module.load()
    _migrate(settings)
    try:
        with db.transaction(db.session_factory(settings.database_url)) as session:
            created = create_user(session, username, full_name, password, roles, unit=unit)
            name = created.username
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"user {name} created with roles {', '.join(roles)}")


@main.group()
def token() -> None:
    """Bearer tokens for machine clients of the JSON API (/api/v1)."""


@token.command("create")
@click.argument("username", required=False)
@click.option("--name", default="", help="what the token is for; with --agency: the agency's name")
@click.option("--agency", "agency_code", default=None, metavar="CODE",
              help="a token for another agency's system instead (liên thông): it may only post "
                   "replies to consultations sent to agency CODE (e.g. police-fire)")
def token_create(username: str | None, name: str, agency_code: str | None) -> None:
    """Issue a token acting as USERNAME, or speaking for a consulted agency (--agency CODE).
    It is shown once."""
    from motcua import db
    from motcua.staff_accounts import find_user

    if (username is None) == (agency_code is None):
        raise click.UsageError("give either a USERNAME or --agency CODE")
    settings = settings_module.load()
    _migrate(settings)
    with db.transaction(db.session_factory(settings.database_url)) as session:
        if agency_code is not None:
            from motcua.staff_accounts import AccountError, issue_agency_token

            try:
                row, text = issue_agency_token(agency_code, name)
            except AccountError as error:
                raise click.ClickException(str(error)) from None
        else:
            account = find_user(session, username)
            if account is None:
                raise click.ClickException(f"no user {username}")
            row, text = db.ApiToken.issue(account, name)
        session.add(row)
    click.echo(text)


def _moment(at) -> str:
    from motcua.db.base import LOCAL_ZONE

    return at.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if at else "-"


@token.command("list")
def token_list() -> None:
    """Every token: TOKEN (what `token revoke` takes), its name, the user or agency it is for,
    created, last used and revoked (Vietnam time). Token texts are not stored: never shown."""
    from motcua import db
    from motcua.api_tokens import list_tokens

    settings = settings_module.load()
    _migrate(settings)
    with db.transaction(db.session_factory(settings.database_url)) as session:
        lines = list_tokens(session)
    if not lines:
        click.echo("no tokens: issue one with `motcua token create USERNAME` or `--agency CODE`")
        return
    rows = [("TOKEN", "NAME", "USER/AGENCY", "CREATED", "LAST USED", "REVOKED")] + [
        (line.ref, line.name or "-", line.owner, _moment(line.created_at), _moment(line.last_used_at),
         _moment(line.revoked_at)) for line in lines]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@token.command("revoke")
@click.argument("refs", nargs=-1, required=True, metavar="TOKEN...")
def token_revoke(refs: tuple[str, ...]) -> None:
    """Revoke tokens at once, named as `motcua token list` shows them (staff:3, agency:2): every
    web process refuses them from the next request on (HTTP 401). Recorded in the audit log."""
    import getpass

    from motcua import db
    from motcua.api_tokens import AlreadyRevoked, TokenNotFound, revoke

    settings = settings_module.load()
    _migrate(settings)
    by = f"cli:{getpass.getuser()}"
    sessions = db.session_factory(settings.database_url)
    failed = False
    for ref in refs:
        try:
            with db.transaction(sessions) as session:
                line = revoke(session, ref, by=by)
        except TokenNotFound as error:
            click.echo(f"error: {error}", err=True)
            failed = True
        except AlreadyRevoked as error:
            click.echo(f"{error.line.ref} ({error.line.owner}) was revoked already, at "
                       f"{_moment(error.line.revoked_at)}")
        else:
            click.echo(f"revoked {line.ref} ({line.owner}{', ' + line.name if line.name else ''})")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
