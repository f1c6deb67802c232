"""YAML text -> plain data, for models, column maps and presets: safe, strict and bounded.

The safe loader refuses python tags; this one also refuses a key given twice, nesting deeper
than any model or map needs (deep nesting would exhaust Python's recursion), and aliases that
expand to more values than any model has (the "billion laughs").
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from klout_cli.core.errors import ModelError

_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 64
"""Levels of nesting a YAML file may have: models and maps use four or five."""
MAX_VALUES = 100_000
"""Values a YAML file may expand to, aliases counted each time they are used."""


class _Refused(Exception):
    """A YAML file kscore will not load; the message says why."""


class StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML keeps the last silently),
    nesting over MAX_DEPTH levels and aliases expanding to over MAX_VALUES values."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.values = 0
        self.sizes: dict[int, int] = {}  # a node (by id) -> values it expands to, for its aliases

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            node = self.anchors.get(self.peek_event().anchor)  # type: ignore[no-untyped-call]
            self._count(self.sizes.get(id(node), 1))
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(f"the YAML is nested too deeply (over {MAX_DEPTH} levels)")
        before = self.values
        node = super().compose_node(parent, index)
        self.depth -= 1
        self._count(1)
        self.sizes[id(node)] = self.values - before
        return node

    def _count(self, values: int) -> None:
        self.values += values
        if self.values > MAX_VALUES:
            raise _Refused(f"the YAML expands to over {MAX_VALUES:,} values (are aliases repeated?)")

    def construct_scalar(self, node: Any) -> Any:
        value = super().construct_scalar(node)
        if isinstance(value, str) and _SURROGATE.search(value):
            # YAML's "\\ud83d\\ude00" escapes give two halves of one character: join them
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
            lone = _SURROGATE.search(value)
            if lone:  # half of a character: nothing can print or store it
                problem = f"\\u{ord(lone.group()):04x} is half of a character (a lone surrogate)"
                raise yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)
        return value

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                problem = f"a key must be a name, not a {'list' if isinstance(key, list) else type(key).__name__}"
                raise yaml.MarkedYAMLError(problem=problem, problem_mark=key_node.start_mark)
            if key in seen:
                mark = key_node.start_mark
                raise yaml.MarkedYAMLError(problem=f"key '{key}' is given twice", problem_mark=mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str) -> Any:
    """The plain data in `text`; a ModelError naming `source` (and line:column) if it is refused."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except _Refused as error:
        raise ModelError(f"{source}: {error}") from None
    except RecursionError:  # a hazard MAX_DEPTH missed still gets one line
        raise ModelError(f"{source}: the YAML is nested too deeply (over {MAX_DEPTH} levels)") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ModelError(f"{where}: not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ModelError(f"{source}: not valid YAML: {error}") from None
