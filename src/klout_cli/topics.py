"""Topic scores and styles for a run: the rows' topics and endorsements, scored by the core."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from klout_cli.core import Model, Score, Scorer, combine_platforms
from klout_cli.core.features import COMBINED_SEPARATOR, AccountFeatures
from klout_cli.core.flags import Finding
from klout_cli.core.scoring import RANK_DECIMALS
from klout_cli.core.styles import Activity, Style, TopicShare, style_of
from klout_cli.core.topics import Endorsement, TopicScore, TopicScorer, count_endorsements
from klout_cli.ingest.aggregate import Window
from klout_cli.ingest.topics import TopicKey, endorsements_of, tag_items, tagged_items, topic_features

Key = tuple[str, str]


def _combined_events(events: Sequence[Endorsement], labels: dict[str, str], model: Model) -> list[Endorsement]:
    """Endorsements aimed at combined scores: each counts by its platform's weight relative to the
    receiver's most weighted platform (as its items do); a giver's caps span its platforms."""
    found = []
    for event in events:
        label = labels.get(event.target)
        if label is None:
            continue
        heaviest = max(model.platform_weight(platform) for platform in label.split(COMBINED_SEPARATOR))
        weight = model.platform_weight(event.platform) / heaviest if heaviest else 0.0
        if weight > 0:
            found.append(replace(event, giver_platform="", platform=label, weight=event.weight * weight))
    return found


def score_topics(
    window: Window, scores: Sequence[Score], model: Model, *, combine: bool
) -> tuple[list[TopicScore], dict[Key, int]]:
    """Every account's score on every topic it has items on or was endorsed for, and how many of
    its items carry a topic. Topic scores are ordered by topic, then best first.

    `scores` are the run's absolute scores: they give each account's flags (which topic scores
    take over) and say which givers' endorsements count.
    """
    tagged = tag_items(window, model)
    per_topic = topic_features(window, model, tagged)
    tagged_counts = tagged_items(window, tagged)
    events = endorsements_of(window, model)
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
        counts: dict[Key, int] = defaultdict(int)
        for (account, platform), count in tagged_counts.items():
            if model.platform_weight(platform) > 0:
                counts[(account, labels[account])] += count
        tagged_counts = dict(counts)
        events = _combined_events(events, labels, model)

    spec = model.endorsements

    def ignored(giver: str, platform: str) -> bool:
        score = by_key.get((giver, labels[giver] if combine and giver in labels else platform))
        return score is None or bool(score.penalties) or score.absolute < spec.min_giver_score

    tallies = count_endorsements(events, spec.max_per_day, spec.cooldown_days, ignored)
    scorer, topic_scorer = Scorer(model), TopicScorer(model)
    findings: dict[Key, list[Finding]] = {key: scorer.findings(score.features) for key, score in by_key.items()}
    keys: set[TopicKey] = set(per_topic) | {key for key in tallies if key[:2] in by_key}
    topics = [
        topic_scorer.score(
            key[2],
            per_topic.get(key) or AccountFeatures(account=key[0], platform=key[1]),
            findings[key[:2]],
            tallies.get(key),
        )
        for key in keys
    ]
    topics.sort(key=lambda item: (item.topic, -round(item.score, RANK_DECIMALS), item.account, item.platform))
    return topics, tagged_counts


def styles_of(
    scores: Sequence[Score], topics: Sequence[TopicScore], tagged: dict[Key, int], model: Model
) -> dict[Key, Style]:
    """Each account's style, from its features, its topics and its absolute score's measures."""
    scorer = Scorer(model)
    shares: dict[Key, list[TopicShare]] = defaultdict(list)
    for topic in topics:
        shares[(topic.account, topic.platform)].append(TopicShare(topic.topic, topic.features.items, topic.score))
    styles = {}
    for score in scores:
        key = (score.account, score.platform)
        features = score.features
        activity = Activity(
            features=features,
            engagement_per_item=scorer.engagement_per_item(features),
            shares_per_item=scorer.shares_per_item(features),
            topics=shares[key],
            untagged_items=max(0, features.items - tagged.get(key, 0)),
        )
        styles[key] = style_of(activity, model.styles)
    return styles
