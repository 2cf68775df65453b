// build.zig - builds quiver (a static C binary) and BearSSL from source with the
// pinned Zig (see third_party/zig-requirements.txt; run through ./zigw).
//
// Steps: install (default: zig-out/bin/quiver and the man page, nothing else),
// run, demo, test, check, fuzz, cross, size.
// Sources are discovered by walking src/, tests/unit/ and tests/fault/, so
// adding a file needs no edit here; a command is one line of `commands` below.
//
// Nothing optional is needed to build: the passes that use clang's sanitizer
// runtimes, nginx or qemu-user probe for them (as a configure script would)
// and, when they cannot run, are skipped with one line saying why and what
// enables them.
const std = @import("std");

/// Our warning set: every warning is an error in our code.  BearSSL is compiled
/// with its own flags and no forced warnings (it is not our code to fix).
const quiver_cflags = [_][]const u8{
    "-std=c11",
    "-D_DEFAULT_SOURCE",
    "-D_GNU_SOURCE",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wshadow",
    "-Wformat=2",
    "-Wvla",
    "-Wstrict-prototypes",
    "-Wmissing-prototypes",
    "-Wpointer-arith",
    "-Wundef",
    "-Wwrite-strings",
    "-Wimplicit-fallthrough",
    "-Wcast-qual",
    "-ffunction-sections",
    "-fdata-sections",
};

/// BearSSL's own build (conf/Unix.mk: -W -Wall -Os -fPIC) names no -std, so
/// it gets the compiler's default GNU dialect on every architecture: its
/// POWER8 AES/GHASH code is inline `asm`, which a strict -std=c99 or c11
/// rejects (powerpc64le).  Position-independent code is our choice, per target.
const bearssl_cflags = [_][]const u8{
    "-ffunction-sections",
    "-fdata-sections",
    // BearSSL reads its entropy from the OS itself (getrandom/urandom).
    "-DBR_USE_URANDOM=1",
    "-DBR_USE_GETENTROPY=0",
};

/// The nine supported targets (DESIGN §6); the first is the default.  qemu
/// runs the non-native ones (Debian's qemu-user-static).  mips and s390x are
/// the big-endian ones.
const Cross = struct { triple: []const u8, qemu: []const u8 };
const cross_targets = [_]Cross{
    .{ .triple = "x86_64-linux-musl", .qemu = "" },
    .{ .triple = "aarch64-linux-musl", .qemu = "qemu-aarch64-static" },
    // 32-bit ARM: ARMv7 hard-float (the armhf ABI) in Thumb-2 code, as
    // Debian's armhf port compiles; every ARMv7-A core runs it, and it is 26%
    // smaller than ARM code (302.8 -> 224.5 KiB stripped).
    // -Dtarget=arm-linux-musleabihf still builds ARM code.
    .{ .triple = "thumb-linux-musleabihf", .qemu = "qemu-arm-static" },
    .{ .triple = "riscv64-linux-musl", .qemu = "qemu-riscv64-static" },
    .{ .triple = "x86-linux-musl", .qemu = "qemu-i386-static" },
    .{ .triple = "mips-linux-musleabi", .qemu = "qemu-mips-static" },
    .{ .triple = "mipsel-linux-musleabi", .qemu = "qemu-mipsel-static" },
    .{ .triple = "powerpc64le-linux-musl", .qemu = "qemu-ppc64le-static" },
    .{ .triple = "s390x-linux-musl", .qemu = "qemu-s390x-static" },
};

/// The commands of quiver, in `quiver --help` order.  `-Dcommands=LIST` builds
/// a subset; `lean` marks the embedded build (DESIGN §6: the downloader and
/// its TLS client, `zig build size` checks its budget).  `srcs` are the
/// sources only this command needs, compiled only when a command that lists
/// them is built: an entry ending in "/" is a directory under src/, any other
/// the basename of a file anywhere under src/ (so a file may move between
/// folders).  A source no command lists is shared and always built.
/// `needs`: commands it runs (demo starts `quiver serve`).
/// Adding a command is one line here; build.zig generates main()'s table.
const Command = struct {
    name: []const u8,
    summary: []const u8,
    srcs: []const []const u8 = &.{},
    needs: []const []const u8 = &.{},
    lean: bool = false,
};
const flags2_srcs = [_][]const u8{ "flags2_args.c", "flags2_report.c", "flags2_run.c", "json_meta.c", "threads.c" };
const commands = [_]Command{
    // The threads engine (engine/threads.c) is built with the commands that
    // list it; get runs without it in the lean build (poll and seq; it is
    // weak in engine.c, so `--engine threads` says it is not in the build).
    .{ .name = "flags", .summary = "download flags like the book's flags.py / _threadpool / _asyncio", .srcs = &.{ "cmd_flags.c", "threads.c" } },
    .{ .name = "flags2", .summary = "the book's flags2 CLI: report, progress, errors", .srcs = &(.{"cmd_flags2.c"} ++ flags2_srcs) },
    .{ .name = "flags3", .summary = "flags2 plus per-country metadata (saves Country_Name.gif)", .srcs = &(.{"cmd_flags3.c"} ++ flags2_srcs) },
    .{ .name = "get", .summary = "download any list of http/https URLs in parallel", .lean = true, .srcs = &.{ "cli/get/", "cmd_get.c", "get_args.c", "get_plan.c", "get_run.c", "urllist.c", "nameset.c", "shard.c", "json_out.c" } },
    .{ .name = "wget", .summary = "wget's options and exit codes (also as a link named wget)", .lean = true, .srcs = &.{"cli/wget/"}, .needs = &.{"get"} },
    .{ .name = "serve", .summary = "run the embedded flag server (HTTP, or HTTPS with --tls)", .srcs = &.{ "cmd_serve.c", "serve/", "tls/server.c" } },
    .{ .name = "demo", .summary = "start a local flag server and compare the three engines", .srcs = &.{"cmd_demo.c"}, .needs = &.{ "serve", "flags" } },
};

/// One choice of commands and the sources it compiles.
const Set = struct {
    label: []const u8, // "all", "lean" or the -Dcommands list
    names: []const []const u8, // chosen commands, in table order
    src_files: []const []const u8, // src/**/*.c except src/main.c
    table: std.Build.LazyPath, // the generated command table for main.c
};

const Ctx = struct {
    b: *std.Build,
    full: Set, // every command (unit tests, sanitizer builds)
    lean: Set, // the embedded build
    chosen: Set, // -Dcommands (default: every command)
    unit_files: []const []const u8, // tests/unit/*.c
    suite_names: []const []const u8, // from tests/unit/test_NAME.c
    bearssl_files: []const []const u8,
    bearssl_version: []const u8,
};

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{
        .default_target = .{ .cpu_arch = .x86_64, .os_tag = .linux, .abi = .musl },
    });
    const optimize = b.option(std.builtin.OptimizeMode, "optimize", "Optimization mode (default ReleaseSafe; ReleaseSmall for size)") orelse .ReleaseSafe;
    const chosen = b.option([]const u8, "commands", "Commands to build, comma-separated, or all (default) or lean: " ++ command_names) orelse "all";
    const strip = b.option(bool, "strip", "Strip symbols (default: only in ReleaseSmall); -Dstrip=false for `nm --size-sort`");
    const clang = b.option([]const u8, "clang", "The clang for the sanitizer passes, with any flags, like configure's CC (default: clang on PATH)");

    const all_src = withoutLibc(b, listC(b, "src", &.{"main.c"}));
    const ctx = Ctx{
        .b = b,
        .full = commandSet(b, all_src, "all"),
        .lean = commandSet(b, all_src, "lean"),
        .chosen = commandSet(b, all_src, chosen),
        .unit_files = listC(b, "tests/unit", &.{}),
        .suite_names = suiteNames(b),
        .bearssl_files = listC(b, "third_party/bearssl/src", &.{}),
        .bearssl_version = bearsslVersion(b),
    };

    const bearssl = addBearSSL(ctx, target, optimize);
    const exe = addQuiver(ctx, ctx.chosen, target, optimize, bearssl, strip);
    b.installArtifact(exe);
    const man = b.addInstallFileWithDir(b.path("doc/quiver.1"), .{ .custom = "share/man/man1" }, "quiver.1");
    b.getInstallStep().dependOn(&man.step);

    const run = b.addRunArtifact(exe);
    run.stdio = .inherit;
    if (b.args) |args| run.addArgs(args);
    b.step("run", "Run quiver with the arguments after --").dependOn(&run.step);

    const demo = b.addRunArtifact(exe);
    demo.stdio = .inherit;
    demo.has_side_effects = true;
    demo.addArg("demo");
    if (b.args) |args| demo.addArgs(args);
    b.step("demo", "Start the embedded flag server and run the downloaders against it").dependOn(&demo.step);

    const san = ClangSan.init(ctx, clang);
    addTestStep(ctx, target, exe, san);
    addCheckStep(b);
    addCrossStep(ctx);
    addSizeStep(ctx);
    addFuzzStep(b, san);
}

const command_names = blk: {
    var s: []const u8 = "";
    for (commands, 0..) |c, i| s = s ++ (if (i > 0) "," else "") ++ c.name;
    break :blk s;
};

fn commandIndex(name: []const u8) ?usize {
    for (commands, 0..) |c, i| {
        if (std.mem.eql(u8, c.name, name)) return i;
    }
    return null;
}

/// The Set of spec: "all", "lean" (the commands marked lean) or a
/// comma-separated list, plus what the chosen commands need.
fn commandSet(b: *std.Build, all_src: []const []const u8, spec: []const u8) Set {
    var on = [_]bool{false} ** commands.len;
    if (std.mem.eql(u8, spec, "all")) {
        on = [_]bool{true} ** commands.len;
    } else if (std.mem.eql(u8, spec, "lean")) {
        for (commands, 0..) |c, i| on[i] = c.lean;
    } else {
        var it = std.mem.tokenizeScalar(u8, spec, ',');
        while (it.next()) |name| {
            const i = commandIndex(name) orelse {
                std.debug.print("error: -Dcommands: unknown command '{s}' (have: {s}, or all, lean)\n", .{ name, command_names });
                std.process.exit(1);
            };
            on[i] = true;
        }
    }
    // what the chosen commands run (demo runs serve and flags), to a fixed point
    var more = true;
    while (more) {
        more = false;
        for (commands, 0..) |c, i| {
            if (!on[i]) continue;
            for (c.needs) |n| {
                const j = commandIndex(n).?;
                if (!on[j]) more = true;
                on[j] = true;
            }
        }
    }
    var names: std.ArrayList([]const u8) = .empty;
    for (commands, 0..) |c, i| {
        if (on[i]) names.append(b.allocator, c.name) catch @panic("OOM");
    }
    if (names.items.len == 0) {
        std.debug.print("error: -Dcommands: no command chosen (have: {s})\n", .{command_names});
        std.process.exit(1);
    }
    var srcs: std.ArrayList([]const u8) = .empty;
    for (all_src) |path| {
        if (sourceWanted(path, &on)) srcs.append(b.allocator, path) catch @panic("OOM");
    }
    const label = if (names.items.len == commands.len) "all" else std.mem.join(b.allocator, ",", names.items) catch @panic("OOM");
    return .{ .label = label, .names = names.items, .src_files = srcs.items, .table = commandTable(b, &on, label) };
}

/// A source (a path "src/...") is built when no command lists it, or when
/// one of the chosen commands does.
fn sourceWanted(path: []const u8, on: []const bool) bool {
    const rel = path["src/".len..];
    var listed = false;
    for (commands, 0..) |c, i| {
        for (c.srcs) |s| {
            const hit = if (std.mem.endsWith(u8, s, "/"))
                std.mem.startsWith(u8, rel, s)
            else if (std.mem.indexOfScalar(u8, s, '/') != null)
                std.mem.eql(u8, rel, s)
            else
                std.mem.eql(u8, std.fs.path.basename(rel), s);
            if (!hit) continue;
            if (on[i]) return true;
            listed = true;
        }
    }
    return !listed;
}

/// main()'s command table (cli/commands.h): the chosen commands, and the
/// names of those left out so that main() can say so.
fn commandTable(b: *std.Build, on: []const bool, label: []const u8) std.Build.LazyPath {
    var text: std.ArrayList(u8) = .empty;
    const w = text.writer(b.allocator);
    w.writeAll("/* generated by build.zig from its command table and -Dcommands */\n#include \"cli/commands.h\"\n\nconst struct qv_command qv_commands[] = {\n") catch @panic("OOM");
    for (commands, 0..) |c, i| {
        if (on[i]) w.print("\t{{\"{s}\", cmd_{s}, \"{s}\"}},\n", .{ c.name, c.name, c.summary }) catch @panic("OOM");
    }
    w.writeAll("\t{0, 0, 0},\n};\n\nconst char qv_commands_left_out[] = \"") catch @panic("OOM");
    var first = true;
    for (commands, 0..) |c, i| {
        if (on[i]) continue;
        w.print("{s}{s}", .{ if (first) "" else " ", c.name }) catch @panic("OOM");
        first = false;
    }
    w.writeAll("\";\n") catch @panic("OOM");
    const wf = b.addWriteFiles();
    return wf.add(b.fmt("commands-{s}.c", .{label}), text.items);
}

/// src/libc/ holds quiver's replacements for parts of musl (printf): they
/// go into the quiver executable of a musl target only (addQuiver), never
/// into the unit tests (which compare them with the C library's own) or the
/// glibc sanitizer builds.
fn withoutLibc(b: *std.Build, files: []const []const u8) []const []const u8 {
    var list: std.ArrayList([]const u8) = .empty;
    for (files) |f| {
        if (!std.mem.startsWith(u8, f, "src/libc/")) list.append(b.allocator, f) catch @panic("OOM");
    }
    return list.items;
}

/// Every .c file under dir (relative to the build root), sorted, minus the
/// basenames in exclude.  A missing dir gives an empty list.
fn listC(b: *std.Build, dir: []const u8, exclude: []const []const u8) []const []const u8 {
    var list: std.ArrayList([]const u8) = .empty;
    var d = b.build_root.handle.openDir(dir, .{ .iterate = true }) catch return &.{};
    defer d.close();
    var walker = d.walk(b.allocator) catch @panic("OOM");
    defer walker.deinit();
    outer: while (walker.next() catch |e| std.debug.panic("walking {s}: {s}", .{ dir, @errorName(e) })) |entry| {
        if (entry.kind != .file or !std.mem.endsWith(u8, entry.path, ".c")) continue;
        for (exclude) |ex| {
            if (std.mem.eql(u8, entry.path, ex)) continue :outer;
        }
        list.append(b.allocator, b.fmt("{s}/{s}", .{ dir, entry.path })) catch @panic("OOM");
    }
    std.mem.sort([]const u8, list.items, {}, lessThan);
    return list.items;
}

fn lessThan(_: void, a: []const u8, b: []const u8) bool {
    return std.mem.lessThan(u8, a, b);
}

fn suiteNames(b: *std.Build) []const []const u8 {
    var names: std.ArrayList([]const u8) = .empty;
    for (listC(b, "tests/unit", &.{})) |path| {
        const base = std.fs.path.basename(path);
        if (!std.mem.startsWith(u8, base, "test_")) continue;
        names.append(b.allocator, base[5 .. base.len - 2]) catch @panic("OOM");
    }
    return names.items;
}

fn bearsslVersion(b: *std.Build) []const u8 {
    const text = b.build_root.handle.readFileAlloc(b.allocator, "third_party/bearssl/VERSION", 64) catch
        return "missing";
    return std.mem.trim(u8, text, " \r\n\t");
}

fn tripleOf(b: *std.Build, target: std.Build.ResolvedTarget) []const u8 {
    const t = target.result;
    return b.fmt("{s}-{s}-{s}", .{ @tagName(t.cpu.arch), @tagName(t.os.tag), @tagName(t.abi) });
}

fn addBearSSL(ctx: Ctx, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode) *std.Build.Step.Compile {
    const b = ctx.b;
    if (ctx.bearssl_files.len == 0) {
        std.debug.print(
            \\error: BearSSL source is missing (third_party/bearssl/src).
            \\  Run ./zigw (it fetches it) or: sh third_party/fetch-bearssl.sh
            \\
        , .{});
        std.process.exit(1);
    }
    const mod = b.createModule(.{
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        // BearSSL is constant-time C with intentional unsigned wraparound; it is
        // not instrumented (our own code is).
        .sanitize_c = .off,
        .unwind_tables = if (optimize == .ReleaseSmall) .none else null,
        .omit_frame_pointer = if (optimize == .ReleaseSmall) true else null,
    });
    mod.addIncludePath(b.path("third_party/bearssl/inc"));
    mod.addIncludePath(b.path("third_party/bearssl/src"));
    mod.addCSourceFiles(.{ .files = ctx.bearssl_files, .flags = sizeFlags(&bearssl_cflags, optimize) });
    const lib = b.addLibrary(.{ .name = "bearssl", .linkage = .static, .root_module = mod });
    if (sizeLto(target, optimize)) lib.lto = .full;
    return lib;
}

/// ReleaseSmall is the size build (`zig build size`, DESIGN §6 budget): clang's
/// -Oz over the -Os Zig passes, no unwind tables (C never unwinds; .eh_frame
/// was ~36 KiB of the x86_64 binary), no frame pointers, and full LTO.  Other
/// modes are untouched.
fn sizeFlags(comptime base: []const []const u8, optimize: std.builtin.OptimizeMode) []const []const u8 {
    return if (optimize == .ReleaseSmall) base ++ &[_][]const u8{"-Oz"} else base;
}

/// LTO for the size build, except on riscv64: ld.lld 20 fails to merge the
/// 'target-abi' module flag of Zig's objects with clang's there.
fn sizeLto(target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode) bool {
    return optimize == .ReleaseSmall and target.result.cpu.arch != .riscv64;
}

fn quiverModule(ctx: Ctx, set: Set, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode, bearssl: *std.Build.Step.Compile, strip: ?bool, sanitize: ?std.zig.SanitizeC) *std.Build.Module {
    const b = ctx.b;
    const mod = b.createModule(.{
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .strip = strip,
        .sanitize_c = sanitize,
        .unwind_tables = if (optimize == .ReleaseSmall) .none else null,
        .omit_frame_pointer = if (optimize == .ReleaseSmall) true else null,
    });
    mod.addIncludePath(b.path("src"));
    // A system include path: our warning set is not imposed on BearSSL's headers.
    mod.addSystemIncludePath(b.path("third_party/bearssl/inc"));
    mod.addCMacro("QV_TARGET", b.fmt("\"{s}\"", .{tripleOf(b, target)}));
    mod.addCMacro("QV_BEARSSL_VERSION", b.fmt("\"{s}\"", .{ctx.bearssl_version}));
    mod.addCSourceFiles(.{ .files = set.src_files, .flags = sizeFlags(&quiver_cflags, optimize) });
    mod.linkLibrary(bearssl);
    return mod;
}

/// quiver with the commands of set.  strip: no symbols (ReleaseSmall strips
/// by default; the size step's symbol report wants them kept).
fn addQuiver(ctx: Ctx, set: Set, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode, bearssl: *std.Build.Step.Compile, strip: ?bool) *std.Build.Step.Compile {
    const b = ctx.b;
    const mod = quiverModule(ctx, set, target, optimize, bearssl, strip, null);
    mod.addCSourceFiles(.{ .files = &.{"src/main.c"}, .flags = sizeFlags(&quiver_cflags, optimize) });
    mod.addCSourceFile(.{ .file = set.table, .flags = sizeFlags(&quiver_cflags, optimize) });
    if (target.result.abi.isMusl()) mod.addCSourceFiles(.{ .files = listC(b, "src/libc", &.{}), .flags = sizeFlags(&quiver_cflags, optimize) });
    const exe = b.addExecutable(.{ .name = "quiver", .root_module = mod, .linkage = staticIfMusl(target) });
    exe.link_gc_sections = true;
    if (target.result.cpu.arch.isMIPS()) exe.setLinkerScript(b.path("tools/mips-nopdr.ld"));
    if (sizeLto(target, optimize)) exe.lto = .full;
    return exe;
}

fn staticIfMusl(target: std.Build.ResolvedTarget) ?std.builtin.LinkMode {
    return if (target.result.abi.isMusl()) .static else null;
}

/// The generated table of test suites: one entry per tests/unit/test_NAME.c.
fn suitesSource(ctx: Ctx) std.Build.LazyPath {
    const b = ctx.b;
    var text: std.ArrayList(u8) = .empty;
    const w = text.writer(b.allocator);
    w.writeAll("/* generated by build.zig from tests/unit/test_*.c */\n#include \"tq.h\"\n") catch @panic("OOM");
    for (ctx.suite_names) |n| w.print("void suite_{s}(struct tq *t);\n", .{n}) catch @panic("OOM");
    w.writeAll("const struct tq_suite tq_suites[] = {\n") catch @panic("OOM");
    for (ctx.suite_names) |n| w.print("\t{{\"{s}\", suite_{s}}},\n", .{ n, n }) catch @panic("OOM");
    w.print("\t{{0, 0}}\n}};\nconst size_t tq_suites_count = {d};\n", .{ctx.suite_names.len}) catch @panic("OOM");
    const wf = b.addWriteFiles();
    return wf.add("suites.c", text.items);
}

fn addUnit(ctx: Ctx, name: []const u8, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode, bearssl: *std.Build.Step.Compile, sanitize: ?std.zig.SanitizeC) *std.Build.Step.Compile {
    const b = ctx.b;
    const mod = quiverModule(ctx, ctx.full, target, optimize, bearssl, null, sanitize);
    mod.addIncludePath(b.path("tests/unit"));
    mod.addCSourceFiles(.{ .files = ctx.unit_files, .flags = &quiver_cflags });
    mod.addCSourceFile(.{ .file = suitesSource(ctx), .flags = &quiver_cflags });
    return b.addExecutable(.{ .name = name, .root_module = mod, .linkage = staticIfMusl(target) });
}

/// The big-endian targets whose binaries the end-to-end integration test
/// (tests/integration/test_bigendian.py) runs under qemu-user.
const big_endian = [_][]const u8{ "mips-linux-musleabi", "s390x-linux-musl" };

/// `zig build test`: unit tests (native, UBSan, and ASan+UBSan and TSan when
/// clang can build them), then the integration tests with the release binary,
/// the lean build (`get` only, against the full build's server) and
/// quiver-asan; the big-endian end-to-end cases with the mips and s390x
/// binaries under qemu-user.  tests/run.sh runs them all and prints the
/// closing `N passed, N failed[, N skipped]` line over everything; a pass
/// that cannot run here is one `--skip` line naming what enables it.
fn addTestStep(ctx: Ctx, target: std.Build.ResolvedTarget, exe: *std.Build.Step.Compile, san: ClangSan) void {
    const b = ctx.b;
    const bearssl_dbg = addBearSSL(ctx, target, .Debug);
    const unit = addUnit(ctx, "quiver-unit", target, .ReleaseSafe, bearssl_dbg, null);
    const unit_ubsan = addUnit(ctx, "quiver-unit-ubsan", target, .Debug, bearssl_dbg, .full);

    const run = scriptStep(b, &.{ "bash", "tests/run.sh" });
    run.addArg("--unit=native");
    run.addArtifactArg(unit);
    run.addArg("--unit=ubsan");
    run.addArtifactArg(unit_ubsan);
    if (san.asan.ok) {
        const asan = san.variant("asan", &asan_flags);
        run.addArg("--unit=asan+ubsan");
        run.addFileArg(san.unit(asan, "quiver-unit-asan"));
        // quiver with ASan+UBSan and the fault hooks, for the integration
        // tests (tests/integration/qvtest.py: ctx.asan); installed beside
        // quiver by this step only, for debugging by hand.
        const bin = san.binary(asan, "quiver-asan");
        run.step.dependOn(&b.addInstallBinFile(bin, "quiver-asan").step);
        run.addArg("--quiver-asan");
        run.addFileArg(bin);
    } else {
        run.addArg(b.fmt("--skip-unit=|asan+ubsan unit tests: {s}", .{san.asan.line()}));
        run.addArg(b.fmt("--skip-integration=asan+ubsan integration tests: {s}", .{san.asan.line()}));
    }
    // TSan for the threads engine (DESIGN §6); only the engine suites run in
    // it, the rest of the unit tests is single-threaded and slow under TSan.
    if (san.tsan.ok) {
        run.addArg("--unit=tsan:engine/");
        run.addFileArg(san.unit(san.variant("tsan", &.{"-fsanitize=thread"}), "quiver-unit-tsan"));
    } else {
        run.addArg(b.fmt("--skip-unit=engine/|tsan engine tests: {s}", .{san.tsan.line()}));
    }
    run.addArg("--quiver");
    run.addArtifactArg(exe);
    run.addArg(b.fmt("--commands={s}", .{std.mem.join(b.allocator, ",", ctx.chosen.names) catch @panic("OOM")}));
    // The lean build (-Dcommands=lean) with its own integration pass; the
    // full build serves it (ctx.serve), since it has no `serve`.
    const full_exe = if (ctx.chosen.names.len == commands.len) exe else addQuiver(ctx, ctx.full, target, .ReleaseSafe, addBearSSL(ctx, target, .ReleaseSafe), null);
    run.addArg("--server");
    run.addArtifactArg(full_exe);
    if (ctx.chosen.names.len == commands.len) {
        run.addArg(b.fmt("--quiver-lean={s}", .{std.mem.join(b.allocator, ",", ctx.lean.names) catch @panic("OOM")}));
        run.addArtifactArg(addQuiver(ctx, ctx.lean, target, .ReleaseSafe, addBearSSL(ctx, target, .ReleaseSafe), null));
    }
    // Big-endian end to end: the mips and s390x binaries under qemu-user.
    for (big_endian) |triple| {
        const qemu = qemuOf(triple);
        if (b.findProgram(&.{qemu}, &.{})) |path| {
            const t = crossTarget(b, triple);
            run.addArg(b.fmt("--cross={s}={s}", .{ triple, path }));
            run.addArtifactArg(addQuiver(ctx, ctx.full, t, .ReleaseSafe, addBearSSL(ctx, t, .ReleaseSafe), null));
        } else |_| {
            run.addArg(b.fmt("--cross-missing={s}=qemu-user not installed, no {s} (apt-get install qemu-user-static)", .{ triple, "qemu-*-static" }));
        }
    }
    if (b.args) |args| run.addArgs(args);
    b.step("test", "Run all tests (unit, sanitizers, integration; what cannot run here is skipped)").dependOn(&run.step);
}

fn qemuOf(triple: []const u8) []const u8 {
    for (cross_targets) |ct| {
        if (std.mem.eql(u8, ct.triple, triple)) return ct.qemu;
    }
    unreachable;
}

const asan_flags = [_][]const u8{ "-fsanitize=address,undefined", "-fno-sanitize-recover=all" };

/// Whether clang can build one sanitizer pass here, and if not why and what
/// enables it.
const Probe = struct {
    ok: bool,
    why: []const u8 = "",
    enable: []const u8 = "",

    fn line(p: Probe) []const u8 {
        return std.fmt.allocPrint(std.heap.page_allocator, "{s}; enable: {s}", .{ p.why, p.enable }) catch @panic("OOM");
    }
};

/// The sanitizer builds.  ASan and TSan need runtimes Zig does not ship, so
/// Debian's clang (with glibc) compiles our code; BearSSL is a Zig build for the
/// gnu ABI, uninstrumented like everywhere else.  One clang run per file (its
/// headers tracked through a depfile) so an edit recompiles one object, not
/// all of src/; the ASan objects of src/ serve both ASan executables.
///
/// Clang without its sanitizer runtimes is a common install (Debian's clang
/// does not pull in libclang-rt-N-dev), so each pass is probed first, as a
/// configure script would: can clang compile and link a program with it?
const ClangSan = struct {
    ctx: Ctx,
    clang: []const []const u8, // argv prefix: the compiler and its own flags
    asan: Probe,
    tsan: Probe,
    bearssl: ?*std.Build.Step.Compile,

    /// One sanitizer variant: tag ends QV_TARGET (x86_64-linux-gnu-TAG) so
    /// --version names it; src holds the objects of src/ except main.c.
    const Variant = struct {
        tag: []const u8,
        flags: []const []const u8,
        src: []const std.Build.LazyPath,
    };

    /// option: -Dclang (a command, split at spaces), else the first clang on PATH.
    fn init(ctx: Ctx, option: ?[]const u8) ClangSan {
        const b = ctx.b;
        const builtin = @import("builtin");
        var s = ClangSan{ .ctx = ctx, .clang = &.{}, .asan = .{ .ok = false }, .tsan = .{ .ok = false }, .bearssl = null };
        if (builtin.os.tag != .linux or builtin.cpu.arch != .x86_64) {
            const no: Probe = .{ .ok = false, .why = "the sanitizer builds need an x86_64 Linux host", .enable = "run them on one" };
            s.asan = no;
            s.tsan = no;
            return s;
        }
        var argv: std.ArrayList([]const u8) = .empty;
        if (option) |cmd| {
            var it = std.mem.tokenizeScalar(u8, cmd, ' ');
            while (it.next()) |word| argv.append(b.allocator, word) catch @panic("OOM");
        } else if (b.findProgram(&.{ "clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14" }, &.{})) |path| {
            argv.append(b.allocator, path) catch @panic("OOM");
        } else |_| {}
        if (argv.items.len == 0) {
            const no: Probe = .{ .ok = false, .why = "clang not found", .enable = "apt-get install clang libclang-rt-dev" };
            s.asan = no;
            s.tsan = no;
            return s;
        }
        s.clang = argv.items;
        // The two probes run at once: ~0.2 s for both.
        var probes = [2]Probe{ .{ .ok = false }, .{ .ok = false } };
        const flags = [2][]const []const u8{ &asan_flags, &.{"-fsanitize=thread"} };
        var threads: [2]?std.Thread = .{ null, null };
        for (0..2) |i| {
            threads[i] = std.Thread.spawn(.{}, probe, .{ b, s.clang, flags[i], &probes[i] }) catch null;
            if (threads[i] == null) probe(b, s.clang, flags[i], &probes[i]);
        }
        for (threads) |t| if (t) |th| th.join();
        s.asan = probes[0];
        s.tsan = probes[1];
        if (s.asan.ok or s.tsan.ok) {
            const gnu = b.resolveTargetQuery(.{ .cpu_arch = .x86_64, .os_tag = .linux, .abi = .gnu });
            const bearssl = addBearSSL(ctx, gnu, .ReleaseFast);
            bearssl.bundle_compiler_rt = true;
            s.bearssl = bearssl;
        }
        return s;
    }

    /// Compile and link a program that includes the sanitizer interface
    /// header (tests/fault/hooks.c does) with flags; out.ok when it works,
    /// else out.why has clang's first error line and out.enable the package.
    fn probe(b: *std.Build, clang: []const []const u8, flags: []const []const u8, out: *Probe) void {
        const a = std.heap.page_allocator;
        // one folder per probe run: two `zig build` at once must not
        // compile each other's half-written probe
        const dir = b.cache_root.join(a, &.{ "qv-probe", b.fmt("{x}", .{std.crypto.random.int(u64)}) }) catch @panic("OOM");
        std.fs.cwd().makePath(dir) catch {};
        defer std.fs.cwd().deleteTree(dir) catch {};
        const tag = if (std.mem.indexOf(u8, flags[0], "thread") != null) "tsan" else "asan";
        const src = std.fs.path.join(a, &.{ dir, b.fmt("{s}.c", .{tag}) }) catch @panic("OOM");
        std.fs.cwd().writeFile(.{ .sub_path = src, .data = "#include <sanitizer/common_interface_defs.h>\nint main(void) { return 0; }\n" }) catch {};
        var argv: std.ArrayList([]const u8) = .empty;
        argv.appendSlice(a, clang) catch @panic("OOM");
        argv.appendSlice(a, flags) catch @panic("OOM");
        argv.appendSlice(a, &.{ src, "-o", std.fs.path.join(a, &.{ dir, tag }) catch @panic("OOM") }) catch @panic("OOM");
        const what = b.fmt("{s} cannot build -fsanitize={s}", .{ std.fs.path.basename(clang[0]), if (std.mem.eql(u8, tag, "tsan")) "thread" else "address" });
        const res = std.process.Child.run(.{ .allocator = a, .argv = argv.items }) catch |e| {
            out.* = .{ .ok = false, .why = b.fmt("{s}: {s}", .{ what, @errorName(e) }), .enable = "apt-get install clang libclang-rt-dev" };
            return;
        };
        if (res.term == .Exited and res.term.Exited == 0) {
            out.* = .{ .ok = true };
            return;
        }
        // clang's first error line, and the runtime package for its version
        // (the line naming what is missing, else the first error line)
        var first: []const u8 = "";
        var lines = std.mem.tokenizeScalar(u8, res.stderr, '\n');
        while (lines.next()) |l| {
            const missing = std.mem.indexOf(u8, l, "cannot find") != null or std.mem.indexOf(u8, l, "not found") != null;
            if (missing or (first.len == 0 and std.mem.indexOf(u8, l, "error") != null)) first = std.mem.trim(u8, l, " \t");
            if (missing) break;
        }
        var pkg: []const u8 = "libclang-rt-dev";
        if (std.process.Child.run(.{ .allocator = a, .argv = &.{ clang[0], "-dumpversion" } })) |v| {
            const ver = std.mem.trim(u8, v.stdout, " \n");
            const major = ver[0 .. std.mem.indexOfScalar(u8, ver, '.') orelse ver.len];
            if (major.len > 0) pkg = b.fmt("libclang-rt-{s}-dev", .{major});
        } else |_| {}
        out.* = .{ .ok = false, .why = if (first.len > 0) b.fmt("{s} ({s})", .{ what, first }) else what, .enable = b.fmt("apt-get install {s}", .{pkg}) };
    }

    fn variant(s: ClangSan, tag: []const u8, flags: []const []const u8) Variant {
        const b = s.ctx.b;
        var objs: std.ArrayList(std.Build.LazyPath) = .empty;
        for (s.ctx.full.src_files) |f| objs.append(b.allocator, s.compile(tag, flags, b.path(f), f, false)) catch @panic("OOM");
        return .{ .tag = tag, .flags = flags, .src = objs.items };
    }

    /// name only labels the step and names the object.
    fn compile(s: ClangSan, tag: []const u8, flags: []const []const u8, file: std.Build.LazyPath, name: []const u8, unit_inc: bool) std.Build.LazyPath {
        const b = s.ctx.b;
        const cc = b.addSystemCommand(s.clang);
        cc.setName(b.fmt("clang {s} {s}", .{ tag, name }));
        cc.addArgs(&quiver_cflags);
        cc.addArgs(&.{ "-g", "-O1", "-fno-omit-frame-pointer" });
        cc.addArgs(flags);
        cc.addArgs(&.{ b.fmt("-DQV_TARGET=\"x86_64-linux-gnu-{s}\"", .{tag}), b.fmt("-DQV_BEARSSL_VERSION=\"{s}\"", .{s.ctx.bearssl_version}) });
        cc.addPrefixedDirectoryArg("-I", b.path("src"));
        if (unit_inc) cc.addPrefixedDirectoryArg("-I", b.path("tests/unit"));
        cc.addPrefixedDirectoryArg("-isystem", b.path("third_party/bearssl/inc"));
        cc.addArg("-MD");
        _ = cc.addPrefixedDepFileOutputArg("-MF", "obj.d");
        cc.addArg("-c");
        cc.addFileArg(file);
        cc.addArg("-o");
        return cc.addOutputFileArg(b.fmt("{s}.o", .{std.fs.path.stem(name)}));
    }

    /// The unit-test executable of variant v: src/ plus tests/unit/.
    fn unit(s: ClangSan, v: Variant, name: []const u8) std.Build.LazyPath {
        const b = s.ctx.b;
        var objs: std.ArrayList(std.Build.LazyPath) = .empty;
        objs.appendSlice(b.allocator, v.src) catch @panic("OOM");
        for (s.ctx.unit_files) |f| objs.append(b.allocator, s.compile(v.tag, v.flags, b.path(f), f, true)) catch @panic("OOM");
        objs.append(b.allocator, s.compile(v.tag, v.flags, suitesSource(s.ctx), "suites.c", true)) catch @panic("OOM");
        return s.link(v, name, objs.items, &.{});
    }

    /// quiver itself in variant v, plus the test-only fault hooks of
    /// tests/fault/ wrapped around the allocator and the resolver (issue 7).
    fn binary(s: ClangSan, v: Variant, name: []const u8) std.Build.LazyPath {
        const b = s.ctx.b;
        var objs: std.ArrayList(std.Build.LazyPath) = .empty;
        objs.appendSlice(b.allocator, v.src) catch @panic("OOM");
        objs.append(b.allocator, s.compile(v.tag, v.flags, b.path("src/main.c"), "src/main.c", false)) catch @panic("OOM");
        objs.append(b.allocator, s.compile(v.tag, v.flags, s.ctx.full.table, "commands.c", false)) catch @panic("OOM");
        for (listC(b, "tests/fault", &.{})) |f| objs.append(b.allocator, s.compile(v.tag, v.flags, b.path(f), f, false)) catch @panic("OOM");
        return s.link(v, name, objs.items, &.{"-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=getaddrinfo"});
    }

    fn link(s: ClangSan, v: Variant, name: []const u8, objs: []const std.Build.LazyPath, ldflags: []const []const u8) std.Build.LazyPath {
        const b = s.ctx.b;
        const cc = b.addSystemCommand(s.clang);
        cc.setName(b.fmt("clang link {s}", .{name}));
        cc.addArgs(v.flags);
        cc.addArgs(ldflags);
        for (objs) |o| cc.addFileArg(o);
        cc.addArtifactArg(s.bearssl.?);
        cc.addArgs(&.{ "-lpthread", "-o" });
        return cc.addOutputFileArg(name);
    }
};

/// A bash script run as a step: its output goes straight to the terminal and
/// it runs every time (it measures or checks; nothing to cache).
fn scriptStep(b: *std.Build, argv: []const []const u8) *std.Build.Step.Run {
    const run = b.addSystemCommand(argv);
    run.stdio = .inherit;
    run.has_side_effects = true;
    return run;
}

fn crossTarget(b: *std.Build, triple: []const u8) std.Build.ResolvedTarget {
    const q = std.Target.Query.parse(.{ .arch_os_abi = triple }) catch unreachable;
    return b.resolveTargetQuery(q);
}

fn addCheckStep(b: *std.Build) void {
    const run = scriptStep(b, &.{ "bash", "tests/check.sh" });
    b.step("check", "Static analysis (cppcheck, clang analyzer): zero findings").dependOn(&run.step);
}

fn addCrossStep(ctx: Ctx) void {
    const b = ctx.b;
    const run = scriptStep(b, &.{ "bash", "tests/cross.sh" });
    for (cross_targets) |ct| {
        const t = crossTarget(b, ct.triple);
        const bearssl = addBearSSL(ctx, t, .ReleaseSafe);
        const exe = addQuiver(ctx, ctx.full, t, .ReleaseSafe, bearssl, null);
        const unit = addUnit(ctx, "quiver-unit", t, .ReleaseSafe, bearssl, null);
        run.addArg(ct.triple);
        run.addArg(if (ct.qemu.len == 0) "-" else ct.qemu);
        run.addArtifactArg(exe);
        run.addArtifactArg(unit);
    }
    b.step("cross", "Build all nine targets; run their unit tests (qemu-user for non-native)").dependOn(&run.step);
}

/// Size budgets in KiB (DESIGN §6): stripped, static, ReleaseSmall.  0: the
/// size is reported, not gated.  A ceiling (KiB) is where a binary stands
/// while it is over its budget: the step fails past the ceiling, so nothing
/// grows while the bytes are being found, and the table keeps showing how far
/// the budget is.  Lower a ceiling whenever bytes are found; drop it (0) once
/// the budget is met.  Set at 47d73bb (size work merged), raised once by the
/// wget mode of issue 18 (+8.2 KiB full, +8.9 lean on x86_64; +9.9/+11.5 on
/// mips), which DESIGN §10 puts in the lean build.
const Budget = struct { triple: []const u8, full: u32, full_ceiling: u32 = 0, lean: u32, lean_ceiling: u32 = 0 };
const budgets = [_]Budget{
    .{ .triple = "x86_64-linux-musl", .full = 300, .full_ceiling = 332, .lean = 200, .lean_ceiling = 262 },
    .{ .triple = "aarch64-linux-musl", .full = 300, .full_ceiling = 312, .lean = 0 },
    .{ .triple = "thumb-linux-musleabihf", .full = 300, .lean = 0 },
    .{ .triple = "riscv64-linux-musl", .full = 300, .full_ceiling = 304, .lean = 0 },
    .{ .triple = "x86-linux-musl", .full = 300, .full_ceiling = 325, .lean = 0 },
    .{ .triple = "mips-linux-musleabi", .full = 300, .full_ceiling = 416, .lean = 200, .lean_ceiling = 332 },
    .{ .triple = "mipsel-linux-musleabi", .full = 300, .full_ceiling = 416, .lean = 0 },
    .{ .triple = "powerpc64le-linux-musl", .full = 0, .lean = 0 },
    .{ .triple = "s390x-linux-musl", .full = 0, .lean = 0 },
};

fn addSizeStep(ctx: Ctx) void {
    const b = ctx.b;
    const run = scriptStep(b, &.{ "bash", "tests/size.sh" });
    for (budgets) |bg| {
        const t = crossTarget(b, bg.triple);
        const bearssl = addBearSSL(ctx, t, .ReleaseSmall);
        run.addArg(bg.triple);
        run.addArg(b.fmt("{d}", .{bg.full}));
        run.addArg(b.fmt("{d}", .{bg.full_ceiling}));
        run.addArtifactArg(addQuiver(ctx, ctx.full, t, .ReleaseSmall, bearssl, true));
        run.addArg(b.fmt("{d}", .{bg.lean}));
        run.addArg(b.fmt("{d}", .{bg.lean_ceiling}));
        run.addArtifactArg(addQuiver(ctx, ctx.lean, t, .ReleaseSmall, bearssl, true));
    }
    b.step("size", "Stripped ReleaseSmall size per target, full and lean build; fails over budget (or past a ceiling)").dependOn(&run.step);
}

/// `zig build fuzz -Dseconds=N`: tests/fuzz/run.sh builds the libFuzzer
/// targets with the system clang (Zig ships no libFuzzer runtime) and runs
/// each for N seconds (default 30); any crash fails the step.  The script
/// probes -fsanitize=fuzzer itself (only this step needs it).
fn addFuzzStep(b: *std.Build, san: ClangSan) void {
    const seconds = b.option(u32, "seconds", "Seconds per target for the fuzz step (default 30)") orelse 30;
    const run = scriptStep(b, &.{ "bash", "tests/fuzz/run.sh", b.fmt("{d}", .{seconds}) });
    if (san.clang.len > 0) run.setEnvironmentVariable("QV_CLANG", std.mem.join(b.allocator, " ", san.clang) catch @panic("OOM"));
    b.step("fuzz", "Run each libFuzzer target of tests/fuzz for -Dseconds=N (default 30)").dependOn(&run.step);
}
