"""Column maps: how the columns of an export become kscore's canonical columns.

A map is plain YAML (a preset shipped in the package, a user's `--map` file, or the `columns:`
section of a model). Every canonical column is given by a *source*:

    text: Tweet text                      # a column (names match case-insensitively)
    likes: [likes, favorites]             # the first of these the file has
    account:                              # a column's text through a regex (its first group),
      column: Tweet permalink             #   else the file name through a regex,
      pattern: 'twitter\\.com/([^/]+)/'   #   else a constant
      file: 'tweet_activity_metrics_(.+?)_\\d{8}'
    platform: {value: twitter}            # a constant
    text: {column: content, html: true}   # HTML: tags dropped, entities decoded

plus `kind` (a constant, or rules deciding a row's kind and target from its cells),
`time_format` (strptime formats tried in order; default ISO 8601) and `missing` (cells that
mean "empty", such as `-` or `NA`).
"""

from __future__ import annotations

import codecs
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from klout_cli.core import InputError
from klout_cli.ingest.schema import KINDS, NAMES

MAP_KEYS = (
    "name",
    "description",
    "source",
    "detect",
    "columns",
    "kind",
    "time_format",
    "missing",
    "encoding",
)
SOURCE_KEYS = ("column", "pattern", "file", "value", "html")
RULE_KEYS = ("column", "equals", "matches", "kind", "target", "counts")
TAG = re.compile(r"<[^>]*>")


class MapError(InputError):
    """A column map that cannot be used (named by its path: `columns.likes.pattern: ...`)."""


@dataclass(frozen=True)
class Source:
    """Where one canonical column comes from."""

    columns: tuple[str, ...] = ()
    """Candidate columns, case-folded; the first the file has is used."""
    pattern: re.Pattern[str] | None = None
    file: re.Pattern[str] | None = None
    value: str | None = None
    html: bool = False

    def present_in(self, header: Sequence[str]) -> str | None:
        """The first of its columns the file has, if any."""
        return next((name for name in self.columns if name in header), None)

    def describe(self) -> str:
        parts = []
        if self.columns:
            parts.append(" or ".join(f"'{name}'" for name in self.columns))
        if self.pattern is not None:
            parts[-1:] = [f"{parts[-1] if parts else ''} =~ /{self.pattern.pattern}/"]
        if self.file is not None:
            parts.append(f"file name =~ /{self.file.pattern}/")
        if self.value is not None:
            parts.append(f"'{self.value}'")
        return ", else ".join(parts)


@dataclass(frozen=True)
class Rule:
    """Rows whose `column` is not empty (or equals `equals`, or matches `matches`) are of `kind`,
    aimed at the account in `target` (or in the regex's first group); `counts: false` zeroes what
    such a row says it received (a native retweet carries the original's counts)."""

    column: str
    equals: str | None
    kind: str
    target: str | None
    matches: re.Pattern[str] | None = None
    counts: bool = True


@dataclass(frozen=True)
class ColumnMap:
    name: str
    description: str = ""
    source: str = ""
    detect: tuple[str, ...] = ()
    columns: Mapping[str, Source] = field(default_factory=dict)
    default_kind: str | None = None
    rules: tuple[Rule, ...] = ()
    time_formats: tuple[str, ...] = ()
    missing: frozenset[str] = frozenset()
    encoding: str | None = None
    """The file's encoding when it is not UTF-8 (UTF-8 is always tried first)."""

    def used_columns(self) -> set[str]:
        used = {name for source in self.columns.values() for name in source.columns}
        used |= {rule.column for rule in self.rules} | {rule.target for rule in self.rules if rule.target}
        return used


def _shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _text(value: Any, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or str(value).strip() == "":
        raise MapError(f"{path}: must be text, got {_shown(value)}")
    return str(value).strip()


def _regex(value: Any, path: str, *, group: bool = True) -> re.Pattern[str]:
    text = _text(value, path)
    try:
        pattern = re.compile(text)
    except re.error as error:
        raise MapError(f"{path}: not a valid regular expression ({error})") from None
    if group and pattern.groups < 1:
        raise MapError(f"{path}: needs a group in parentheses: the part to keep, e.g. 'status/(\\d+)'")
    return pattern


def _names(value: Any, path: str) -> tuple[str, ...]:
    if isinstance(value, list):
        if not value:
            raise MapError(f"{path}: an empty list of columns")
        return tuple(_text(item, f"{path}[{index}]").lower() for index, item in enumerate(value))
    return (_text(value, path).lower(),)


def _unknown(keys: Any, allowed: Sequence[str], path: str) -> None:
    for key in keys:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(allowed)})"
            raise MapError(f"{path}{'.' if path else ''}{key}: unknown key{hint}")


def _source(value: Any, path: str) -> Source:
    if not isinstance(value, Mapping):
        return Source(columns=_names(value, path))
    _unknown(value, SOURCE_KEYS, path)
    if not any(key in value for key in ("column", "file", "value")):
        raise MapError(f"{path}: give a column, a file pattern or a value")
    if "pattern" in value and "column" not in value:
        raise MapError(f"{path}.pattern: applies to a column: give `column` too")
    flag = value.get("html", False)
    if not isinstance(flag, bool):
        raise MapError(f"{path}.html: must be true or false, got {_shown(flag)}")
    return Source(
        columns=_names(value["column"], f"{path}.column") if "column" in value else (),
        pattern=_regex(value["pattern"], f"{path}.pattern") if "pattern" in value else None,
        file=_regex(value["file"], f"{path}.file") if "file" in value else None,
        value=_text(value["value"], f"{path}.value") if "value" in value else None,
        html=flag,
    )


def _kind(value: Any) -> tuple[str | None, tuple[Rule, ...]]:
    if value is None:
        return None, ()
    if not isinstance(value, Mapping):
        kind = _text(value, "kind").lower()
        if kind not in KINDS:
            raise MapError(f"kind: '{kind}' is not a kind ({', '.join(KINDS)})")
        return kind, ()
    _unknown(value, ("default", "rules"), "kind")
    default = _text(value.get("default", "post"), "kind.default").lower()
    if default not in KINDS:
        raise MapError(f"kind.default: '{default}' is not a kind ({', '.join(KINDS)})")
    rules_data = value.get("rules", [])
    if not isinstance(rules_data, list):
        raise MapError(f"kind.rules: must be a list of rules, got {_shown(rules_data)}")
    rules = []
    for index, rule in enumerate(rules_data):
        path = f"kind.rules[{index}]"
        if not isinstance(rule, Mapping):
            raise MapError(f"{path}: must be a mapping (column, kind, and maybe equals and target)")
        _unknown(rule, RULE_KEYS, path)
        for key in ("column", "kind"):
            if key not in rule:
                raise MapError(f"{path}.{key}: missing")
        kind = _text(rule["kind"], f"{path}.kind").lower()
        if kind not in KINDS:
            raise MapError(f"{path}.kind: '{kind}' is not a kind ({', '.join(KINDS)})")
        if "equals" in rule and "matches" in rule:
            raise MapError(f"{path}: give equals or matches, not both")
        counts = rule.get("counts", True)
        if not isinstance(counts, bool):
            raise MapError(f"{path}.counts: must be true or false, got {_shown(counts)}")
        rules.append(
            Rule(
                column=_text(rule["column"], f"{path}.column").lower(),
                equals=_text(rule["equals"], f"{path}.equals") if "equals" in rule else None,
                kind=kind,
                target=_text(rule["target"], f"{path}.target").lower() if "target" in rule else None,
                matches=_regex(rule["matches"], f"{path}.matches", group=False) if "matches" in rule else None,
                counts=counts,
            )
        )
    return default, tuple(rules)


def _strings(value: Any, path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(_text(item, f"{path}[{index}]") for index, item in enumerate(items))


def parse_map(data: Any, name: str) -> ColumnMap:
    """Validate a column map (a preset file, a --map file or a model's `columns:`)."""
    if not isinstance(data, Mapping):
        raise MapError("a column map must be a mapping of keys to values (see `kscore presets x-analytics`)")
    _unknown(data, MAP_KEYS, "")
    columns_data = data.get("columns")
    if not isinstance(columns_data, Mapping) or not columns_data:
        raise MapError("columns: missing: map each canonical column to a column of your file (see `kscore schema`)")
    columns: dict[str, Source] = {}
    for key, value in columns_data.items():
        canonical = str(key).strip().lower()
        if canonical in columns:
            raise MapError(f"columns.{key}: given twice (column names match case-insensitively)")
        if canonical not in NAMES:
            close = difflib.get_close_matches(canonical, NAMES, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else " (see `kscore schema`)"
            raise MapError(f"columns.{key}: not a canonical column{hint}")
        columns[canonical] = _source(value, f"columns.{key}")
    if "timestamp" not in columns:
        raise MapError("columns.timestamp: missing (every row needs its time)")
    default, rules = _kind(data.get("kind"))
    if "kind" in columns and (default or rules):
        raise MapError("kind: given twice (as columns.kind and as kind): keep one")
    detect = _strings(data.get("detect"), "detect")
    encoding = _text(data["encoding"], "encoding") if "encoding" in data else None
    if encoding is not None:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise MapError(f"encoding: '{encoding}' is not an encoding Python knows (e.g. cp1252, mac_roman)") from None
        if not getattr(info, "_is_text_encoding", True) or info.name.startswith(("utf-16", "utf-32")):
            raise MapError(f"encoding: '{encoding}' is not a text encoding kscore reads (e.g. cp1252, mac_roman)")
    formats = _strings(data.get("time_format"), "time_format")
    for index, time_format in enumerate(formats):
        _check_format(time_format, f"time_format[{index}]")
    return ColumnMap(
        name=_text(data.get("name", name), "name"),
        description=str(data.get("description", "")).strip(),
        source=str(data.get("source", "")).strip(),
        detect=tuple(column.lower() for column in detect),
        columns=columns,
        default_kind=default,
        rules=rules,
        time_formats=formats,
        missing=frozenset(_strings(data.get("missing"), "missing")),
        encoding=encoding,
    )


def _check_format(time_format: str, path: str) -> None:
    """A strptime format that can read what it writes (refuses bad directives such as %Q or %s)."""
    moment = datetime(2024, 3, 9, 17, 5, 6, tzinfo=timezone.utc)
    try:
        datetime.strptime(moment.strftime(time_format), time_format)
    except ValueError as error:
        raise MapError(f"{path}: '{time_format}' is not a date format ({error}; e.g. '%d/%m/%Y %H:%M')") from None


#: Keys of a model's `columns:` section that are not canonical columns.
MODEL_COLUMN_KEYS = ("time_format", "missing", "encoding")


def parse_model_columns(data: Any) -> ColumnMap:
    """A model's `columns:` section: canonical column -> source, plus time_format, missing, encoding."""
    if not isinstance(data, Mapping):
        raise MapError("columns: must map canonical columns to yours (e.g. likes: favourites_count)")
    options = {key: data[key] for key in MODEL_COLUMN_KEYS if key in data}
    columns = {key: value for key, value in data.items() if key not in MODEL_COLUMN_KEYS}
    try:
        return parse_map({"name": "model-columns", "columns": columns, **options}, "model-columns")
    except MapError as error:
        text = str(error)
        raise MapError(text if text.startswith("columns") else f"columns.{text}") from None
