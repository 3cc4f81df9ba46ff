import subprocess
import sys

from vigil.cli import resolve, usage


def test_resolve_maps_words_to_commands():
    assert resolve(["import", "signals", "x.jsonl", "--owner", "emm"]) == ["import_signals", "x.jsonl", "--owner", "emm"]
    assert resolve(["audit", "verify"]) == ["audit_verify"]
    assert resolve(["manage", "shell"]) == ["shell"]
    assert resolve(["nonsense"]) is None


def test_help_everywhere():
    out = subprocess.run([sys.executable, "-m", "vigil.cli", "--help"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == usage()
    for words in (["demo"], ["serve"], ["import", "signals"], ["audit", "verify"]):
        res = subprocess.run([sys.executable, "-m", "vigil.cli", *words, "--help"], capture_output=True, text=True)
        assert res.returncode == 0 and "usage:" in res.stdout, words


def test_unknown_command_fails_with_usage():
    res = subprocess.run([sys.executable, "-m", "vigil.cli", "frobnicate"], capture_output=True, text=True)
    assert res.returncode == 2 and "unknown command" in res.stderr
