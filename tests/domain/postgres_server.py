"""A throwaway PostgreSQL cluster for tests: initdb into a temporary directory, listen only on a
Unix socket there, stop and delete it at the end. Runs the server as the `postgres` OS user when
the tests run as root (CI), since PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

MISSING = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "
           "'postgresql' (`make test` does it through scripts/system-packages.sh), or deselect "
           "these tests with -m 'not postgres'")


def _binary_dir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb).parent
    raise RuntimeError(MISSING)


class PostgresServer:
    def __init__(self) -> None:
        self.bin = _binary_dir()
        self.as_postgres = os.geteuid() == 0
        # as root, somewhere the postgres user can reach whatever TMPDIR says
        self.root = Path(tempfile.mkdtemp(prefix="motcua-pg-", dir="/tmp" if self.as_postgres else None))
        self.data = self.root / "data"
        if self.as_postgres:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root needs the 'postgres' OS user: " + MISSING) from None
            os.chown(self.root, user.pw_uid, user.pw_gid)
        os.chmod(self.root, 0o700)

    def _run(self, *argv: str) -> None:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {result.stderr or result.stdout}\n{tail}")

    def start(self) -> PostgresServer:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-locale", "--no-sync")
        options = (f"-k {self.root} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.root / "server.log"), "-o", options)
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.root}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(host=str(self.root), user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
