"""A local PostgreSQL server for tests and local runs, as a context manager.

    with postgres_server() as server:                                    # throwaway, in a temp dir
        psycopg.connect(server.dsn())
    with postgres_server(data_dir=Path(".work/postgres"), port=55432):   # kept between runs
        ...

What it does, and why:

- `initdb` into a fresh temporary directory (removed afterwards) or into `data_dir` (initialised
  once, kept; a server left running on it by a killed session is stopped first). As root the
  persistent data lives in a private folder of the `postgres` user named after `data_dir`
  (`server_data_dir`), so the clone may sit anywhere, even under a folder only root can enter.
- Starts `postgres` as a child process in its own session and waits until its pid file says "ready"
  and the port accepts connections. It listens on 127.0.0.1 only, on `port` or on a free port
  (retrying if another process takes the port between the probe and the bind), with no Unix socket
  (the default socket directory, /var/run/postgresql, is often missing or not writable).
- Authentication is `trust`: acceptable only because the server listens on loopback and lives for a
  test session or a local run. Never point it at a routable address.
- `timezone=UTC`, so TIMESTAMP defaults match Redshift's (whose sessions run in UTC).
- Throwaway servers run with fsync/full_page_writes/synchronous_commit off: nothing in them needs to
  survive a machine crash, and it makes initdb and every commit much faster. Persistent data dirs
  keep the durable defaults.
- `initdb` refuses to run as root. As root, every server command runs as the `postgres` user via
  `runuser -u postgres --`, and the directories it needs are chowned to that user.
- The server is always stopped and reaped on exit from the `with` block, also on an exception or
  Ctrl-C, and SIGTERM is turned into a KeyboardInterrupt while the block runs (so `kill <pid>`
  cleans up too, and pytest stops the session rather than failing one test and carrying on). Stopping escalates from a fast shutdown to an immediate one to SIGKILL. Throwaway
  directories left by a process that was killed with SIGKILL are reaped (server stopped, directory
  removed) by the next `postgres_server()` call.
- Missing binaries are reported with what to install.

Standard library only (Linux: it reads /proc to recognise its server): usable from any of the
project's environments.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"
SUPERUSER = "postgres"
# The server trusts loopback connections, so no password is checked; clients whose configuration
# requires one (Airflow connections, Cosmos's profile mapping) get this placeholder.
TRUST_AUTH_PLACEHOLDER = "unused-trust-auth"
SERVER_OS_USER = "postgres"  # the OS account that runs the server when we are root
TEMP_PREFIX = "xetl-pg-"
# As root, a persistent data directory lives in a private folder of the server user under the
# temp dir (named after the requested path), never inside the caller's tree: a clone under a
# directory other users cannot traverse (root's home, a mkdtemp folder) is unreachable for it.
PERSISTENT_PREFIX = "xetl-pgdata-"
OWNER_FILE = "owner.pid"  # in a throwaway root: the pid of the process that owns the server
LOG_NAME = "server.log"  # inside the data directory (always writable by the server user)
_BINARIES = ("initdb", "postgres")

_EPHEMERAL_SETTINGS = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"}


class PostgresNotAvailableError(RuntimeError):
    """The PostgreSQL server binaries (or, as root, the postgres user or runuser) are missing."""


class PostgresStartError(RuntimeError):
    """initdb or the server failed; the message carries the command output or the log's tail."""


@dataclass(frozen=True)
class PostgresServer:
    """A running server: connect with `dsn()` (libpq keyword form) or `url()`."""

    host: str
    port: int
    user: str
    data_dir: Path
    log_file: Path
    ephemeral: bool

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"


# --- environment ----------------------------------------------------------------------------------


def find_binaries(bin_dir: Path | str | None = None) -> dict[str, Path]:
    """Locate initdb and postgres: in `bin_dir` if given, else on PATH, else in the Debian
    layout (/usr/lib/postgresql/<version>/bin, newest first)."""
    candidates: list[Path] = []
    if bin_dir is not None:
        candidates.append(Path(bin_dir))
    else:
        on_path = shutil.which("initdb")
        if on_path:  # /usr/local/bin/initdb may be a symlink into the real bin folder
            candidates.append(Path(on_path).resolve().parent)
            candidates.append(Path(on_path).parent)
        debian = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        candidates.extend(debian)
    for folder in candidates:
        found = {name: folder / name for name in _BINARIES}
        if all(path.is_file() and os.access(path, os.X_OK) for path in found.values()):
            return found
    where = str(bin_dir) if bin_dir is not None else "PATH or /usr/lib/postgresql/*/bin"
    raise PostgresNotAvailableError(
        f"PostgreSQL server binaries ({', '.join(_BINARIES)}) not found in {where}. Install the server "
        "(Debian/Ubuntu: apt-get install postgresql-15, which puts them in /usr/lib/postgresql/15/bin) "
        "or put their folder on PATH."
    )


def _is_root() -> bool:
    return os.geteuid() == 0


def _server_account() -> pwd.struct_passwd | None:
    """The account the server runs as when we are root; None when we run it as ourselves."""
    if not _is_root():
        return None
    try:
        account = pwd.getpwnam(SERVER_OS_USER)
    except KeyError as error:
        raise PostgresNotAvailableError(
            f"running as root, but there is no '{SERVER_OS_USER}' user to run the server as "
            "(initdb refuses root): create it (useradd --system postgres) or run as a normal user"
        ) from error
    if shutil.which("runuser") is None:
        raise PostgresNotAvailableError("running as root, but runuser (util-linux) is not installed")
    return account


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_OS_USER, "--", *command] if _is_root() else command


def _give_to_server_user(path: Path) -> None:
    account = _server_account()
    if account is not None:
        os.chown(path, account.pw_uid, account.pw_gid)


def _run(command: list[str], what: str, timeout: float) -> subprocess.CompletedProcess[str]:
    # cwd=/ : as the postgres user the caller's working directory may be unreadable, and initdb
    # complains when it cannot resolve it.
    result = subprocess.run(
        _as_server_user(command), cwd="/", capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise PostgresStartError(f"{what} failed (exit {result.returncode}): {output[-2000:]}")
    return result


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _port_accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=1):
        return True
    return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _postmaster_pid(data_dir: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    return None


def _log_tail(log_file: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    return "(no server log)"


# --- lifecycle ------------------------------------------------------------------------------------


def _initdb(binaries: dict[str, Path], data_dir: Path, ephemeral: bool, timeout: float) -> None:
    command = [
        str(binaries["initdb"]),
        "--pgdata", str(data_dir),
        "--username", SUPERUSER,
        "--auth", "trust",
        "--encoding", "UTF8",
        "--locale", "C",  # byte-order collation, like Redshift's default (case-sensitive)
    ]
    if ephemeral:
        command.append("--no-sync")
    _run(command, f"initdb of {data_dir}", timeout)


def _server_pid(data_dir: Path) -> int | None:
    """The pid of the server running on `data_dir`, or None.

    postmaster.pid may be stale and its pid reused by an unrelated process, so the pid counts only
    if that process is alive (not a zombie) and its working directory is the data directory (the
    postmaster chdirs there), which nothing else does.
    """
    pid = _postmaster_pid(data_dir)
    if pid is None or not _pid_alive(pid):
        return None
    try:
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return None
        if Path(os.readlink(f"/proc/{pid}/cwd")).resolve() != data_dir.resolve():
            return None
    except (OSError, IndexError):
        return None
    return pid


def _launch(
    binaries: dict[str, Path], data_dir: Path, log_file: Path, port: int, settings: Mapping[str, str]
) -> subprocess.Popen[bytes]:
    """Start `postgres` as our own child (through runuser when root).

    Not `pg_ctl start`: that daemonises the server onto init, which leaves a zombie until init gets
    round to reaping it and gives us no handle. A child in a new session is reaped by us and does not
    receive the terminal's Ctrl-C directly: the `with` block's exit stops it, in order.
    """
    command = [
        str(binaries["postgres"]),
        "-D", str(data_dir),
        "-p", str(port),
        "-c", f"listen_addresses={LOOPBACK}",
        "-c", "unix_socket_directories=",
    ]
    for name, value in settings.items():
        command += ["-c", f"{name}={value}"]
    with open(log_file, "ab") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            _as_server_user(command),
            cwd="/",
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_ready(process: subprocess.Popen[bytes], data_dir: Path, port: int, log_file: Path, timeout: float) -> None:
    """Wait until postmaster.pid says "ready" for our port and the port accepts connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise PostgresStartError(f"postgres exited with status {code} while starting\n{_log_tail(log_file)}")
        with contextlib.suppress(OSError):
            lines = (data_dir / "postmaster.pid").read_text().splitlines()
            # line 4: port, line 8: status (PostgreSQL >= 10)
            if len(lines) >= 8 and lines[3].strip() == str(port) and lines[7].strip() == "ready":
                if _port_accepts(port):
                    return
        time.sleep(0.05)
    raise PostgresStartError(f"postgres was not ready after {timeout:.0f} s\n{_log_tail(log_file)}")


def _wait_gone(pid: int, data_dir: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _server_pid(data_dir) != pid:
            return True
        time.sleep(0.05)
    return False


def _stop(data_dir: Path, process: subprocess.Popen[bytes] | None = None, timeout: float = 30) -> None:
    """Stop the server on `data_dir` and reap `process`; never raises (it runs in finally blocks).

    Escalates SIGINT (fast shutdown: disconnect clients, checkpoint) -> SIGQUIT (immediate) ->
    SIGKILL (backends exit once they notice the postmaster is gone).
    """
    pid = _server_pid(data_dir)
    for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 10.0), (signal.SIGKILL, 10.0)):
        if pid is None:
            break
        with contextlib.suppress(OSError):
            os.kill(pid, sig)
        if _wait_gone(pid, data_dir, wait):
            break
    if process is not None:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def reap_orphans(temp_root: Path | None = None) -> list[Path]:
    """Stop and remove throwaway servers whose owning process no longer exists (it was SIGKILLed).

    Only directories named xetl-pg-* that hold an owner.pid are considered, and only when that pid
    is dead, so servers of other live sessions on the same machine are left alone.
    """
    reaped: list[Path] = []
    folder = temp_root or Path(tempfile.gettempdir())
    for root in folder.glob(f"{TEMP_PREFIX}*"):
        owner_file = root / OWNER_FILE
        try:
            owner = int(owner_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if _pid_alive(owner):
            continue
        _stop(root / "data", timeout=10)
        shutil.rmtree(root, ignore_errors=True)
        reaped.append(root)
    return reaped


def _check_pg_version(binaries: dict[str, Path], data_dir: Path) -> None:
    version_file = data_dir / "PG_VERSION"
    result = subprocess.run([str(binaries["postgres"]), "--version"], capture_output=True, text=True, check=False)
    # "postgres (PostgreSQL) 15.18 (Debian ...)" -> "15"
    words = result.stdout.split()
    server_major = words[2].split(".")[0] if len(words) >= 3 else ""
    data_major = version_file.read_text().strip()
    if server_major and data_major != server_major:
        raise PostgresStartError(
            f"{data_dir} was initialised by PostgreSQL {data_major} but the binaries are {server_major}; "
            "remove the directory (its data is local scratch) or use matching binaries"
        )


class TerminatedBySignal(KeyboardInterrupt):
    """SIGTERM arrived while a server was running.

    A KeyboardInterrupt on purpose: the `with` block unwinds exactly as on Ctrl-C, and test runners
    stop the whole session (running fixture teardown) instead of failing one test and carrying on.
    """


@contextlib.contextmanager
def _sigterm_as_interrupt(enabled: bool) -> Iterator[None]:
    """While the block runs, SIGTERM raises TerminatedBySignal in the main thread, so `finally` stops
    the server; the previous handler is restored afterwards."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise TerminatedBySignal(f"terminated by signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def server_data_dir(requested: Path | str) -> Path:
    """Where a persistent server keeps the data asked for at `requested`.

    As ourselves: `requested` itself. As root: `<tempdir>/xetl-pgdata-<hash of requested>/data`, in
    a 0700 folder owned by the server user, so that the server can reach it whatever the
    permissions of the requested path's parents. A folder of that name that is not the server
    user's own (a symlink, another owner, other users' access) is refused.
    """
    requested = Path(requested).resolve()
    account = _server_account()
    if account is None:
        return requested
    digest = hashlib.sha256(str(requested).encode()).hexdigest()[:16]
    home = Path(tempfile.gettempdir()) / f"{PERSISTENT_PREFIX}{digest}"
    with contextlib.suppress(FileExistsError):
        home.mkdir(mode=0o700)
        os.chown(home, account.pw_uid, account.pw_gid)
    info = home.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != account.pw_uid or info.st_mode & 0o077:
        raise PostgresStartError(
            f"{home} (the server's folder for {requested}) is not a private directory of the "
            f"'{SERVER_OS_USER}' user; remove it and retry"
        )
    return home / "data"


def _prepare_persistent(binaries: dict[str, Path], data_dir: Path, timeout: float) -> None:
    if not _is_root():
        data_dir.parent.mkdir(parents=True, exist_ok=True)
    if (data_dir / "PG_VERSION").is_file():
        _check_pg_version(binaries, data_dir)
        if _server_pid(data_dir) is not None:
            _stop(data_dir)  # left behind by a killed session; we need our own port and settings
        return
    if data_dir.exists() and any(data_dir.iterdir()):
        raise PostgresStartError(f"{data_dir} is neither empty nor a PostgreSQL data directory; refusing to touch it")
    data_dir.mkdir(mode=0o700, exist_ok=True)
    _give_to_server_user(data_dir)
    _initdb(binaries, data_dir, ephemeral=False, timeout=timeout)


@contextlib.contextmanager
def postgres_server(
    data_dir: Path | str | None = None,
    port: int | None = None,
    *,
    bin_dir: Path | str | None = None,
    settings: Mapping[str, str] | None = None,
    startup_timeout: float = 60,
    handle_sigterm: bool = True,
) -> Iterator[PostgresServer]:
    """Run a PostgreSQL server for the duration of the `with` block.

    data_dir: None for a throwaway server in a new temporary directory (removed afterwards); a path
        for a persistent one (initialised on first use, kept, e.g. `.work/postgres` in the repo; as
        root the data lives in the server user's own folder instead, see `server_data_dir`).
    port: None for a free port; a number to insist on that port (an error if it is taken).
    bin_dir: where initdb and postgres are, when not on PATH.
    settings: extra server settings (`-c name=value`), applied after the harness's own.
    handle_sigterm: turn SIGTERM into TerminatedBySignal (a KeyboardInterrupt) while the block runs
        (main thread only), so the server is stopped when the process is asked to terminate.
    """
    binaries = find_binaries(bin_dir)
    _server_account()  # fail early and clearly when root cannot switch to the postgres user
    ephemeral = data_dir is None
    temp_root: Path | None = None
    data: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    with _sigterm_as_interrupt(handle_sigterm):
        try:
            if ephemeral:
                reap_orphans()
                temp_root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
                (temp_root / OWNER_FILE).write_text(str(os.getpid()))
                _give_to_server_user(temp_root)
                data = temp_root / "data"
                _initdb(binaries, data, ephemeral=True, timeout=startup_timeout)
            else:
                data = server_data_dir(data_dir)
                _prepare_persistent(binaries, data, startup_timeout)

            log_file = data / LOG_NAME
            all_settings = {"timezone": "UTC", "log_timezone": "UTC"}
            if ephemeral:
                all_settings.update(_EPHEMERAL_SETTINGS)
            all_settings.update(settings or {})

            attempts = 1 if port is not None else 3
            for attempt in range(1, attempts + 1):
                chosen = port if port is not None else _free_port()
                process = _launch(binaries, data, log_file, chosen, all_settings)
                try:
                    _wait_ready(process, data, chosen, log_file, startup_timeout)
                    break
                except PostgresStartError:
                    _stop(data, process)
                    process = None
                    # Another process may have bound the probed port first: try a new one.
                    if attempt == attempts or "already in use" not in _log_tail(log_file, 60):
                        raise
            yield PostgresServer(
                host=LOOPBACK, port=chosen, user=SUPERUSER, data_dir=data, log_file=log_file, ephemeral=ephemeral
            )
        finally:
            if data is not None:
                _stop(data, process)
            if temp_root is not None:
                shutil.rmtree(temp_root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """`python -m xetl_harness.postgres [--data-dir DIR] [--port N]`: run a server until Ctrl-C.

    A missing prerequisite exits 2 and a server that does not start exits 1, each with one line on
    stderr (the server's log tail follows a start failure), never a traceback.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--data-dir", type=Path, default=None, help="persistent data directory (default: throwaway)")
    parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args(argv)
    try:
        with postgres_server(args.data_dir, args.port) as server:
            print(f"PostgreSQL ready: {server.url()}  (data {server.data_dir}, log {server.log_file}); Ctrl-C stops it", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    except PostgresNotAvailableError as error:
        print(f"xetl postgres: {error}", file=sys.stderr)
        return 2
    except PostgresStartError as error:
        print(f"xetl postgres: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
