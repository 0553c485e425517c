"""The dbt docs task's operator: Cosmos's ``DbtDocsS3LocalOperator`` with a templated bucket.

``dbt docs generate`` (the same project, profile, executable and partition var as the task group),
then index.html, manifest.json and catalog.json uploaded under the staging bucket's docs prefix.
The bucket is a template of the pipeline variable, rendered on the worker; Cosmos does not template
it, hence this subclass. Imports Cosmos: imported only by ``xetl_tasks.dbt.add_dbt_docs_task``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cosmos.operators.local import DbtDocsS3LocalOperator


class PublishDbtDocsOperator(DbtDocsS3LocalOperator):
    """``dbt docs generate``, then the static site to ``s3://<bucket_name>/<folder_dir>/`` (S3Hook)."""

    template_fields = (*DbtDocsS3LocalOperator.template_fields, "bucket_name")

    # Cosmos stores `self.upload_to_cloud_storage` as the callback in __init__: bound to the operator
    # as parsed, whose bucket is still a template. The worker runs a rendered copy; the upload must
    # be that copy's (found out by the local run: the upload named "{{ var.json... }}" as bucket).
    @property
    def callback(self) -> Callable[..., Any]:
        return self.upload_to_cloud_storage

    @callback.setter
    def callback(self, _value: Any) -> None:
        """Cosmos's own assignments: the upload is always this operator's."""
