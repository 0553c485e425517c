"""The factory switch and the implementations behind the one interface."""

from __future__ import annotations

import inspect

import pytest
from xetl_tasks import PipelineTargets, get_targets
from xetl_tasks.base import TaskIds


def test_default_target_is_aws(monkeypatch):
    from xetl_tasks.aws import AwsTargets

    monkeypatch.delenv("XETL_TARGET", raising=False)
    assert isinstance(get_targets(), AwsTargets)
    monkeypatch.setenv("XETL_TARGET", "  AWS ")
    assert isinstance(get_targets(), AwsTargets)


def test_local_target_is_selected_by_name(monkeypatch):
    from xetl_tasks.local import LocalTargets

    assert isinstance(get_targets("local"), LocalTargets)
    monkeypatch.setenv("XETL_TARGET", " Local ")
    assert isinstance(get_targets(), LocalTargets)


def test_unknown_target_is_refused():
    with pytest.raises(ValueError, match="'azure' is not a known target"):
        get_targets("azure")


def test_interface_has_one_method_per_step_with_the_shared_task_ids():
    steps = {
        name
        for name, member in inspect.getmembers(PipelineTargets, inspect.isfunction)
        if getattr(member, "__isabstractmethod__", False) and name != "template_macros"
    }
    assert steps == {*TaskIds.PIPELINE, TaskIds.NOTIFY_SUCCESS, TaskIds.NOTIFY_FAILURE}


@pytest.mark.parametrize("module", ["aws", "local"])
def test_every_implementation_implements_every_step(module):
    import importlib

    cls = {"aws": "AwsTargets", "local": "LocalTargets"}[module]
    implementation = getattr(importlib.import_module(f"xetl_tasks.{module}"), cls)
    assert issubclass(implementation, PipelineTargets)
    assert not implementation.__abstractmethods__
