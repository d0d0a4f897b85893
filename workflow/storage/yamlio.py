"""Reading and formatting YAML: strict, fast, git-friendly.

Reading uses libyaml's C parser when present and builds the data from its
events in one loop (`_from_events`: about twice as fast as PyYAML's own
constructor, which the index and the build pay for every file); any
document outside that plain subset (anchors, tags, merge keys, non-string
keys, a duplicate key, deep nesting, several documents) is read again by
the full strict loader, which accepts or words the error.  Reading refuses
aliases (alias bombs), duplicate keys (YAML would keep the last one
silently), nesting deeper than `limits.YAML_DEPTH`, files over
`limits.YAML_BYTES` or that are not regular files, non-UTF-8 bytes and NUL
characters, and reports errors with file, line and column.  Formatting writes Arabic unescaped,
keeps key order, and puts paragraphs in literal block scalars so a changed
paragraph is a one-hunk diff.  Writing files is `workflow.store`'s job.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from workflow.errors import InvalidData
from workflow.i18n import _
from workflow.storage import limits

try:
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - wheels ship libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = limits.YAML_BYTES


class _DuplicateKey(yaml.constructor.ConstructorError):
    pass


class _IntLoader(_Loader):
    """The safe loader, refusing an integer Python cannot print (`sys.get_int_max_str_digits`): a
    hexadecimal, binary or sexagesimal one escapes int()'s limit, and the first message or page
    that showed it was an internal error."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value: int = super().construct_yaml_int(node)
        str(value)  # ValueError when it has more digits than Python prints: a value YAML cannot read
        return value


_IntLoader.add_constructor("tag:yaml.org,2002:int", _IntLoader.construct_yaml_int)


class _StrictLoader(_IntLoader):
    """The C loader, refusing a key that appears twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[Any] = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the base class words that error
                    break
                if duplicate:
                    raise _DuplicateKey(None, None, _("duplicate key {key!r}").format(key=key),
                                        key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_SCALAR_TAGS = frozenset({_STR, _INT, _NULL, "tag:yaml.org,2002:bool", "tag:yaml.org,2002:float",
                          "tag:yaml.org,2002:timestamp"})
_NO_KEY = object()
_resolved: dict[str, str] = {}  # plain scalar -> its implicit tag (a pure function of the text)


class _Unusual(Exception):
    """The document leaves the plain subset `_from_events` builds; the full loader reads it."""


def _from_events(text: str) -> Any:
    """The data of a plain YAML document, built straight from the C parser's events.

    Plain: mappings with string keys (each once), lists, and str, int, null,
    bool, float or timestamp scalars, one document, at most YAML_DEPTH deep,
    no anchors, aliases or explicit tags.  Anything else raises `_Unusual`
    (before the whole text is read, often); syntax errors raise as from
    `yaml.load`.  Scalars resolve exactly as the safe loader resolves them.
    """
    events = yaml.events
    scalar_event, mapping_start = events.ScalarEvent, events.MappingStartEvent
    sequence_start = events.SequenceStartEvent
    ends = (events.MappingEndEvent, events.SequenceEndEvent)
    loader = _IntLoader(text)
    try:
        first_chars = loader.yaml_implicit_resolvers
        every = None in first_chars  # a resolver for any first character (none in PyYAML's safe set)
        resolve: Any = loader.resolve
        get: Any = loader.get_event
        get()  # StreamStartEvent
        event = get()
        if event.__class__ is events.StreamEndEvent:
            return None
        # Frames of the open containers: [container, pending key or _NO_KEY (mappings) / None (lists)].
        frames: list[list[Any]] = []
        result: Any = None
        while True:
            event = get()
            kind = event.__class__
            if kind is scalar_event:
                if event.anchor is not None:
                    raise _Unusual
                value: Any = event.value
                if event.tag is not None and event.tag != "!":
                    raise _Unusual
                if event.implicit[0] and (every or not value or value[0] in first_chars):
                    tag = _resolved.get(value)
                    if tag is None:
                        tag = resolve(yaml.ScalarNode, value, (True, False))
                        if len(value) <= 64 and len(_resolved) < 4096:
                            _resolved[value] = tag
                    if tag == _NULL:
                        value = None
                    elif tag == _INT and value.isdigit() and value.isascii() and (value[0] != "0" or value == "0"):
                        try:
                            value = int(value)
                        except ValueError:  # over Python's digit limit: the full loader's way (after the syntax)
                            raise _Unusual from None
                    elif tag != _STR:
                        if tag not in _SCALAR_TAGS:
                            raise _Unusual
                        try:
                            value = loader.construct_object(yaml.ScalarNode(tag, value), deep=True)
                        except Exception:  # noqa: BLE001 - e.g. 2019-02-30: the full loader's way
                            raise _Unusual from None
            elif kind is mapping_start or kind is sequence_start:
                if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                    raise _Unusual
                if len(frames) >= limits.YAML_DEPTH:
                    raise _Unusual
                value = {} if kind is mapping_start else []
            elif kind in ends:
                done = frames.pop()[0]
                if frames:
                    continue
                result = done
                break
            else:  # an alias, or anything the grammar allows that pubflow's files never hold
                raise _Unusual
            if frames:
                frame = frames[-1]
                container = frame[0]
                if frame[1] is None:
                    container.append(value)
                elif frame[1] is _NO_KEY:
                    if value.__class__ is not str or value in container:
                        raise _Unusual
                    frame[1] = value
                else:
                    container[frame[1]] = value
                    frame[1] = _NO_KEY
            elif kind is scalar_event:
                result = value
                break
            if kind is not scalar_event:
                frames.append([value, _NO_KEY if kind is mapping_start else None])
        if get().__class__ is not events.DocumentEndEvent or get().__class__ is not events.StreamEndEvent:
            raise _Unusual  # a second document: the full loader words it
        return result
    finally:
        loader.dispose()


def parse(text: str, where: str) -> Any:
    """Parse YAML text; `where` names the source in error messages."""
    if "\x00" in text:
        raise InvalidData(_("{where}: contains a NUL character").format(where=where),
                          _("remove it; YAML files must be plain UTF-8 text"))
    try:
        try:
            return _from_events(text)
        except _Unusual:
            pass
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - safe C loader
    except _DuplicateKey as exc:
        mark = exc.problem_mark
        position = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise InvalidData(_("{where}{position}: {problem}").format(where=where, position=position, problem=exc.problem),
                          _("keep one of them: YAML would silently use only the last")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise InvalidData(
            _("{where}{position}: {problem}").format(where=where, position=position, problem=problem),
            _("fix the YAML syntax at that line"),
        ) from None
    except yaml.YAMLError as exc:
        raise InvalidData(_("{where}: {problem}").format(where=where, problem=str(exc).splitlines()[0]),
                          _("fix the YAML syntax")) from None
    except (ValueError, OverflowError) as exc:  # a scalar that looks like a date but is none (2019-02-30)
        raise InvalidData(_("{where}: a value YAML cannot read: {problem}").format(where=where, problem=exc),
                          _("fix that value, or quote it to keep it as text")) from None
    _reject_shared(data, where)
    return data


def _reject_shared(data: Any, where: str) -> None:
    """Refuse YAML aliases (a container reached twice means an anchor was reused) and deep nesting."""
    seen: set[int] = set()
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                raise InvalidData(_("{where}: YAML anchors and aliases are not allowed").format(where=where),
                                  _("write the values out in full"))
            if depth > limits.YAML_DEPTH:
                raise InvalidData(_("{where}: nested more than {depth} levels deep").format(
                    where=where, depth=limits.YAML_DEPTH), _("pubflow's files are a few levels deep; check the file"))
            seen.add(id(node))
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))


def decode(raw: bytes, where: str) -> str:
    """Decode bytes as strict UTF-8 with a message that names the byte offset."""
    if len(raw) > MAX_BYTES:
        raise limits.too_large(where, MAX_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidData(
            _("{where}: not valid UTF-8 at byte {offset}").format(where=where, offset=exc.start),
            _("save the file as UTF-8"),
        ) from None
    return text.removeprefix("\ufeff")


def read(path: str | os.PathLike[str], where: str | None = None) -> Any:
    """Read and parse one YAML file; `where` names it in messages (default: the path)."""
    name = where or os.fspath(path)
    return parse(decode(limits.read_regular(path, MAX_BYTES, name), name), name)


class _Dumper(_BaseDumper):
    """Safe dumper with literal blocks for long or multi-line strings."""


def _str_representer(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    if ("\n" in value or len(value) > 72) and value == value.strip() and "\t" not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_representer)


def format_yaml(data: Any) -> str:
    """Serialise data the way pubflow writes every file (stable, readable, UTF-8)."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )
