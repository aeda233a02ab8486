"""Configuration in ``[tool.harness]`` of pyproject.toml: found, validated, overridden by the
command line (issue 7, item 2)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from harness.cli import build_parser, main
from harness.cli.run import DEFAULTS
from harness.config import RUN_ARGUMENTS, configure_run, find_pyproject, known_keys, load_config, schema
from harness.errors import UsageError

START_MONITORING = "detective:StartMonitoringMember"
CREATE_SCOPE = "networkflowmonitor:CreateScope"


def write_config(directory: Path, body: str, *, name: str = "pyproject.toml") -> Path:
    file = directory / name
    file.write_text(f'[project]\nname = "service-under-test"\n\n[tool.harness]\n{body}\n', encoding="utf-8")
    return file


def run_args(*arguments: str) -> argparse.Namespace:
    """``harness run`` arguments as parsed, then completed from the configuration."""
    args = build_parser().parse_args(["run", *arguments])
    configure_run(args, defaults=DEFAULTS)
    return args


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, made the current directory."""
    directory = tmp_path / "project"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


# --------------------------------------------------------------------------- finding the file


def test_settings_come_from_the_pyproject_toml_of_the_current_directory(project: Path) -> None:
    write_config(project, 'target = "mock"\nseed = 7\nmax-examples = 3\ntimeout = 2.5\nregion = "eu-west-1"')
    args = run_args()
    assert (args.target, args.seed, args.max_examples, args.timeout, args.region) == ("mock", 7, 3, 2.5, "eu-west-1")


def test_a_parent_directory_s_pyproject_toml_is_found_from_a_subdirectory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(project, "seed = 11")
    nested = project / "services" / "api"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert find_pyproject(nested) == project / "pyproject.toml"
    assert run_args("--target", "mock").seed == 11


def test_the_nearest_pyproject_toml_is_the_project_even_without_a_harness_table(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(project, "seed = 11")
    inner = project / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "inner"\n', encoding="utf-8")
    monkeypatch.chdir(inner)
    assert load_config().file is None
    assert run_args("--target", "mock").seed == DEFAULTS["seed"]


def test_without_any_configuration_the_built_in_defaults_apply(project: Path) -> None:
    args = run_args("--target", "mock")
    assert (args.seed, args.max_examples, args.operation, args.report) == (0, 100, [], None)


def test_config_names_a_file_elsewhere(project: Path, tmp_path: Path) -> None:
    other = write_config(tmp_path, "seed = 5", name="ci.toml")
    assert run_args("--target", "mock", "--config", str(other)).seed == 5


def test_a_config_file_without_the_table_is_refused(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("[tool.black]\nline-length = 100\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"other\.toml has no \[tool\.harness\] table"):
        run_args("--target", "mock", "--config", str(other))


def test_a_missing_config_file_is_refused(project: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read the configuration file .*missing\.toml: No such file"):
        run_args("--target", "mock", "--config", "missing.toml")


def test_relative_report_paths_are_relative_to_the_file_not_the_current_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(project, 'report = "out/report.html"\njunit = "out/junit.xml"\njson = "out/results.json"')
    nested = project / "src"
    nested.mkdir()
    monkeypatch.chdir(nested)
    args = run_args("--target", "mock")
    assert (args.report, args.junit, args.json) == (
        project / "out/report.html",
        project / "out/junit.xml",
        project / "out/results.json",
    )


# --------------------------------------------------------------------------- the command line wins


def test_the_command_line_overrides_each_setting(project: Path) -> None:
    write_config(
        project,
        f'target = "http://localhost:4566"\nseed = 7\nmax-examples = 3\noperations = ["{CREATE_SCOPE}"]\n'
        'report = "configured.html"',
    )
    args = run_args(
        "--target", "mock", "--seed", "0", "--max-examples", "9", "--operation", START_MONITORING,
        "--report", "mine.html",
    )  # fmt: skip
    assert (args.target, args.seed, args.max_examples, args.operation) == ("mock", 0, 9, [START_MONITORING])
    assert args.report == Path("mine.html")


def test_provider_states_belong_to_the_configured_target(project: Path) -> None:
    write_config(
        project,
        'target = "http://localhost:4566"\nprovider-states = "http://localhost:4566/_harness/provider-states"',
    )
    assert run_args().provider_states == "http://localhost:4566/_harness/provider-states"
    assert run_args("--target", "http://localhost:4566").provider_states is not None
    # Trying the bundled mock must not send provider states to the configured service.
    assert run_args("--target", "mock").provider_states is None


def test_a_replay_ignores_the_configured_target(project: Path) -> None:
    write_config(project, 'target = "mock"\nseed = 3')
    args = run_args("--replay", "cassettes/run1")
    assert (args.target, args.replay, args.seed) == (None, Path("cassettes/run1"), 3)


def test_without_a_target_anywhere_the_run_says_where_to_set_one(project: Path) -> None:
    write_config(project, "seed = 3")
    with pytest.raises(UsageError, match=r"--target --replay is required \(or set target in \[tool\.harness\]"):
        run_args()


# --------------------------------------------------------------------------- validation


def test_a_misspelt_key_gets_did_you_mean(project: Path) -> None:
    file = write_config(project, 'target = "mock"\nmax_examples = 5')
    with pytest.raises(UsageError) as raised:
        run_args()
    message = str(raised.value)
    assert message.startswith(f"{file}: [tool.harness] max_examples: unknown key; did you mean 'max-examples'?")
    assert "Known keys: target, provider-states, operations" in message


def test_a_key_like_no_other_is_listed_with_the_known_keys(project: Path) -> None:
    write_config(project, 'target = "mock"\nworkerz = 5\ncolour = "never"')
    with pytest.raises(UsageError) as raised:
        run_args()
    message = str(raised.value)
    assert "2 problems in [tool.harness]" in message
    assert "workerz: unknown key Known keys:" in message
    assert "colour: unknown key Known keys:" in message


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("max-examples = 0", "max-examples = 0: 0 is less than the minimum of 1; expected generated bodies"),
        ('seed = "seven"', "seed = \"seven\": 'seven' is not of type 'integer'; expected seed of the generated cases"),
        ("seed = true", "seed = true: True is not of type 'integer'"),
        ("timeout = 0", "timeout = 0: 0 is less than or equal to the minimum of 0; expected per-request timeout"),
        ('target = "ftp://example"', 'target = "ftp://example": not valid; expected the implementation to test'),
        ('provider-states = "localhost:4566"', 'provider-states = "localhost:4566": not valid; expected the target'),
        ('operations = "detective:StartMonitoringMember"', 'operations = "detective:StartMonitoringMember": '),
        ('operations = ["detective:StartMonitoringMember", 3]', "operations[1] = 3: 3 is not of type 'string'"),
        ("report = 3", "report = 3: 3 is not of type 'string'; expected where `harness run` writes the HTML report"),
    ],
    ids=lambda text: text.split(" ")[0],
)
def test_a_value_of_the_wrong_kind_names_the_file_the_key_and_what_was_expected(
    project: Path, setting: str, expected: str
) -> None:
    file = write_config(project, setting)
    with pytest.raises(UsageError) as raised:
        run_args("--target", "mock")
    assert str(raised.value).startswith(f"{file}: [tool.harness] {expected}")


def test_every_problem_is_reported_at_once(project: Path) -> None:
    write_config(project, 'sead = 1\nmax-examples = -1\ntimeout = "soon"')
    with pytest.raises(UsageError) as raised:
        run_args("--target", "mock")
    lines = str(raised.value).splitlines()
    assert lines[0].endswith("3 problems in [tool.harness]:")
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["sead", "max-examples = -1", 'timeout = "soon"']


def test_an_unknown_operation_names_the_file_and_suggests_the_closest(project: Path) -> None:
    file = write_config(project, 'target = "mock"\noperations = ["detective:StartMonitoringMembers"]')
    with pytest.raises(UsageError) as raised:
        run_args()
    assert str(raised.value).startswith(
        f"{file} [tool.harness] operations: unknown operation 'detective:StartMonitoringMembers'; "
        f"did you mean '{START_MONITORING}'?"
    )


def test_a_file_that_is_not_toml_is_refused_with_the_line(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.harness\nseed = 1\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"pyproject\.toml is not valid TOML: .*\(at line 1, column 14\)"):
        run_args("--target", "mock")


def test_a_harness_key_that_is_not_a_table_is_refused(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool]\nharness = "mock"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"tool\.harness must be a table \(\[tool\.harness\]\), got \"mock\""):
        run_args("--target", "mock")


def test_on_the_command_line_a_configuration_problem_is_exit_2_without_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(project, 'target = "mock"\nmax_example = 5')
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'max-examples'?" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- the schema


def test_the_schema_is_json_schema_2020_12_and_shipped_in_the_package() -> None:
    Draft202012Validator.check_schema(schema())
    assert schema()["additionalProperties"] is False
    assert all(spec.get("description") for spec in schema()["properties"].values())


def test_every_key_of_the_schema_fills_a_harness_run_argument() -> None:
    assert set(known_keys()) == set(RUN_ARGUMENTS)
    parsed = vars(build_parser().parse_args(["run", "--target", "mock"]))
    assert {dest: parsed[dest] for dest in RUN_ARGUMENTS.values() if dest != "target"} == dict.fromkeys(
        set(RUN_ARGUMENTS.values()) - {"target"}
    ), "each configurable argument is unset (None) unless given, so the configuration can fill it in"


# --------------------------------------------------------------------------- end to end


def test_a_configured_run_against_the_mock_writes_where_the_file_says(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(
        project,
        f'target = "mock"\noperations = ["{START_MONITORING}"]\nmax-examples = 2\nseed = 4\njson = "results.json"',
    )
    (project / "src").mkdir()
    monkeypatch.chdir(project / "src")
    assert main(["run", "--quiet"]) == 0
    document = json.loads((project / "results.json").read_text(encoding="utf-8"))
    assert (document["target"], document["seed"], document["max_examples"]) == ("mock", 4, 2)
    assert [op["id"] for op in document["operations"]] == [START_MONITORING]
