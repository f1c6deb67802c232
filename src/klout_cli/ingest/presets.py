"""The presets shipped with kscore: column maps for the exports people have, found by their header."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

from klout_cli.ingest.mapping import ColumnMap, MapError, parse_map
from klout_cli.ingest.yamltext import parse_yaml


@cache
def presets() -> dict[str, ColumnMap]:
    """Every shipped preset, by name (sorted)."""
    found = {}
    folder = resources.files("klout_cli").joinpath("presets")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".yaml"):
            name = entry.name.removesuffix(".yaml")
            preset = parse_map(parse_yaml(entry.read_text(encoding="utf-8"), f"preset {entry.name}"), name)
            if preset.name != name:
                raise MapError(f"preset {entry.name}: its name is '{preset.name}'")
            found[name] = preset
    return found


def preset_text(name: str) -> str:
    return resources.files("klout_cli").joinpath("presets").joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def detect(header: Sequence[str]) -> ColumnMap | None:
    """The preset whose detect columns the header all has (the one with the most, if several)."""
    present = set(header)
    matches = [preset for preset in presets().values() if preset.detect and set(preset.detect) <= present]
    if not matches:
        return None
    return max(matches, key=lambda preset: (len(preset.detect), preset.name))


def nearest(header: Sequence[str]) -> tuple[ColumnMap, list[str]]:
    """The preset the header comes closest to, and the detect columns it lacks."""
    present = set(header)

    def closeness(preset: ColumnMap) -> tuple[float, str]:
        return -len(set(preset.detect) & present) / len(preset.detect), preset.name

    best = min(presets().values(), key=closeness)
    return best, [column for column in best.detect if column not in present]
