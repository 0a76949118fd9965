import re
import tomllib
from pathlib import Path

import pytest

from digest import config
from digest.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_partial_file_overrides_only_its_keys(tmp_path):
    cfg = config.load(write(tmp_path, "[cluster]\nthreshold = 0.7\n"))
    assert cfg.cluster.threshold == 0.7
    defaults = config.Config()
    assert cfg.cluster.window_hours == defaults.cluster.window_hours
    assert cfg.summarizer == defaults.summarizer
    # relative paths resolve against the config file's folder, not the working directory
    assert cfg.paths.inbox == (tmp_path / "inbox").resolve()


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError) as e:
        config.load(write(tmp_path, "[cluster]\nthreshhold = 0.7\n"))
    assert "[cluster] threshhold" in str(e.value)
    assert "threshold" in str(e.value)  # lists the known keys


def test_unknown_section_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown section \[clusters\]"):
        config.load(write(tmp_path, "[clusters]\nthreshold = 0.7\n"))


@pytest.mark.parametrize(
    "text, words",
    [
        ("[cluster]\nthreshold = 1.5\nterm_weight = 0\nentity_weight = 0\n", "[cluster] threshold must be between 0.0 and 1.0"),
        ("[cluster]\nthreshold = 3.0\n", "[cluster] threshold must be between 0.0 and 2.75"),
        # MiniLM's weights (1.0 and 0.25, chosen for it) make 2.5 out of reach
        ('[embedder]\nmodel = "all-MiniLM-L6-v2"\n[cluster]\nthreshold = 2.5\n', "between 0.0 and 2.25"),
        ("[cluster]\nthreshold = 'high'\n", "[cluster] threshold must be a number"),
        ("[summarizer]\nbrief_words = 12.5\n", "[summarizer] brief_words must be a whole number"),
        ("[summarizer]\ndevice = 'tpu'\n", "[summarizer] device must be one of"),
        ("[paths]\ninbox = 3\n", "[paths] inbox must be a folder path"),
        ("cluster = 3\n", "[cluster] must be a table"),
        ("[cluster\n", "not valid TOML"),
    ],
)
def test_bad_values_are_clear(tmp_path, text, words):
    with pytest.raises(ConfigError) as e:
        config.load(write(tmp_path, text))
    assert words in str(e.value)
    assert str(tmp_path / "config.toml") in str(e.value)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no config file"):
        config.load(tmp_path / "nope.toml")


def test_shipped_config_documents_every_setting_with_the_defaults():
    """config.toml lists every key with its default value, so it cannot drift from the code."""
    shipped = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    defaults = config.Config()
    import dataclasses

    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for section in dataclasses.fields(defaults):
        expected = getattr(defaults, section.name)
        assert section.name in shipped, f"[{section.name}] missing from config.toml"
        for f in dataclasses.fields(expected):
            if section.name == "cluster" and f.name in config.CLUSTER_SETTINGS[defaults.embedder.model]:
                # set per model: shown commented out, with the default model's value
                value = getattr(expected, f.name)
                assert re.search(rf"^# {f.name} = {value}\b", text, re.M), f.name
                continue
            assert f.name in shipped[section.name], f"[{section.name}] {f.name} not documented"
            value = getattr(expected, f.name)
            got = shipped[section.name][f.name]
            assert (Path(got) if isinstance(value, Path) else got) == value, (section.name, f.name)
