"""`model check`'s core: settings that contradict themselves are errors, settings that can
never act are warnings on the validated model."""

from __future__ import annotations

import pytest

from klout_cli.core import ModelError, parse_model
from tests.core.test_model import DEFAULT, edited


def test_the_default_model_has_no_warnings() -> None:
    assert parse_model(DEFAULT).warnings == ()


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"signals__activity__cap": 5, "signals__activity__weight": 1}, "signals.activity.cap: 5 is above 1"),
        ({"flags__pod__min_density": 1.5}, "flags.pod.min_density: 1.5 is above 1"),
        ({"flags__pod__min_share": 2}, "flags.pod.min_share: 2 is above 1"),
        ({"flags__pod__min_share_of_all_engagement": 1.01}, "flags.pod.min_share_of_all_engagement"),
        ({"flags__bot-amplified__min_share": 3}, "flags.bot-amplified.min_share: 3 is above 1"),
        ({"flags__follow-back__max_ratio": 0.5}, "flags.follow-back.max_ratio: 0.5 is below 1"),
        ({"flags__spam-volume__min_days": 400}, "flags.spam-volume.min_days: 400 busy days cannot fit"),
        ({"endorsements__max_per_day": 0, "endorsements__max_points": 5}, "endorsements.max_points: 5 points"),
        (
            {f"network__interactions__{kind}": 0 for kind in ("like", "share", "reply", "mention")},
            "network.interactions: every weight is 0",
        ),
    ],
)
def test_a_setting_that_can_never_act_is_a_warning(changes: dict[str, object], said: str) -> None:
    warnings = parse_model(edited(**changes)).warnings
    assert len(warnings) == 1 and warnings[0].startswith(said), warnings


def test_an_activity_cap_says_how_much_of_its_weight_is_left() -> None:
    model = parse_model(edited(signals__activity__cap=4, signals__activity__weight=1))
    assert "at most 25% of its weight" in model.warnings[0]
    assert parse_model(edited(signals__activity__cap=4)).warnings == ()  # weight 0: it never acts anyway
    assert parse_model(edited(signals__activity__cap=1, signals__activity__weight=1)).warnings == ()


def test_warnings_do_not_change_what_a_model_is() -> None:
    assert parse_model(edited(flags__pod__min_density=1.5)) == parse_model(edited(flags__pod__min_density=1.5))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"platforms": {"default": 0, "twitter": 0}}, "platforms: all weights are 0"),
        ({"window_days": 0}, "window_days: must be greater than 0"),
        ({f"signals__{name}__weight": 0 for name in DEFAULT["signals"]}, "signals: all weights are 0"),
        ({"flags__pod__penalty": 150}, "flags.pod.penalty: 150 is more than the 99 points"),
        ({"window_days": 10, "half_life_days": 30}, "window_days: 10 is shorter than half_life_days"),
    ],
)
def test_a_setting_that_contradicts_itself_is_an_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ModelError) as raised:
        parse_model(edited(**changes))
    assert str(raised.value).startswith(message)
