"""One part of a run's rows in, that part's features out: the unit of work a run hands out.

Every row of an account sits in one part, so whatever a run sums per account comes out of its
parts as out of all the rows at once, to the bit. `part_features` is a plain top-level function
of plain, picklable data (file paths or a frame, the model, the moment): a run calls it in its
own process or in worker processes (`workers.py`), and a cluster could call it the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from klout_cli.core import AccountFeatures, Model
from klout_cli.ingest.aggregate import TopItem, WindowReport, features_of, top_items, window_rows
from klout_cli.ingest.names import Respellings
from klout_cli.ingest.network import Edges, edges_of
from klout_cli.ingest.spill import keep_table, kept_table, part_rows_near
from klout_cli.ingest.topics import count_focused, tag_items, tagged_pairs
from klout_cli.topics import TopicRows, topic_rows

Items = dict[tuple[str, str], list[TopItem]]
#: Items each (account, platform) keeps for its breakdown: those that earned it the most.
TOP_ITEMS = 3


@dataclass(frozen=True)
class PartJob:
    """What one part's features are made from: its rows (Arrow files on disk, or a frame already
    in memory), the model, and the moment scored as of."""

    model: Model
    moment: datetime | None
    """As-of; None (a run read whole, in one part) takes the latest item of the rows."""
    files: tuple[str, ...] = ()
    """The part's Arrow files, in the order they were written (see `ingest.spill`)."""
    display: Respellings = field(default_factory=dict)
    """The spelling each account is shown in, where its spellings differ (see `ingest.names`)."""
    rows: pd.DataFrame | None = None
    """The part's rows, when they are in memory rather than in `files`."""
    keep: str | None = None
    """A file to keep the tagged items in until the run is over (they are needed only after every
    part is done); None: they come back with the features."""

    def size(self) -> int:
        """The bytes of the part's files (0 for rows in memory): how long it will take, roughly."""
        return sum(os.path.getsize(path) for path in self.files)


@dataclass
class PartFeatures:
    """What scoring takes from one part's rows."""

    features: list[AccountFeatures]
    edges: Edges
    """Interactions summed per (engager, engaged, platform)."""
    items: Items
    topics: TopicRows
    report: WindowReport
    tagged: pd.DataFrame | None
    """Each tagged item's account, platform and topic (`tagged_pairs`), unless kept in `kept`."""
    kept: str | None = None

    def focused(self, wanted: pd.DataFrame) -> dict[tuple[str, str], int]:
        """The part's items per (account, group) that carry a topic `wanted` (see `focused_items`)."""
        if self.tagged is not None:
            return count_focused(self.tagged, wanted)
        assert self.kept is not None, "a part's tagged items are either with it or kept"
        return count_focused(kept_table(self.kept), wanted)


def part_features(job: PartJob) -> PartFeatures:
    """The features of one part's rows: per-account aggregates, interaction pairs, top items,
    topic features and endorsements, and the tagged items (for styles)."""
    model = job.model
    if job.rows is not None:
        inside = window_rows(job.rows, model, job.moment)
    else:
        assert job.moment is not None, "a part on disk is scored as of the moment of all the parts"
        rows, outside = part_rows_near(job.files, job.display, job.moment, model.window_days)
        inside = window_rows(rows, model, job.moment, outside)
        del rows  # (only the window's rows from here)
    tagged = tag_items(inside, model)
    found = PartFeatures(
        features_of(inside, model),
        edges_of(inside, model),
        top_items(inside, model, TOP_ITEMS),
        topic_rows(inside, model, tagged),
        inside.report,
        tagged_pairs(inside, tagged),
    )
    if job.keep is not None and found.tagged is not None:
        keep_table(job.keep, found.tagged)
        found.tagged, found.kept = None, job.keep
    return found
