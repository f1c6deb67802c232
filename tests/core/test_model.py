"""The model validator: every mistake is one line naming the key path."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from klout_cli.core import SIGNALS, ModelError, parse_model
from klout_cli.modelfile import default_text

DEFAULT: dict[str, Any] = yaml.safe_load(default_text())


def edited(**changes: Any) -> dict[str, Any]:
    """The default model with dotted keys replaced (`signals.reach.weight=3`)."""
    data = copy.deepcopy(DEFAULT)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for key in parents:
            node = node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return data


DELETE = object()


def test_default_model_is_valid_and_complete() -> None:
    model = parse_model(DEFAULT)
    assert [spec.name for spec in model.signals] == list(SIGNALS)
    assert model.window_days == 90 and model.half_life_days == 30
    assert model.actions["shares"] > model.actions["likes"], "a share is worth more than a like"
    assert model.platform_weight("some-new-network") == model.platforms["default"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signals__reach__wieght": 3}, "signals.reach.wieght: unknown key (did you mean 'weight'?)"),
        ({"windw_days": 3}, "windw_days: unknown key (did you mean 'window_days'?)"),
        ({"signals__reech": {}}, "signals.reech: unknown key (did you mean 'reach'?)"),
        ({"signals__reach__weight": "high"}, "signals.reach.weight: must be a number, got 'high'"),
        ({"signals__reach__weight": True}, "signals.reach.weight: must be a number, got True"),
        ({"signals__reach__weight": -1}, "signals.reach.weight: must not be negative, got -1"),
        ({"signals__reach__cap": 0}, "signals.reach.cap: must be greater than 0"),
        (
            {"signals__reach__transform": "lgo"},
            "signals.reach.transform: unknown transform 'lgo' (did you mean 'log'?)",
        ),
        ({"signals__reach__transform": "cubic"}, "expected one of: log, linear, sqrt"),
        ({"signals__reach": 5}, "signals.reach: must be a mapping of keys to values, got 5"),
        ({"signals__reach__cap": DELETE}, "signals.reach.cap: missing"),
        ({"actions__likes": -2}, "actions.likes: must not be negative"),
        ({"actions__retweets": 2}, "actions.retweets: unknown key"),
        ({"platforms__default": DELETE}, "platforms.default: missing"),
        ({"platforms__twitter": "lots"}, "platforms.twitter: must be a number, got 'lots'"),
        ({"window_days": 10}, "window_days: 10 is shorter than half_life_days (30)"),
        ({"half_life_days": 0}, "half_life_days: must be greater than 0"),
        ({"prior_items": None}, "prior_items: must be a number, got nothing"),
        ({"scale__curve": 0}, "scale.curve: must be greater than 0"),
        ({"name": ""}, "name: must be non-empty text"),
    ],
)
def test_mistakes_name_the_key_path(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelError) as caught:
        parse_model(edited(**changes))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_all_zero_signal_weights_are_rejected() -> None:
    data = copy.deepcopy(DEFAULT)
    for signal in SIGNALS:
        data["signals"][signal]["weight"] = 0
    with pytest.raises(ModelError, match="signals: all weights are 0"):
        parse_model(data)


def test_all_zero_action_weights_are_rejected() -> None:
    data = copy.deepcopy(DEFAULT)
    for action in data["actions"]:
        data["actions"][action] = 0
    with pytest.raises(ModelError, match="actions: all weights are 0"):
        parse_model(data)


def test_a_model_must_be_a_mapping() -> None:
    with pytest.raises(ModelError, match="model: must be a mapping"):
        parse_model(["not", "a", "model"])


def test_platform_names_are_case_folded() -> None:
    model = parse_model(edited(platforms__MySpace=0.5))
    assert model.platform_weight("myspace") == 0.5
    with pytest.raises(ModelError, match=r"platforms\.LinkedIn: given twice"):
        parse_model(edited(platforms__LinkedIn=0.5))  # the default already has linkedin


def test_a_window_beyond_ten_years_is_rejected() -> None:
    with pytest.raises(ModelError, match="window_days: 1e\\+09 is more than 3660 days"):
        parse_model(edited(window_days=1_000_000_000))


def test_numbers_yaml_reads_as_text_get_a_hint() -> None:
    with pytest.raises(ModelError, match="got '1e6' \\(YAML reads it as text: write 1000000 without quotes"):
        parse_model(edited(signals__reach__cap="1e6"))
