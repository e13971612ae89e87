"""Which configuration file is read, and what a user without watches is told."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.config import ConfigError, config_from_dict, find_config_path


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """An empty XDG config home, no BRIEFWATCH_CONFIG, and a current folder holding another
    tool's config.toml."""
    monkeypatch.delenv("BRIEFWATCH_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    work = tmp_path / "work"
    work.mkdir()
    (work / "config.toml").write_text("[tool.other]\nline-length = 100\n")
    monkeypatch.chdir(work)
    return tmp_path


def test_another_tools_config_in_the_current_folder_is_ignored(homes):
    assert not os.path.exists("/etc/briefwatch/config.toml")  # this machine has none
    assert find_config_path() is None
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "config", "check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "configuration OK (built-in defaults)" in result.stderr


def test_precedence_option_environment_xdg(homes, monkeypatch):
    xdg = homes / "xdg" / "briefwatch" / "config.toml"
    xdg.parent.mkdir(parents=True)
    xdg.write_text("[logging]\nlevel = 'WARNING'\n")
    assert find_config_path() == xdg
    monkeypatch.setenv("HOME", str(homes))  # ~/.config when XDG_CONFIG_HOME is unset
    monkeypatch.delenv("XDG_CONFIG_HOME")
    home = homes / ".config" / "briefwatch" / "config.toml"
    home.parent.mkdir(parents=True)
    home.write_text("")
    assert find_config_path() == home
    monkeypatch.setenv("BRIEFWATCH_CONFIG", str(homes / "env.toml"))
    assert find_config_path() == homes / "env.toml"
    assert find_config_path(homes / "option.toml") == homes / "option.toml"


def test_unknown_top_level_key_names_every_table_including_sources():
    with pytest.raises(ConfigError) as err:
        config_from_dict({"source": {}})
    assert "source: unknown key (expected one of: " in str(err.value)
    assert "sources" in str(err.value) and "watch" in str(err.value)


def test_no_watches_configured_says_what_to_do_next(homes):
    runner = CliRunner()
    listing = runner.invoke(cli, ["watch", "list"])
    assert listing.exit_code == 0
    assert listing.output.startswith("no watches configured: nothing will be alerted; add a")
    assert str(homes / "xdg" / "briefwatch" / "config.toml") in listing.output
    status = runner.invoke(cli, ["status"])
    assert "watches:   no watches configured" in status.output
