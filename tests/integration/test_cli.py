"""test_cli.py - the top-level command line: --help, --version, unknown commands."""
import subprocess

from qvtest import COMMANDS, check


def test_version_names_bearssl(ctx):
    r = ctx.run("--version")
    check(r.code == 0, r)
    check(r.out.startswith("quiver ") and "BearSSL 0.6" in r.out, r)


def test_help_lists_commands(ctx):
    r = ctx.run("--help")
    check(r.code == 0, r)
    for cmd in COMMANDS:
        listed = f"  {cmd} " in r.out
        check(listed == (cmd in ctx.commands), f"{cmd} {'missing from' if not listed else 'in'} --help: {r}")


def test_left_out_command_says_so(ctx):
    """A lean build (-Dcommands) names a command it left out as such, not as
    an unknown one; the full build leaves none out."""
    for cmd in COMMANDS:
        if cmd in ctx.commands:
            continue
        p = subprocess.run([ctx.quiver, cmd], capture_output=True, text=True)
        check(p.returncode == 2, f"{cmd}: exit {p.returncode}")
        check(f"'{cmd}' is left out of this build" in p.stderr, p.stderr)


def test_unknown_command_is_usage_error(ctx):
    r = ctx.run("frobnicate")
    check(r.code == 2, r)
    check("unknown command 'frobnicate'" in r.err, r)


def test_no_command_is_usage_error(ctx):
    r = ctx.run()
    check(r.code == 2 and "usage:" in r.err, r)
