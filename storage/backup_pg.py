"""PostgreSQL backups with the server's own tools: pg_dump (custom format) in an exported snapshot, so that the
rows counted for the manifest are the rows dumped; read back with pg_restore; restored in one transaction."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from errors import ConfigError, StorageError
from storage.audit import Verdict, verify

__all__ = ["DUMP", "counts", "dump", "read_counts", "restore", "rows_in"]

DUMP = "trienkhai.dump"
_COPY = re.compile(r'^COPY (?:public\.)?"?([\w]+)"? \(.*\) FROM stdin;$')


def _tool(name: str) -> str:
    """The newest pg_dump/pg_restore installed: on PATH or in /usr/lib/postgresql/<version>/bin (Debian)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise ConfigError(f"Không tìm thấy {name} (đã tìm trong PATH và /usr/lib/postgresql/*/bin): hãy cài gói "
                      "postgresql-client cùng phiên bản với máy chủ PostgreSQL.")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    # The password goes through the environment, not the command line that `ps` shows.
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run(command, env=env, capture_output=True, timeout=6 * 3600)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise StorageError(f"{what} không thành công ({Path(command[0]).name}): {' '.join(said[-3:])}")
    return done


def _counts(connection: Connection) -> dict[str, int]:
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in names}


def dump(url: str, target: Path) -> tuple[dict[str, int], Verdict]:
    """pg_dump the database into `target` inside an exported snapshot; the rows per table and the audit chain's
    verdict, as of that snapshot."""
    pg_dump = _tool("pg_dump")
    uri, env = _libpq(url)
    engine = create_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                 postgresql_readonly=True) as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            found = _counts(connection)
            with Session(bind=connection) as session:
                verdict = verify(session)
            # The snapshot lives as long as this transaction: pg_dump must run while it is open.
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-owner", f"--file={target}",
                  f"--dbname={uri}"], env, "Sao lưu PostgreSQL")
            connection.rollback()
    finally:
        engine.dispose()
    return found, verdict


def read_counts(dump_file: Path, problems: list[str]) -> dict[str, int]:
    """Read the whole archive back through pg_restore and count the rows of each table's data."""
    command = [_tool("pg_restore"), "--data-only", "--file=-", str(dump_file)]
    found: dict[str, int] = {}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        table: str | None = None
        for raw in process.stdout:
            line = raw.rstrip(b"\n")
            if table is not None:
                if line == b"\\.":
                    table = None
                else:
                    found[table] += 1
                continue
            match = _COPY.match(line.decode("utf-8", "replace"))
            if match:
                table = match[1]
                found[table] = 0
        said = process.stderr.read().decode("utf-8", "replace").strip()
    if process.returncode != 0:
        problems.append(f"pg_restore không đọc hết được bản sao: {' '.join(said.splitlines()[-2:])}")
    return found


def counts(url: str) -> dict[str, int]:
    """Rows of every table of the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return _counts(connection)
    finally:
        engine.dispose()


def rows_in(url: str) -> int:
    """How many rows the database holds, its schema's revision aside."""
    return sum(n for name, n in counts(url).items() if name != "alembic_version")


def restore(url: str, dump_file: Path) -> None:
    """Replace the database's tables with the archive's, in one transaction (a failure leaves it as it was)."""
    uri, env = _libpq(url)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          f"--dbname={uri}", str(dump_file)], env, "Khôi phục PostgreSQL")
