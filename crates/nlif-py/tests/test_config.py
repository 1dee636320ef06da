"""Configs from Python: the program's file format, overrides and messages. Oracles: the
program's own words (`nlif check`) and the RON it prints (`nlif check --print`)."""

import pickle
import subprocess

import pytest

import nlif
from conftest import CONFIGS


def test_a_bad_field_is_a_value_error_naming_it():
    config = nlif.Config.load(CONFIGS / "blowup-a.ron")
    config.set("model.a0", -1.0)
    with pytest.raises(ValueError) as e:
        config.validate()
    assert isinstance(e.value, nlif.ConfigError)
    assert e.value.field == "model.a0"
    assert "`model.a0`" in str(e.value)


def test_the_message_is_the_programs(program):
    # Written in the file: the message names the file, line and column, as `nlif check`.
    config = nlif.Config.load(CONFIGS / "blowup-a.ron")
    done = subprocess.run([program, "check", str(CONFIGS / "blowup-a.ron"), "--set", "model.b=1e400"],
                          capture_output=True, text=True)
    assert done.returncode != 0
    config.set("model.b", float("inf"))
    with pytest.raises(nlif.ConfigError) as e:
        config.validate()
    assert e.value.field == "model.b"
    assert str(e.value) in done.stderr


def test_unknown_paths_and_values_name_the_path():
    config = nlif.Config()
    with pytest.raises(nlif.ConfigError) as e:
        config.set("model.bb", 1.0)
    assert e.value.field == "model.bb" and "a0, a1, b" in str(e.value)
    with pytest.raises(nlif.ConfigError) as e:
        config.set("solver.kind", "Mezzo")
    assert e.value.field == "solver.kind"
    assert config == nlif.Config()  # unchanged by the refused overrides


def test_run_refuses_a_bad_config_before_running():
    with pytest.raises(nlif.ConfigError) as e:
        nlif.run(CONFIGS / "blowup-a.ron", set={"solver.macro.dt": -1.0})
    assert e.value.field == "solver.macro.dt"


def test_files_are_os_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        nlif.Config.load(tmp_path / "missing.ron")
    bad = tmp_path / "bad.ron"
    bad.write_text("(name: \"x\", t_end: oops)")
    with pytest.raises(nlif.ConfigError) as e:
        nlif.Config.load(bad)
    assert f"{bad}:1:" in str(e.value)


def test_text_is_the_programs_ron_and_round_trips(program, tmp_path):
    config = nlif.Config.load(CONFIGS / "kick.ron")
    config.set("model.b", 0.1 + 0.2)  # a double whose shortest text is long
    config.set("name", "kick-py")
    printed = subprocess.run(
        [program, "check", str(CONFIGS / "kick.ron"), "--set", "model.b=0.30000000000000004",
         "--set", 'name="kick-py"', "--print"], capture_output=True, text=True, check=True).stdout
    assert str(config) + "\n" == printed
    path = tmp_path / "saved.ron"
    config.save(path)
    assert nlif.Config.load(path) == config
    with pytest.raises(FileExistsError):
        config.save(path)
    assert pickle.loads(pickle.dumps(config)) == config


def test_keyword_fields_are_overrides():
    config = nlif.Config(name="small", t_end=0.5, model={"b": 1.5}, solver={"kind": "Macro"})
    expected = nlif.Config()
    for path, value in [("name", "small"), ("t_end", 0.5), ("model.b", 1.5), ("solver.kind", "Macro")]:
        expected.set(path, value)
    assert config == expected
    assert config.to_dict()["model"]["b"] == 1.5
    config.validate()
