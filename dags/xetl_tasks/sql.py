"""The DAG's thin adapter to `xetl_sql`, the one renderer of every statement the pipeline sends.

The templates and their validators live in `sql/xetl_sql` (shipped beside the DAGs as the
`xetl_sql` package); nothing under dags/ writes SQL text. Airflow renders an operator's templated
fields to text, so this adapter only turns rendered values back into the parameters' own types
(counts are ints, an empty marker is None) before the renderer validates them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from xetl_sql import render

_DIGITS = re.compile(r"^\d+$")


def marker_uri(marker: object, source_bucket: str | None = None) -> str | None:
    """The run's marker as an s3:// URI, or None: the event trigger sends `s3://<bucket>/<key>`; a
    bare key (a person's conf) is read in the source bucket; empty/None means no marker."""
    if marker in (None, "", "None"):
        return None
    if isinstance(marker, str) and not marker.startswith("s3://") and source_bucket:
        return f"s3://{source_bucket}/{marker.lstrip('/')}"
    return str(marker)


def _coerce(name: str, value: object) -> object:
    spec = render.PARAMETERS.get(name)
    if spec is not None and isinstance(spec.example, int) and isinstance(value, str) and _DIGITS.match(value):
        return int(value)
    if name == "marker":
        return marker_uri(value)
    return value


def statements(query: str, params: Mapping[str, object]) -> list[str]:
    """`xetl_sql/queries/<query>.sql` rendered with `params` (rendered template values), cut into
    statements: the `Sqls` of one Data API batch, or one statement."""
    return render.render_statements(query, **{name: _coerce(name, value) for name, value in params.items()})
