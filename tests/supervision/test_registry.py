"""The flag registry: one row per flag, complete, and switched on by the settings."""

from __future__ import annotations

from pathlib import Path

from ggzy.supervision.flags import registry, specs
from ggzy.supervision.flags.cardinal.settings import INDICATORS, CardinalSettings, load_settings


def test_every_cardinal_indicator_has_a_complete_registry_row() -> None:
    rows = {spec.id: spec for spec in specs()}
    assert set(INDICATORS) <= set(rows)
    for spec in rows.values():
        assert spec.name_zh and spec.name_en and spec.definition and spec.source and spec.requires and spec.groups


def test_flags_run_only_when_their_section_is_present() -> None:
    settings = load_settings("[R024]\n[R036]\n")
    assert [code for code, flag in registry().items() if flag.enabled(settings)] == ["R024", "R036"]
    assert all(flag.enabled(CardinalSettings.all_defaults()) for flag in registry().values())


def test_every_flag_is_documented_with_its_names() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "analyze.md").read_text(encoding="utf-8")
    for spec in specs():
        assert f"| {spec.id} | {spec.name_zh} | {spec.name_en} |" in docs, spec.id


def test_every_family_flag_has_a_complete_row_and_a_settings_section() -> None:
    for spec in specs():
        if spec.family != "cardinal":
            assert spec.definition and spec.source and spec.requires and spec.groups and spec.output
            assert spec.id in CardinalSettings.all_defaults().indicators
            assert load_settings(f"[{spec.id}]\n").enabled(spec.id)
