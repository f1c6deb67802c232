"""The pure scoring core: stdlib only, no I/O.

It takes plain dataclasses (account features, a validated model) and returns plain dataclasses
(a score and its exact breakdown). It never imports pandas, click, rich, yaml or sqlite3.

Each name is imported from its module when first used, so `kscore rank`, which needs only
`basics` and `errors`, never pays for building the rest (about 20 ms).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Where each name of the core lives.
_MODULES = {
    "basics": ("ACTIONS", "RANK_DECIMALS", "SIGNALS", "competition_ranks"),
    "compare": ("UNITS", "Move", "biggest_move", "format_raw", "medians"),
    "errors": ("InputError", "KscoreError", "ModelError", "StoreError"),
    "features": ("AccountFeatures", "combine_platforms"),
    "flags": ("Finding", "detect"),
    "model": ("FLAGS", "INTERACTIONS", "TRANSFORMS", "FlagSpec", "Model", "NetworkSpec", "SignalSpec", "parse_model"),
    "scoring": ("Contribution", "Penalty", "Score", "Scorer", "rank_scores", "relative_scores", "score_account"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


if not TYPE_CHECKING:  # so mypy still checks each name imported from the core

    def __getattr__(name: str) -> Any:
        module = _HOME.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value  # found once
        return value


if TYPE_CHECKING:
    from klout_cli.core.basics import ACTIONS, RANK_DECIMALS, SIGNALS, competition_ranks
    from klout_cli.core.compare import UNITS, Move, biggest_move, format_raw, medians
    from klout_cli.core.errors import InputError, KscoreError, ModelError, StoreError
    from klout_cli.core.features import AccountFeatures, combine_platforms
    from klout_cli.core.flags import Finding, detect
    from klout_cli.core.model import (
        FLAGS,
        INTERACTIONS,
        TRANSFORMS,
        FlagSpec,
        Model,
        NetworkSpec,
        SignalSpec,
        parse_model,
    )
    from klout_cli.core.scoring import (
        Contribution,
        Penalty,
        Score,
        Scorer,
        rank_scores,
        relative_scores,
        score_account,
    )

__all__ = [
    "ACTIONS",
    "FLAGS",
    "INTERACTIONS",
    "RANK_DECIMALS",
    "SIGNALS",
    "TRANSFORMS",
    "UNITS",
    "AccountFeatures",
    "Contribution",
    "Finding",
    "FlagSpec",
    "InputError",
    "KscoreError",
    "Model",
    "ModelError",
    "Move",
    "NetworkSpec",
    "Penalty",
    "Score",
    "Scorer",
    "SignalSpec",
    "StoreError",
    "biggest_move",
    "combine_platforms",
    "competition_ranks",
    "detect",
    "format_raw",
    "medians",
    "parse_model",
    "rank_scores",
    "relative_scores",
    "score_account",
]
