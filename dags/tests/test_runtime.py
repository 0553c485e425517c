"""The runtime switch and the interface behind it."""

from __future__ import annotations

import inspect

import pytest
from xetl_tasks import PipelineRuntime, get_runtime
from xetl_tasks.runtime import TaskIds


def test_default_runtime_is_aws(monkeypatch):
    from xetl_tasks.aws import AwsRuntime

    monkeypatch.delenv("XETL_RUNTIME", raising=False)
    assert isinstance(get_runtime(), AwsRuntime)
    monkeypatch.setenv("XETL_RUNTIME", "  AWS ")
    assert isinstance(get_runtime(), AwsRuntime)


def test_another_runtime_is_loaded_by_import_path(monkeypatch):
    monkeypatch.syspath_prepend(str(__import__("pathlib").Path(__file__).resolve().parent))
    from fake_runtime import FakeRuntime

    assert isinstance(get_runtime("fake_runtime:FakeRuntime"), FakeRuntime)


@pytest.mark.parametrize(
    ("name", "message"),
    [("azure", "expected 'aws' or an import path"), ("no_such_module:Runtime", "cannot be loaded"),
     ("xetl_tasks.runtime:TaskIds", "is not a PipelineRuntime")],
)
def test_a_bad_runtime_is_refused_naming_the_setting(name, message):
    with pytest.raises(ValueError, match=message):
        get_runtime(name)


def test_interface_has_one_method_per_step_with_the_shared_task_ids():
    steps = {
        name
        for name, member in inspect.getmembers(PipelineRuntime, inspect.isfunction)
        if getattr(member, "__isabstractmethod__", False) and name != "template_macros"
    }
    assert steps == {
        *TaskIds.PIPELINE, TaskIds.TRANSFORM_WITH_DBT, *TaskIds.AFTER_PUBLICATION, TaskIds.NOTIFY_SUCCESS, TaskIds.NOTIFY_FAILURE,
    }


def test_the_aws_runtime_implements_every_step_without_inheriting_another_runtime():
    from xetl_tasks.aws import AwsRuntime

    assert AwsRuntime.__bases__ == (PipelineRuntime,)
    assert not AwsRuntime.__abstractmethods__
