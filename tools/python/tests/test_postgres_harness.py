"""The PostgreSQL harness: it always stops its server and leaves nothing behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from xetl_harness import PostgresNotAvailableError, PostgresStartError, postgres_server
from xetl_harness.postgres import OWNER_FILE, SERVER_OS_USER, reap_orphans, server_data_dir


def server_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def gone(pid: int) -> bool:
    """No such process, not even a zombie waiting to be reaped."""
    return not Path(f"/proc/{pid}").exists()


@pytest.fixture
def scratch_dir() -> Iterator[Path]:
    """A directory the server user can reach (pytest's tmp_path is private to root when run as root)."""
    path = Path(tempfile.mkdtemp(prefix="xetl-harness-test-"))
    path.chmod(0o711)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def harness_subprocess() -> subprocess.Popen[str]:
    """A separate Python process that starts a throwaway server, prints its data dir and waits."""
    script = (
        "import time\n"
        "from xetl_harness import postgres_server\n"
        "with postgres_server() as server:\n"
        "    print(server.data_dir, flush=True)\n"
        "    time.sleep(120)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_throwaway_server_accepts_connections_and_leaves_no_process_or_directory():
    with postgres_server() as server:
        pid = server_pid(server.data_dir)
        with psycopg.connect(server.dsn()) as conn:
            assert conn.execute("SELECT current_setting('TimeZone'), inet_server_addr()::text").fetchone() == (
                "UTC", "127.0.0.1/32",
            )

    assert gone(pid)
    assert not server.data_dir.parent.exists()


def test_the_server_is_stopped_when_the_block_raises():
    with pytest.raises(RuntimeError, match="test failure"), postgres_server() as server:
        pid = server_pid(server.data_dir)
        raise RuntimeError("test failure")

    assert gone(pid)
    assert not server.data_dir.parent.exists()


def test_a_persistent_data_dir_keeps_its_data_and_uses_the_given_port(scratch_dir: Path):
    data_dir = scratch_dir / "postgres"
    try:
        with postgres_server(data_dir) as first, psycopg.connect(first.dsn(), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (id int)")
            conn.execute("INSERT INTO kept VALUES (42)")
            port = first.port + 1 if first.port < 65000 else first.port - 1

        with postgres_server(data_dir, port=port) as second, psycopg.connect(second.dsn()) as conn:
            assert second.port == port
            assert conn.execute("SELECT id FROM kept").fetchall() == [(42,)]
            pid = server_pid(second.data_dir)

        assert gone(pid)
        assert (second.data_dir / "PG_VERSION").is_file()
    finally:
        if server_data_dir(data_dir) != data_dir.resolve():
            shutil.rmtree(server_data_dir(data_dir).parent, ignore_errors=True)


def test_a_persistent_server_works_under_a_folder_no_other_user_can_enter():
    # What `mktemp -d` makes and what root's home is: as root, the server user cannot traverse it.
    private = Path(tempfile.mkdtemp(prefix="xetl-harness-private-"))
    try:
        assert private.stat().st_mode & 0o777 == 0o700
        with postgres_server(private / "postgres") as server, psycopg.connect(server.dsn()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert server.data_dir == server_data_dir(private / "postgres")
    finally:
        shutil.rmtree(private, ignore_errors=True)
        shutil.rmtree(server_data_dir(private / "postgres").parent if os.geteuid() == 0 else private, ignore_errors=True)


def test_a_port_that_is_taken_is_reported_with_the_server_log(scratch_dir: Path):
    with postgres_server() as running, pytest.raises(PostgresStartError, match="already in use"):
        with postgres_server(scratch_dir / "postgres", port=running.port):
            pass


def test_a_directory_that_is_not_a_data_dir_is_left_alone(scratch_dir: Path):
    where = server_data_dir(scratch_dir)  # scratch_dir itself, or the server user's folder for it as root
    where.mkdir(exist_ok=True)
    (where / "notes.txt").write_text("mine")

    try:
        with pytest.raises(PostgresStartError, match="neither empty nor a PostgreSQL data directory"):
            with postgres_server(scratch_dir):
                pass

        assert (where / "notes.txt").read_text() == "mine"
    finally:
        if where != scratch_dir:
            shutil.rmtree(where.parent, ignore_errors=True)


def test_missing_binaries_are_reported_with_what_to_install(tmp_path: Path):
    with pytest.raises(PostgresNotAvailableError, match="apt-get install postgresql"):
        with postgres_server(bin_dir=tmp_path):
            pass


def test_sigterm_to_the_owning_process_stops_the_server_and_removes_its_directory():
    process = harness_subprocess()
    data_dir = Path(process.stdout.readline().strip())
    pid = server_pid(data_dir)

    process.send_signal(signal.SIGTERM)

    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "TerminatedBySignal: terminated by signal 15" in stderr
    assert gone(pid)
    assert not data_dir.parent.exists()


def test_a_server_orphaned_by_a_killed_process_is_reaped_by_the_next_harness():
    process = harness_subprocess()
    data_dir = Path(process.stdout.readline().strip())
    pid = server_pid(data_dir)
    process.kill()  # SIGKILL: no clean-up code runs
    process.wait(timeout=30)
    assert not gone(pid)

    reaped = reap_orphans()

    assert data_dir.parent in reaped
    assert not data_dir.parent.exists()
    # The orphan's parent (init, or runuser under init) reaps it; wait for that, briefly.
    for _ in range(100):
        if gone(pid) or Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            break
        subprocess.run(["sleep", "0.05"], check=True)
    else:
        pytest.fail(f"postgres {pid} still running after reap_orphans()")


def test_only_throwaway_directories_of_dead_owners_are_reaped(tmp_path: Path):
    finished = subprocess.Popen(["true"])
    finished.wait()
    dead = tmp_path / "xetl-pg-dead"
    alive = tmp_path / "xetl-pg-alive"
    unrelated = tmp_path / "something-else"
    for folder, owner in ((dead, finished.pid), (alive, os.getpid()), (unrelated, finished.pid)):
        folder.mkdir()
        (folder / OWNER_FILE).write_text(str(owner))

    assert reap_orphans(temp_root=tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and unrelated.exists()


def test_the_server_runs_as_the_postgres_user_when_started_by_root():
    with postgres_server() as server:
        owner = Path(f"/proc/{server_pid(server.data_dir)}").stat().st_uid
    expected = os.getuid() if os.geteuid() != 0 else __import__("pwd").getpwnam(SERVER_OS_USER).pw_uid
    assert owner == expected
