"""Cardinal settings files: sections enable indicators, options keep Cardinal's keys and defaults."""

from __future__ import annotations

import pytest

from ggzy.supervision.flags.cardinal.settings import (
    INDICATORS,
    CardinalSettings,
    SettingsError,
    load_settings,
    pipe_set,
)


def test_a_bare_section_enables_its_indicator_with_defaults() -> None:
    settings = load_settings("[R024]\n")
    assert settings.enabled("R024")
    assert not settings.enabled("R003")
    assert settings.option("R024", "threshold") is None


def test_commented_sections_stay_disabled() -> None:
    settings = load_settings("; [R024]\n# [R035]\n[R018]\n")
    assert list(settings.indicators) == ["R018"]


def test_options_are_typed_like_cardinal() -> None:
    settings = load_settings("[R003]\nthreshold = 10\nprocurement_methods = open|selective\n[R024]\nthreshold = 0.05\n")
    assert settings.option("R003", "threshold") == 10
    assert settings.option("R024", "threshold") == 0.05
    assert pipe_set(settings.option("R003", "procurement_methods")) == {"open", "selective"}


def test_top_level_properties_and_exclusions_are_read() -> None:
    text = (
        "currency = USD\nno_price_comparison_procurement_methods = A|B\n[exclusions]\nprocurement_method_details = X\n"
    )
    settings = load_settings(text)
    assert settings.currency == "USD"
    assert pipe_set(settings.no_price_comparison_procurement_methods) == {"A", "B"}
    assert settings.exclusions == {"procurement_method_details": "X"}
    assert settings.indicators == {}


def test_procurement_method_details_thresholds_enable_r003() -> None:
    settings = load_settings("[R003.procurement_method_details]\nLicitación de Seguros = 10\nx = 5\n")
    assert settings.enabled("R003")
    assert settings.r003_procurement_method_details == {"Licitación de Seguros": 10, "x": 5}


def test_inline_comments_after_a_value_are_ignored() -> None:
    assert load_settings("[R003]\nthreshold = 15 # default\n").option("R003", "threshold") == 15


def test_an_unknown_property_is_an_error_naming_it() -> None:
    with pytest.raises(SettingsError, match="thresold"):
        load_settings("[R024]\nthresold = 0.1\n")


def test_an_unknown_section_is_an_error() -> None:
    with pytest.raises(SettingsError, match="R999"):
        load_settings("[R999]\n")


def test_a_negative_natural_number_is_refused() -> None:
    with pytest.raises(SettingsError, match="R035"):
        load_settings("[R035]\nthreshold = -1\n")


def test_a_line_that_is_not_a_property_is_refused_with_its_number() -> None:
    with pytest.raises(SettingsError, match="第 2 行"):
        load_settings("[R024]\nthreshold\n")


def test_prepare_sections_are_accepted_and_ignored() -> None:
    settings = load_settings("[defaults]\ncurrency = USD\n[codelists.bid_status]\nqualified = valid\n[R028]\n")
    assert list(settings.indicators) == ["R028"]


def test_unimplemented_cardinal_indicators_warn_instead_of_failing() -> None:
    assert load_settings("[R044]\n").warnings


def test_pipe_separated_lists_follow_split_terminator() -> None:
    assert pipe_set("a|b|") == {"a", "b"}
    assert pipe_set("") == set()
    assert pipe_set("a||b") == {"a", "", "b"}


def test_all_defaults_enables_every_cardinal_indicator() -> None:
    assert set(INDICATORS) <= set(CardinalSettings.all_defaults().indicators)
