"""test_cli.py - the top-level command line: --help, --version, unknown commands."""
from qvtest import check


def test_version_names_bearssl(ctx):
    r = ctx.run("--version")
    check(r.code == 0, r)
    check(r.out.startswith("quiver ") and "BearSSL 0.6" in r.out, r)


def test_help_lists_commands(ctx):
    r = ctx.run("--help")
    check(r.code == 0, r)
    for cmd in ("flags", "flags2", "flags3", "get", "serve", "demo"):
        check(f"  {cmd} " in r.out, f"{cmd} missing from --help: {r}")


def test_unknown_command_is_usage_error(ctx):
    r = ctx.run("frobnicate")
    check(r.code == 2, r)
    check("unknown command 'frobnicate'" in r.err, r)


def test_no_command_is_usage_error(ctx):
    r = ctx.run()
    check(r.code == 2 and "usage:" in r.err, r)
