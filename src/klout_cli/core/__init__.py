"""The pure scoring core: stdlib only, no I/O.

It takes plain dataclasses (account features, a validated model) and returns plain dataclasses
(a score and its exact breakdown). It never imports pandas, click, rich, yaml or sqlite3.
"""

from klout_cli.core.compare import UNITS, Move, biggest_move, format_raw, medians
from klout_cli.core.errors import InputError, KscoreError, ModelError, StoreError
from klout_cli.core.features import AccountFeatures, combine_platforms
from klout_cli.core.flags import Finding, detect
from klout_cli.core.model import (
    ACTIONS,
    FLAGS,
    INTERACTIONS,
    SIGNALS,
    TRANSFORMS,
    FlagSpec,
    Model,
    NetworkSpec,
    SignalSpec,
    parse_model,
)
from klout_cli.core.scoring import (
    RANK_DECIMALS,
    Contribution,
    Penalty,
    Score,
    Scorer,
    competition_ranks,
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
