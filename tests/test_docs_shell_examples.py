"""Every ``console``, ``bash`` and ``javascript`` example of the docs and the README runs here.

The examples are written for a reader at a terminal in a checkout of this
repository (with the package and its ``test`` extra installed, as the README
says); this module runs them the way that reader would, with three
substitutions that keep them self-contained and safe to run in a test suite:

* **The server.** A block that starts the server (``$ appfabric-mock server
  --port 5050`` or ``$ python -m appfabric_mock server``, as its first command)
  gets that very command started in the background on a free port instead
  (``--port 0``); the server must print its ``serving on`` line, and it is
  stopped with SIGINT (Ctrl-C) at the end of the block, which must exit 0.
  A block that only talks to a server (``--endpoint-url
  http://127.0.0.1:5050``, a ``curl`` to it, a JavaScript client) gets a fresh
  :class:`~appfabric_mock.server.ThreadedServer` of its own, so every block
  starts from an empty state.  Either way, ``127.0.0.1:<documented port>`` and
  ``localhost:<documented port>`` are replaced by the real address everywhere
  in the block, expected output included.
* **Credentials.** Commands run with fake AWS credentials and region in the
  environment, the user's AWS configuration files pointed at nothing, and the
  checkout first on ``PYTHONPATH`` (the docs describe this code, installed or
  not); ``PATH`` starts with this interpreter's scripts (``python``, ``aws``,
  ``appfabric-mock``).
* **Installs and the test suite are verified, not run.**  ``pip install``
  must name this project (``.`` or ``appfabric-mock``) with extras it defines,
  and ``npm install`` the SDK ``tests/js/package.json`` pins, since this suite
  already runs in the environment they produce (and running them here would
  need the network and minutes).  A command that runs the test suite must be
  exactly the one ``.ci/run`` runs: running it from inside the suite would
  recurse.  The README's set-up block is checked the same way: its first line
  installs and runs ``python -m appfabric_mock demo``, whose demo part really
  runs here; its second line must be, part for part, ``.ci/run``'s install and
  test commands (``test_readme_test_command_is_what_ci_runs``).  The project's
  own long runs (``.ci/run``, ``.ci/range``, ``tox``, ``mutmut``, ``tools/*.py``)
  are verified the same way: what they name must be here.

Console blocks: a command starts with ``$ `` (a trailing ``\\`` continues it
on the next line); the lines after it, up to the next ``$ ``, are its output.
Every command must exit 0, unless its output shows an error (``An error
occurred (...)`` from the AWS CLI, a traceback, an argparse error), in which
case it must fail.  Output shown is compared with the output printed (stdout
and stderr together, blank lines ignored), doctest-style: ``...`` inside a
line matches any text, a line of just ``...`` any number of lines.  For the
server command, the lines shown must appear in order in what the server
printed (``^C`` marks the Ctrl-C).  A command shown without output is checked
by its exit status only.

Bash blocks are run line by line as commands without shown output.
JavaScript blocks run with ``node``, finding the AWS SDK in
``tests/js/node_modules`` (the ``node`` fixture of ``tests/test_js_sdk.py``,
which installs it if missing): Node.js is required, the test fails without
it.  They must exit 0 (use ``assert`` to check results).

Nothing is skipped: a block this module cannot run fails with the reason.
"""

from __future__ import annotations

import configparser
import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
from docs_examples import ROOT, Example, examples
from helpers import isolated_aws_env
from test_js_sdk import JS_DIR, node  # noqa: F401  (node: the session fixture, Node.js with the SDK)

from appfabric_mock.server import ThreadedServer

SHELL_EXAMPLES = examples("console", "bash")
JS_EXAMPLES = examples("javascript")
README = ROOT / "README.md"
CI_SCRIPT = ROOT / ".ci" / "run"

#: The port the docs use when they do not say (``appfabric-mock server``'s default).
DEFAULT_PORT = 5050
BLOCK_TIMEOUT = 120  # seconds for a whole block; each takes a few
SERVER_START_TIMEOUT = 60
_MARKER = "@@appfabric-mock-docs-example@@"

_SERVER_COMMAND = re.compile(r"^(?:appfabric-mock|python3? -m appfabric_mock) server(?:\s|$)")
_PIP_INSTALL = re.compile(r"^(?:python3? -m )?pip3? install\s")
_NPM_INSTALL = re.compile(r"^npm (?:install|i)(?:\s|$)")
_TEST_SUITE = re.compile(r"^(?:python3? -m )?pytest(?:\s|$)")
#: The project's own long runs (CI, the supported range, tox, mutation testing): minutes to hours each.
_DEVELOPMENT = re.compile(r"^(?:\.ci/\S+|tox|(?:python3? -m )?mutmut|python3? tools/\S+\.py)(?:\s|$)")
_ADDRESS = re.compile(r"\b(127\.0\.0\.1|localhost):(\d+)\b")
_SERVING = re.compile(r"appfabric-mock serving on http://[^\s:]+:(\d+)")
_SHOWS_ERROR = re.compile(r"^(?:An error occurred \(|Traceback \(most recent call last\)|\S+: error: )")


# -- parsing ---------------------------------------------------------------------------------


@dataclass
class Command:
    """One command of a block and the output the block shows for it."""

    text: str
    expected: List[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if _SERVER_COMMAND.match(self.text):
            return "server"
        if _PIP_INSTALL.match(self.text):
            return "pip"
        if _NPM_INSTALL.match(self.text):
            return "npm"
        if _TEST_SUITE.match(self.text):
            return "test-suite"
        if _DEVELOPMENT.match(self.text):
            return "development"
        return "run"

    @property
    def shows_error(self) -> bool:
        return any(_SHOWS_ERROR.match(line) for line in self.expected)


def console_commands(code: str) -> List[Command]:
    """The commands of a console block, each with the output shown after it."""
    commands: List[Command] = []
    lines = code.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            text = line[2:]
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text + "\n" + lines[i]
            commands.append(Command(text))
        elif commands:
            commands[-1].expected.append(line)
        elif line.strip():
            raise AssertionError(f"console output before the first '$ ' command: {line!r}")
        i += 1
    return commands


def bash_commands(code: str) -> List[Command]:
    """The commands of a bash block: one per line (a trailing ``\\`` continues it), comments dropped."""
    commands: List[Command] = []
    pending = ""
    for line in code.splitlines():
        pending = f"{pending}\n{line}" if pending else line
        if line.endswith("\\"):
            continue
        if pending.strip() and not pending.lstrip().startswith("#"):
            commands.append(Command(pending.strip()))
        pending = ""
    if pending.strip():
        commands.append(Command(pending.strip()))
    return commands


def split_and(text: str) -> List[str]:
    """The parts of a command joined by ``&&``, as written (a trailing comment dropped)."""
    parts = [part.strip() for part in re.split(r"\s+&&\s+", text)]
    parts[-1] = re.sub(r"\s+#[^'\"]*$", "", parts[-1])
    return [part for part in parts if part]


# -- installs and the test suite: verified, not run -------------------------------------------


def _project_extras() -> List[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return list(config["options.extras_require"])


def verify_pip_install(text: str) -> None:
    """``pip install`` of this project (``.`` or ``appfabric-mock``) with extras it defines."""
    words = shlex.split(_PIP_INSTALL.sub("", text, count=1), comments=True)
    targets = [w for w in words if not w.startswith("-")]
    assert targets, f"pip install of nothing: {text!r}"
    for target in targets:
        found = re.fullmatch(r"(\.|appfabric-mock)(?:\[([\w,-]+)\])?", target)
        assert found, f"the docs may only install this project, not {target!r} ({text!r})"
        extras = found.group(2).split(",") if found.group(2) else []
        unknown = sorted(set(extras) - set(_project_extras()))
        assert not unknown, f"{text!r}: no such extra {unknown} (setup.cfg has {_project_extras()})"


def verify_npm_install(text: str) -> None:
    """``npm install`` of packages that ``tests/js/package.json`` pins (at a matching version)."""
    pinned: Dict[str, str] = json.loads((JS_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    words = [w for w in shlex.split(_NPM_INSTALL.sub("", text, count=1), comments=True) if not w.startswith("-")]
    assert words, f"npm install of nothing: {text!r} (the docs name the package they need)"
    for word in words:
        name, _, version = word.rpartition("@") if "@" in word[1:] else (word, "", "")
        assert name in pinned, f"{text!r}: {name} is not in tests/js/package.json, which the tests run with"
        assert not version or pinned[name] == version or pinned[name].startswith(version + "."), (
            f"{text!r}: the tests run {name} {pinned[name]}, not {version}")


def ci_lines() -> List[str]:
    """The command lines of ``.ci/run``."""
    lines = CI_SCRIPT.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def ci_test_command() -> str:
    found = [line for line in ci_lines() if _TEST_SUITE.match(line)]
    assert len(found) == 1, f".ci/run should run the test suite once: {found}"
    return found[0]


def verify_test_suite(text: str) -> None:
    assert text == ci_test_command(), f"the docs run the test suite as {text!r}, .ci/run as {ci_test_command()!r}"


def verify_development(text: str) -> None:
    """A long run of the project's own: what it names is here (a script, tox's environment, mutmut's setup)."""
    words = shlex.split(text, comments=True)
    if words[0].startswith(".ci/"):
        script = ROOT / words[0]
        assert script.is_file() and os.access(script, os.X_OK), f"{text!r}: no such script {words[0]}"
        if words[0] == ".ci/range":
            assert words[1:] in (["oldest"], ["newest"]), f"{text!r}: .ci/range runs oldest or newest"
    elif words[0] == "tox":
        config = configparser.ConfigParser()
        config.read(ROOT / "tox.ini", encoding="utf-8")
        for env in (words[words.index("-e") + 1].split(",") if "-e" in words else []):
            assert env in config["tox"]["envlist"].split(", "), f"{text!r}: tox.ini has no {env} environment"
    elif "mutmut" in words[:3]:
        if sys.version_info >= (3, 11):
            import tomllib

            setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
            for path in [*setup["only_mutate"], *setup["pytest_add_cli_args_test_selection"]]:
                assert (ROOT / path).is_file(), f"pyproject.toml's [tool.mutmut] names {path}, which is not here"
    else:
        assert (ROOT / words[1]).is_file(), f"{text!r}: no such tool {words[1]}"


def verify(part: str) -> bool:
    """Check a part that is not run; False for a part to run."""
    kind = Command(part).kind
    if kind == "pip":
        verify_pip_install(part)
    elif kind == "npm":
        verify_npm_install(part)
    elif kind == "test-suite":
        verify_test_suite(part)
    elif kind == "development":
        verify_development(part)
    elif kind == "server":
        raise AssertionError(f"the server command must be the first command of its block, alone: {part!r}")
    else:
        return False
    return True


# -- output ---------------------------------------------------------------------------------


def _meaningful(lines: List[str]) -> List[str]:
    return [line.rstrip() for line in lines if line.strip()]


def output_matches(expected: List[str], actual: List[str]) -> bool:
    """Doctest-like: ``...`` in a line is any text, a line of ``...`` any lines; blank lines ignored."""
    pattern = ""
    for line in _meaningful(expected):
        if line.strip() == "...":
            pattern += r"(?:[^\n]*\n)*?"
        else:
            pattern += ".*?".join(re.escape(piece) for piece in line.split("...")) + r"\n"
    text = "".join(line + "\n" for line in _meaningful(actual))
    return re.fullmatch(pattern, text) is not None


def appears_in_order(expected: List[str], actual: List[str]) -> bool:
    remaining = iter(_meaningful(actual))
    for line in _meaningful(expected):
        if line.strip() == "^C":
            continue
        regex = re.compile(".*?".join(re.escape(piece) for piece in line.split("...")))
        if not any(regex.fullmatch(candidate) for candidate in remaining):
            return False
    return True


# -- the environment ------------------------------------------------------------------------


def example_env(home: Path) -> Dict[str, str]:
    scripts = os.path.dirname(sys.executable)
    env = isolated_aws_env(
        home, "AKIDEXAMPLE", "fake",  # what the docs export
        AWS_DEFAULT_REGION="us-east-1",
        AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE="1",
        NODE_PATH=str(JS_DIR / "node_modules"),
    )
    env["PATH"] = os.pathsep.join(filter(None, [scripts, env.get("PATH")]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


class BackgroundServer:
    """The block's own server command, started on a free port and stopped with Ctrl-C (SIGINT)."""

    def __init__(self, command: Command, env: Dict[str, str]) -> None:
        self.command = command
        text = re.sub(r"--port[ =]\d+", "", command.text).strip() + " --port 0"
        self.process = subprocess.Popen(["bash", "-c", f"exec {text}"], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env,
                                        cwd=str(ROOT))
        self.lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self.output: List[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.port = self._wait_for_port()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _wait_for_port(self) -> int:
        while True:
            try:
                line = self.lines.get(timeout=SERVER_START_TIMEOUT)
            except queue.Empty:
                self.stop()
                raise AssertionError(f"{self.command.text!r} printed no 'serving on' line") from None
            if line is None:
                self.process.wait(10)
                raise AssertionError(f"{self.command.text!r} exited ({self.process.returncode}) before serving:\n"
                                     + "\n".join(self.output))
            self.output.append(line)
            found = _SERVING.search(line)
            if found:
                return int(found.group(1))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(10)
            raise AssertionError(f"{self.command.text!r} did not stop on Ctrl-C (SIGINT)") from None
        self.reader.join(10)
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.output.append(line)
        return code


def documented_port(commands: List[Command], code: str) -> int:
    """The port the block shows for its server (a ``serving on`` line, ``--port N``, else the default)."""
    if commands and commands[0].kind == "server":
        for line in commands[0].expected:
            found = _SERVING.search(line)
            if found:
                return int(found.group(1))
        found_port = re.search(r"--port[ =](\d+)", commands[0].text)
        return int(found_port.group(1)) if found_port else DEFAULT_PORT
    ports = {int(m.group(2)) for m in _ADDRESS.finditer(code)}
    assert len(ports) <= 1, f"a block talks to one server, this one names several ports: {sorted(ports)}"
    return ports.pop() if ports else DEFAULT_PORT


def substitute(text: str, documented: int, actual: int) -> str:
    return re.sub(rf"\b(127\.0\.0\.1|localhost):{documented}\b", rf"\g<1>:{actual}", text)


def needs_server(code: str) -> bool:
    return _ADDRESS.search(code) is not None


# -- running a shell block ------------------------------------------------------------------


def run_commands(commands: List[Command], env: Dict[str, str], cwd: Path) -> List[Tuple[Command, int, List[str]]]:
    """Run the commands in one bash process (so ``export`` and ``cd`` carry over); (command, status, output)."""
    script: List[str] = []
    ran: List[Command] = []
    for command in commands:
        parts = split_and(command.text)
        verified = [verify(part) for part in parts]
        if all(verified):
            assert not _meaningful(command.expected), f"output shown for a command that is not run: {command.text!r}"
            continue
        # Installs inside a command are verified above and left out of what runs.
        to_run = " && ".join(part for part, done in zip(parts, verified) if not done)
        script.append(to_run if len(parts) > 1 else command.text)
        # The marker keeps the status for the next command, so that `echo $?` shows the command's.
        script.append(f"__status=$?; printf '\\n{_MARKER} %s\\n' \"$__status\"; (exit \"$__status\")")
        ran.append(command)
    if not ran:
        return []
    # One bash, stderr into stdout: each command's output stays together, before its marker.
    merged = subprocess.run(["bash", "--noprofile", "--norc", "-c", "exec 2>&1; source /dev/stdin"],
                            input="\n".join(script) + "\n", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, cwd=str(cwd), timeout=BLOCK_TIMEOUT)
    results: List[Tuple[Command, int, List[str]]] = []
    chunk: List[str] = []
    pending = iter(ran)
    for line in merged.stdout.splitlines():
        if line.startswith(_MARKER):
            command = next(pending)
            results.append((command, int(line.split()[-1]), chunk))
            chunk = []
        else:
            chunk.append(line)
    assert len(results) == len(ran), f"the block stopped early (bash exited {merged.returncode}):\n{merged.stdout}"
    return results


def check_results(results: List[Tuple[Command, int, List[str]]]) -> None:
    for command, status, output in results:
        printed = "\n".join(output)
        if command.shows_error:
            assert status != 0, f"{command.text!r} should fail, as the docs show; it exited 0:\n{printed}"
        else:
            assert status == 0, f"{command.text!r} exited {status}:\n{printed}"
        if _meaningful(command.expected):
            assert output_matches(command.expected, output), (
                f"{command.text!r}: the output differs from the docs.\n--- shown:\n"
                + "\n".join(command.expected) + "\n--- printed:\n" + printed)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path


@pytest.mark.parametrize("example", SHELL_EXAMPLES, ids=[example.id for example in SHELL_EXAMPLES])
def test_shell_example(example: Example, home: Path) -> None:
    env = example_env(home)
    commands = console_commands(example.code) if example.language == "console" else bash_commands(example.code)
    assert commands, f"{example.id}: no command in this {example.language} block"
    if any(command.kind == "test-suite" for command in commands):
        assert example.path == README, f"{example.id}: only the README shows how to run the test suite"
    with _server_for(commands, example.code, env) as (documented, actual, background):
        if background is not None:
            commands = commands[1:]
        for command in commands:
            command.text = substitute(command.text, documented, actual)
            command.expected = [substitute(line, documented, actual) for line in command.expected]
        check_results(run_commands(commands, env, ROOT))
    if background is not None:
        code = background.stop()
        assert code == 0, f"{background.command.text!r} exited {code} on Ctrl-C:\n" + "\n".join(background.output)
        expected = [substitute(line, documented, background.port) for line in background.command.expected]
        assert appears_in_order(expected, background.output), (
            f"{background.command.text!r}: the docs show\n" + "\n".join(expected)
            + "\nit printed\n" + "\n".join(background.output))


class _server_for:
    """(documented port, actual port, the block's own server or None) for the block's commands."""

    def __init__(self, commands: List[Command], code: str, env: Dict[str, str]) -> None:
        self.commands, self.code, self.env = commands, code, env
        self.threaded: Optional[ThreadedServer] = None
        self.background: Optional[BackgroundServer] = None

    def __enter__(self) -> Tuple[int, int, Optional[BackgroundServer]]:
        documented = documented_port(self.commands, self.code)
        if self.commands[0].kind == "server":
            self.background = BackgroundServer(self.commands[0], self.env)
            return documented, self.background.port, self.background
        if needs_server(self.code):
            self.threaded = ThreadedServer().start()
            return documented, self.threaded.port, None
        return documented, documented, None

    def __exit__(self, *exc: object) -> None:
        if self.threaded is not None:
            self.threaded.stop()
        if self.background is not None and exc[0] is not None:
            self.background.stop()


# -- the README's set-up block --------------------------------------------------------------


def _readme_setup_block() -> Example:
    blocks = [example for example in SHELL_EXAMPLES if example.path == README]
    assert len(blocks) == 1, f"the README should have one block of set-up commands, it has {len(blocks)}"
    return blocks[0]


def test_readme_test_command_is_what_ci_runs() -> None:
    """The README's second set-up line is, part for part, what ``.ci/run`` installs and then runs as the suite."""
    lines = [command.text for command in bash_commands(_readme_setup_block().code)]
    assert len(lines) == 2, f"the README shows two set-up commands: {lines}"
    demo, tests = (split_and(line) for line in lines)
    assert demo[-1] == "python -m appfabric_mock demo" and Command(demo[0]).kind == "pip", demo
    ci = ci_lines()
    # What .ci/run installs before it runs the suite (the lint tools come after it).
    ci_install = [line for line in ci[:ci.index(ci_test_command())] if _PIP_INSTALL.match(line)]
    assert tests == [*ci_install, ci_test_command()], (
        f"README: {' && '.join(tests)}\n.ci/run: {' && '.join([*ci_install, ci_test_command()])}")


# -- JavaScript -------------------------------------------------------------------------------


@pytest.mark.parametrize("example", JS_EXAMPLES, ids=[example.id for example in JS_EXAMPLES])
def test_javascript_example(example: Example, node: str, home: Path) -> None:  # noqa: F811
    env = example_env(home)
    code = example.code
    with _threaded_if(needs_server(code)) as server:
        if server is not None:
            code = substitute(code, documented_port([], code), server.port)
        script = home / "example.js"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run([node, str(script)], cwd=str(home), env=env, capture_output=True, text=True,
                              timeout=BLOCK_TIMEOUT, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{example.id} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"


class _threaded_if:
    def __init__(self, wanted: bool) -> None:
        self.server = ThreadedServer() if wanted else None

    def __enter__(self) -> Optional[ThreadedServer]:
        return self.server.start() if self.server is not None else None

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.stop()


# -- the runner itself ------------------------------------------------------------------------


def test_the_docs_have_examples_of_each_kind() -> None:
    assert SHELL_EXAMPLES and JS_EXAMPLES
    assert any(example.path == README for example in SHELL_EXAMPLES)


def test_tools_the_examples_need_are_here() -> None:
    """The examples call ``aws`` (awscli, in the ``test`` extra) and ``curl``: missing ones fail, never skip."""
    path = example_env(Path("/nonexistent"))["PATH"]
    for tool in ("bash", "aws", "curl"):
        assert shutil.which(tool, path=path), f"{tool} is needed to run the docs' shell examples"


def test_output_matching() -> None:
    assert output_matches(["a ... c", "...", "z"], ["a b c", "x", "y", "", "z"])
    assert output_matches(['  "arn": "arn:...:appbundle/..."', "}"], ['  "arn": "arn:aws:appbundle/1"', "}"])
    assert not output_matches(["a"], ["a", "b"])
    assert not output_matches(["a"], ["b"])
    assert appears_in_order(["serving on 1", "^C", "stopped"], ["serving on 1", "GET / 200", "stopped"])
    assert not appears_in_order(["stopped", "serving on 1"], ["serving on 1", "stopped"])


def test_parsing() -> None:
    commands = console_commands("$ echo a \\\n  b\na b\n$ false\n")
    assert [(c.text, c.expected) for c in commands] == [("echo a \\\n  b", ["a b"]), ("false", [])]
    assert split_and("pip install . && python -m appfabric_mock demo   # the demo") == [
        "pip install .", "python -m appfabric_mock demo"]
    assert Command("appfabric-mock server --port 5050").kind == "server"
    assert Command("python -m appfabric_mock server").kind == "server"
    assert Command("python3 -m pip install -e '.[test]'").kind == "pip"
    verify_pip_install("pip install -e '.[test,bench]'")
    with pytest.raises(AssertionError, match="no such extra"):
        verify_pip_install("pip install '.[nope]'")
    with pytest.raises(AssertionError, match="only install this project"):
        verify_pip_install("pip install requests")
    verify_npm_install("npm install aws-sdk@2")
    with pytest.raises(AssertionError):
        verify_npm_install("npm install aws-sdk@3")

