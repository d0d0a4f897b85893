"""Convert `str` and `Path` option values without pydantic (typer 0.29 start-up cost).

typer 0.29 converts every non-flag parameter value through a pydantic
TypeAdapter, built lazily by `_TyperParameter.get_runtime_param()` the first
time a parameter is processed, even when its value is None.  Importing
pydantic and building one adapter costs ~140 ms, more than the rest of most
commands.  For the annotations our commands use most, `str` (also
`str | None`), `pathlib.Path` (also `Path | None`) and `bool` flags, typer's
own adapters do no more than this module: a string is passed through (bytes
decoded like typer's `_parse_cli_str`), a path becomes `Path(value)` and then
goes through typer's own `coerce_cli_path` checks (same messages), a flag's
bool stays a bool.  Everything else (an int with min=, lists, a custom
`parser=`, a flag set from an environment variable) keeps typer's pydantic
conversion, built only when the parameter has a value (an option left out is
None or () without any conversion, as in typer).

The hook is narrow: `plain(params)` fills the lazily-computed `_runtime_param`
of a typer parameter before typer computes it, with an object implementing
typer's `RuntimeParam` contract.  If a later typer drops either attribute this
does nothing and typer converts values itself (slower, same behaviour).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

try:  # typer internals we rely on; absent in another typer: do nothing
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_path
except ImportError:  # pragma: no cover - depends on the installed typer
    RuntimeParam = None  # type: ignore[assignment,misc]


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode(sys.getfilesystemencoding())
        except UnicodeError:
            return value.decode("utf-8", "replace")
    return str(value)


if RuntimeParam is not None:

    class PlainStr(RuntimeParam):
        """A `str` parameter: the value as typed."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            return _text(value)

    class PlainPath(RuntimeParam):
        """A `Path` parameter: `Path(value)`, then typer's own existence/permission checks."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, Path):
                value = Path(_text(value))
            return coerce_cli_path(value, self.parameter_info, path_type=Path, param=param, ctx=ctx)

    class Deferred(RuntimeParam):
        """Any other parameter: typer's own conversion, built only when a value is given.

        A flag's bool is kept as it is (what typer's bool adapter returns for a bool).
        """

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if self.annotation is bool and isinstance(value, bool):
                return value
            from typer._coercion import build_runtime_param

            real = build_runtime_param(param.type_descriptor)
            param._runtime_param = real
            return real._coerce_value(value, param=param, ctx=ctx)


def _runtime_for(param: Any) -> Any:
    desc = getattr(param, "type_descriptor", None)
    if desc is None or RuntimeParam is None:
        return None
    info = desc.parameter_info
    plain_ok = (getattr(info, "parser", None) is None and desc.file_annotation is None
                and not getattr(param, "multiple", False) and getattr(param, "nargs", 1) == 1)
    if plain_ok and desc.annotation is str and not desc.is_path:
        return PlainStr(parameter_info=info, annotation=str)
    if plain_ok and desc.annotation is Path and getattr(info, "path_type", None) is None:
        return PlainPath(parameter_info=info, annotation=Path)
    return Deferred(parameter_info=info, annotation=desc.annotation)


def plain(params: Any) -> None:
    """Give the parameters among `params` a conversion that does not import pydantic up front."""
    for param in params:
        if getattr(param, "_runtime_param", False) is None:  # not computed yet
            runtime = _runtime_for(param)
            if runtime is not None:
                param._runtime_param = runtime
