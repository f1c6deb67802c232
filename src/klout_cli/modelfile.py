"""Reading weights.yaml: YAML text -> merged mapping -> validated `Model` (the core validates)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from klout_cli.core import Model, ModelError, parse_model
from klout_cli.core.model import RETIRED_FLAG_KEYS, clean_topic
from klout_cli.ingest.mapping import ColumnMap, MapError, parse_model_columns
from klout_cli.ingest.yamltext import parse_yaml

DEFAULT_NAME = "built-in default (weights.yaml)"


@dataclass(frozen=True)
class LoadedModel:
    """A validated model with where it came from, as a run records it."""

    model: Model
    source: str
    text: str
    effective: Mapping[str, Any]
    columns: ColumnMap | None = None
    """The model's `columns:` section: how to read files that are not in kscore's schema."""

    @property
    def digest(self) -> str:
        """sha256 of the model file's text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def effective_json(self) -> str:
        return json.dumps(self.effective, sort_keys=True)

    def with_window(self, days: float) -> LoadedModel:
        """The same model with another window (`--window`): the run records it in its effective model."""
        effective = {**self.effective, "window_days": days}
        try:
            model = parse_model(effective)
        except ModelError as error:
            raise ModelError(f"--window: {error}") from None
        return replace(self, model=model, effective=effective)


def default_text() -> str:
    return resources.files("klout_cli").joinpath("weights.yaml").read_text(encoding="utf-8")


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(path: str, what: str = "model") -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        hint = f" (write one with `kscore model init {path}`)" if what == "model" else ""
        raise ModelError(f"{path}: no such {what} file{hint}") from None
    except IsADirectoryError:
        raise ModelError(f"{path}: is a directory, not a {what} file") from None
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not a text file (a {what} is YAML text)") from None
    except OSError as error:
        raise ModelError(f"{path}: cannot read: {error.strerror}") from None


def run_model(effective_json: str, source: str) -> Model:
    """The model a saved run used, from its effective model (options such as `--window` included);
    keys a later kscore added take their defaults."""
    try:
        effective = json.loads(effective_json)
    except ValueError:
        raise ModelError(f"{source}: its model is not readable JSON") from None
    flags = effective.get("flags") if isinstance(effective, Mapping) else None
    for flag, key in RETIRED_FLAG_KEYS:  # valid when the run was made
        if isinstance(flags, Mapping) and isinstance(flags.get(flag), Mapping):
            effective["flags"][flag] = {name: value for name, value in flags[flag].items() if name != key}
    base = parse_yaml(default_text(), DEFAULT_NAME)
    try:
        return parse_model(_merge(base, effective))
    except ModelError as error:
        raise ModelError(f"{source}: {error}") from None


def read_yaml(path: str, what: str) -> Any:
    """A YAML file (a column map, say) as plain data, with the same strict loader as models."""
    return parse_yaml(_read(path, what), path)


def load_model(path: str | None = None, text: str | None = None) -> LoadedModel:
    """The built-in model, or a model file laid over it (keys it leaves out keep defaults).

    `text` is the file's content when the caller already read it (standard input, `-`).
    """
    base_text = default_text()
    base = parse_yaml(base_text, DEFAULT_NAME)
    if path is None:
        return LoadedModel(parse_model(base), DEFAULT_NAME, base_text, base)
    if text is None:
        text = _read(path)
    if path == "-":
        path = "<stdin>"
    data = parse_yaml(text, path)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ModelError(f"{path}: a model file must be a mapping of keys to values (see `kscore model init`)")
    platforms = data.get("platforms")
    if isinstance(platforms, Mapping):
        # platform names are case-insensitive: `Twitter: 2` replaces the default `twitter: 1`
        folded = {str(key).strip().lower(): value for key, value in platforms.items()}
        if len(folded) < len(platforms):
            raise ModelError(f"{path}: platforms: a platform is given twice (names match case-insensitively)")
        data = {**data, "platforms": folded}
    topics = data.get("topics")
    aliases = topics.get("aliases") if isinstance(topics, Mapping) else None
    if isinstance(aliases, Mapping):
        # topic names match as cleaned (`ML: ml` replaces the default `ml: ai`)
        cleaned = {clean_topic(str(key)) or str(key): value for key, value in aliases.items()}
        if len(cleaned) < len(aliases):
            raise ModelError(f"{path}: topics.aliases: a topic is given twice (topics match case-insensitively)")
        data = {**data, "topics": {**topics, "aliases": cleaned}}
    columns = None
    if "columns" in data:
        data = dict(data)
        try:
            columns = parse_model_columns(data.pop("columns"))
        except MapError as error:
            raise ModelError(f"{path}: {error}") from None
    merged = _merge(base, data)
    try:
        model = parse_model(merged)
    except ModelError as error:
        raise ModelError(f"{path}: {error}") from None
    return LoadedModel(model, path, text, merged, columns)
