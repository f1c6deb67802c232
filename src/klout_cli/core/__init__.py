"""The pure scoring core: stdlib only, no I/O.

It takes plain dataclasses (account features, a validated model) and returns plain dataclasses
(a score and its exact breakdown). It never imports pandas, click, rich, yaml or sqlite3.
"""

from klout_cli.core.compare import UNITS, Move, biggest_move, format_raw, medians
from klout_cli.core.errors import InputError, KscoreError, ModelError, StoreError
from klout_cli.core.features import AccountFeatures, combine_platforms
from klout_cli.core.model import ACTIONS, SIGNALS, TRANSFORMS, Model, SignalSpec, parse_model
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
    "RANK_DECIMALS",
    "SIGNALS",
    "TRANSFORMS",
    "UNITS",
    "AccountFeatures",
    "Contribution",
    "InputError",
    "KscoreError",
    "Model",
    "ModelError",
    "Move",
    "Penalty",
    "Score",
    "Scorer",
    "SignalSpec",
    "StoreError",
    "biggest_move",
    "combine_platforms",
    "competition_ranks",
    "format_raw",
    "medians",
    "parse_model",
    "rank_scores",
    "relative_scores",
    "score_account",
]
