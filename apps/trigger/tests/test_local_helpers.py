"""The local and test helpers of the package: the marker pattern from the pipeline contract
(emulator_setup) and the local poller's Airflow CLI client and command line."""

from __future__ import annotations

import json
import sys

import pytest
from pipeline_contract import dag_id, marker_event_pattern
from xetl_trigger.emulator_setup import marker_pattern
from xetl_trigger.handler import dag_runs_path
from xetl_trigger.local_poller import AirflowCliApi, main


def test_marker_pattern_is_the_contract_pattern_with_bucket_and_prefix_filled_in():
    pattern = marker_pattern(marker_event_pattern(), "bucket-a", "feed")
    assert pattern["detail"]["bucket"]["name"] == ["bucket-a"]
    assert pattern["detail"]["object"]["key"] == [{"wildcard": "feed/*/_SUCCESS"}]
    assert "{source_" in json.dumps(marker_event_pattern()) and "{source_" not in json.dumps(pattern)
    # Everything else is the contract's, untouched.
    assert {k: v for k, v in pattern.items() if k != "detail"} == \
        {k: v for k, v in marker_event_pattern().items() if k != "detail"}


def test_marker_pattern_refuses_a_placeholder_it_cannot_fill():
    with pytest.raises(ValueError, match=r"^marker event pattern: unknown placeholder \{source_account\}"):
        marker_pattern({"account": ["{source_account}"]}, "b", "p")


def test_the_cli_client_triggers_the_dag_the_path_names():
    # A stand-in `airflow` that fails and echoes its arguments: the 400's detail shows the command.
    echo = [sys.executable, "-c", "import sys; sys.exit(' '.join(sys.argv[1:]))"]
    status, body = AirflowCliApi(echo).post(dag_runs_path(dag_id()), {"dag_run_id": "r1", "conf": {"partition": "p"}})
    assert (status, body) == (400, {"detail": f'dags trigger {dag_id()} --run-id r1 --conf {{"partition": "p"}}'})
    assert AirflowCliApi(echo).post("/dags/x/tasks", {"dag_run_id": "r1"}) == (404, {"detail": "unsupported path /dags/x/tasks"})


def test_the_poller_command_needs_a_dag_id(monkeypatch, capsys):
    monkeypatch.delenv("XETL_DAG_ID")
    with pytest.raises(SystemExit) as exit_:
        main(["--queue-url", "q", "--dlq-url", "d", "--airflow-cli"])
    assert exit_.value.code == 2
    assert "--dag-id (or XETL_DAG_ID) is required" in capsys.readouterr().err
