"""Topic scores and styles for a run: the rows' topics and endorsements, scored by the core."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from klout_cli.core import Model, Score, combine_platforms
from klout_cli.core.features import COMBINED_SEPARATOR, AccountFeatures
from klout_cli.core.scoring import RANK_DECIMALS
from klout_cli.core.styles import Activity, Style, TopicShare, main_topics, style_of
from klout_cli.core.topics import Endorsement, TopicScore, TopicScorer, count_endorsements
from klout_cli.ingest.aggregate import Window
from klout_cli.ingest.topics import Tagged, TopicKey, endorsements_of, topic_features

Key = tuple[str, str]


def _combined_events(events: Sequence[Endorsement], labels: dict[str, str], model: Model) -> list[Endorsement]:
    """Endorsements aimed at combined scores: each counts by its platform's weight relative to the
    receiver's most weighted platform (as its items do); a giver's caps span its platforms.
    Endorsements of accounts that are not scored stay in: they still use up the giver's day."""
    found = []
    for event in events:
        label = labels.get(event.target)
        if label is None:
            found.append(replace(event, giver_platform=""))
            continue
        heaviest = max(model.platform_weight(platform) for platform in label.split(COMBINED_SEPARATOR))
        weight = model.platform_weight(event.platform) / heaviest if heaviest else 0.0
        if weight > 0:
            found.append(replace(event, giver_platform="", platform=label, weight=event.weight * weight))
    return found


@dataclass
class TopicRows:
    """What topic scores need from a run's rows: features per (account, platform, topic) and
    the endorsements. Rows split by account give parts that join into the whole (`joined`)."""

    features: dict[TopicKey, AccountFeatures]
    events: list[Endorsement]
    untopical: int
    """Endorse rows that name no topic."""

    @classmethod
    def joined(cls, parts: Sequence[TopicRows]) -> TopicRows:
        """Parts holding disjoint accounts, as one (each account's features in the order found)."""
        return cls(
            {key: value for part in parts for key, value in part.features.items()},
            [event for part in parts for event in part.events],
            sum(part.untopical for part in parts),
        )


def topic_rows(window: Window, model: Model, tagged: Tagged) -> TopicRows:
    events, untopical = endorsements_of(window, model)
    return TopicRows(topic_features(window, model, tagged), events, untopical)


def topic_scores(found: TopicRows, scores: Sequence[Score], model: Model, *, combine: bool) -> list[TopicScore]:
    """The topic scores of `found`, ordered by topic, then best first."""
    per_topic, events = found.features, found.events
    by_key: dict[Key, Score] = {(score.account, score.platform): score for score in scores}
    if combine:
        labels = {score.account: score.platform for score in scores}
        grouped: dict[tuple[str, str], list[AccountFeatures]] = defaultdict(list)
        for (account, platform, topic), features in per_topic.items():
            if model.platform_weight(platform) > 0:  # a platform weighted 0 is left out, as in the score
                grouped[(account, topic)].append(features)
        # a topic's items count by their platform's weight relative to the account's heaviest
        # platform, as in its overall score (not to the heaviest it posted on the topic on)
        heaviest = {
            account: max(model.platform_weight(platform) for platform in label.split(COMBINED_SEPARATOR))
            for account, label in labels.items()
        }
        per_topic = {
            (account, labels[account], topic): replace(
                combine_platforms(parts, model, heaviest[account]), platform=labels[account]
            )
            for (account, topic), parts in grouped.items()
        }
        events = _combined_events(events, labels, model)

    spec = model.endorsements

    def ignored(giver: str, platform: str) -> bool:
        score = by_key.get((giver, labels[giver] if combine and giver in labels else platform))
        return score is None or bool(score.charges) or score.absolute < spec.min_giver_score

    tallies = count_endorsements(events, spec.max_per_day, spec.cooldown_days, ignored)
    topic_scorer = TopicScorer(model)
    # an account is on a topic through its tagged items or an endorsement that counted: left-out
    # endorsements (self, flood, flagged giver) never put it there
    # (a list: the four lists below are read side by side, key for key)
    keys: list[TopicKey] = list(
        set(per_topic) | {key for key, tally in tallies.items() if tally.counted and key[:2] in by_key}
    )
    topics = topic_scorer.score_all(
        [key[2] for key in keys],
        [per_topic.get(key) or AccountFeatures(account=key[0], platform=key[1]) for key in keys],
        [by_key[key[:2]].findings for key in keys],
        [tallies.get(key) for key in keys],
    )
    topics.sort(key=lambda item: (item.topic, -round(item.score, RANK_DECIMALS), item.account, item.platform))
    return topics


def styles_from(
    scores: Sequence[Score],
    topics: Sequence[TopicScore],
    model: Model,
    *,
    combine: bool,
    focused: Callable[[pd.DataFrame], dict[Key, int]],
    as_of: str = "",
) -> tuple[dict[Key, Style], dict[Key, int]]:
    """Each account's style, and how many of its items are on its main topics (what a saved run
    keeps to decide its style again); `focused(wanted)` counts them (`wanted`: account,
    platform, group, topic)."""
    shares: dict[Key, list[TopicShare]] = defaultdict(list)
    for topic in topics:
        shares[(topic.account, topic.platform)].append(TopicShare(topic.topic, topic.features.items, topic.score))
    count = int(model.styles["specialist"]["max_topics"])
    wanted = [
        (account, platform, group, share.topic)
        for (account, group), found in shares.items()
        for share in main_topics(found, count)
        for platform in (group.split(COMBINED_SEPARATOR) if combine else [group])
        if not combine or model.platform_weight(platform) > 0  # as the combined score counts them
    ]
    items = focused(pd.DataFrame(wanted, columns=["account", "platform", "group", "topic"]))
    styles = {}
    for score in scores:
        key = (score.account, score.platform)
        features = score.features
        activity = Activity(  # engagement and shares per item, as the score measured them
            features=features,
            engagement_per_item=score.raw("engagement"),
            shares_per_item=score.raw("amplification"),
            topics=shares[key],
            focused_items=items.get(key, 0),
            as_of=as_of,
        )
        styles[key] = style_of(activity, model.styles)
    return styles, items
