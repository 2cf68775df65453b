// build.zig - builds quiver (a static C binary) and BearSSL from source with the
// pinned Zig (see third_party/zig-requirements.txt; run through ./zigw).
//
// Steps: install (default; also zig-out/bin/quiver-asan when clang is present),
// run, demo, test, check, fuzz, cross, size.
// Sources are discovered by walking src/, tests/unit/ and tests/fault/, so
// adding a file needs no edit here.
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
    .{ .triple = "arm-linux-musleabihf", .qemu = "qemu-arm-static" },
    .{ .triple = "riscv64-linux-musl", .qemu = "qemu-riscv64-static" },
    .{ .triple = "x86-linux-musl", .qemu = "qemu-i386-static" },
    .{ .triple = "mips-linux-musleabi", .qemu = "qemu-mips-static" },
    .{ .triple = "mipsel-linux-musleabi", .qemu = "qemu-mipsel-static" },
    .{ .triple = "powerpc64le-linux-musl", .qemu = "qemu-ppc64le-static" },
    .{ .triple = "s390x-linux-musl", .qemu = "qemu-s390x-static" },
};

const Ctx = struct {
    b: *std.Build,
    src_files: []const []const u8, // src/**/*.c except src/main.c
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

    const ctx = Ctx{
        .b = b,
        .src_files = listC(b, "src", &.{"main.c"}),
        .unit_files = listC(b, "tests/unit", &.{}),
        .suite_names = suiteNames(b),
        .bearssl_files = listC(b, "third_party/bearssl/src", &.{}),
        .bearssl_version = bearsslVersion(b),
    };

    const bearssl = addBearSSL(ctx, target, optimize);
    const exe = addQuiver(ctx, target, optimize, bearssl, false);
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

    // quiver with ASan+UBSan and the fault hooks, for the integration tests
    // (tests/integration/qvtest.py: ctx.asan) and for debugging by hand.
    const san = ClangSan.init(ctx);
    const asan: ?ClangSan.Variant = if (san) |s| s.variant("asan", &asan_flags) else null;
    const quiver_asan: ?std.Build.LazyPath = if (san) |s| s.binary(asan.?, "quiver-asan") else null;
    if (quiver_asan) |bin| b.getInstallStep().dependOn(&b.addInstallBinFile(bin, "quiver-asan").step);

    addTestStep(ctx, target, exe, san, asan, quiver_asan);
    addCheckStep(b);
    addCrossStep(ctx);
    addSizeStep(ctx);
    addFuzzStep(b);
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

fn quiverModule(ctx: Ctx, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode, bearssl: *std.Build.Step.Compile, strip: bool, sanitize: ?std.zig.SanitizeC) *std.Build.Module {
    const b = ctx.b;
    const mod = b.createModule(.{
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .strip = if (strip) true else null,
        .sanitize_c = sanitize,
        .unwind_tables = if (optimize == .ReleaseSmall) .none else null,
        .omit_frame_pointer = if (optimize == .ReleaseSmall) true else null,
    });
    mod.addIncludePath(b.path("src"));
    // A system include path: our warning set is not imposed on BearSSL's headers.
    mod.addSystemIncludePath(b.path("third_party/bearssl/inc"));
    mod.addCMacro("QV_TARGET", b.fmt("\"{s}\"", .{tripleOf(b, target)}));
    mod.addCMacro("QV_BEARSSL_VERSION", b.fmt("\"{s}\"", .{ctx.bearssl_version}));
    mod.addCSourceFiles(.{ .files = ctx.src_files, .flags = sizeFlags(&quiver_cflags, optimize) });
    mod.linkLibrary(bearssl);
    return mod;
}

fn addQuiver(ctx: Ctx, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode, bearssl: *std.Build.Step.Compile, strip: bool) *std.Build.Step.Compile {
    const b = ctx.b;
    const mod = quiverModule(ctx, target, optimize, bearssl, strip, null);
    mod.addCSourceFiles(.{ .files = &.{"src/main.c"}, .flags = sizeFlags(&quiver_cflags, optimize) });
    const exe = b.addExecutable(.{ .name = "quiver", .root_module = mod, .linkage = staticIfMusl(target) });
    exe.link_gc_sections = true;
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
    const mod = quiverModule(ctx, target, optimize, bearssl, false, sanitize);
    mod.addIncludePath(b.path("tests/unit"));
    mod.addCSourceFiles(.{ .files = ctx.unit_files, .flags = &quiver_cflags });
    mod.addCSourceFile(.{ .file = suitesSource(ctx), .flags = &quiver_cflags });
    return b.addExecutable(.{ .name = name, .root_module = mod, .linkage = staticIfMusl(target) });
}

/// `zig build test`: unit tests (native, UBSan, and ASan+UBSan with clang when
/// present), then the integration tests with the release binary and again with
/// quiver-asan; tests/run.sh runs them all and prints the closing
/// `N passed, N failed` line over everything.
fn addTestStep(ctx: Ctx, target: std.Build.ResolvedTarget, exe: *std.Build.Step.Compile, san: ?ClangSan, asan: ?ClangSan.Variant, quiver_asan: ?std.Build.LazyPath) void {
    const b = ctx.b;
    const bearssl_dbg = addBearSSL(ctx, target, .Debug);
    const unit = addUnit(ctx, "quiver-unit", target, .ReleaseSafe, bearssl_dbg, null);
    const unit_ubsan = addUnit(ctx, "quiver-unit-ubsan", target, .Debug, bearssl_dbg, .full);

    const run = scriptStep(b, &.{ "bash", "tests/run.sh" });
    run.addArg("--unit=native");
    run.addArtifactArg(unit);
    run.addArg("--unit=ubsan");
    run.addArtifactArg(unit_ubsan);
    if (san) |s| {
        run.addArg("--unit=asan+ubsan");
        run.addFileArg(s.unit(asan.?, "quiver-unit-asan"));
        // TSan for the threads engine (DESIGN §6); only the engine suites run
        // in it, the rest of the unit tests is single-threaded and slow under TSan.
        run.addArg("--unit=tsan:engine/");
        run.addFileArg(s.unit(s.variant("tsan", &.{"-fsanitize=thread"}), "quiver-unit-tsan"));
    } else {
        run.addArg("--skip=asan+ubsan unit tests (clang not found)");
        run.addArg("--skip=tsan engine tests (clang not found)");
    }
    run.addArg("--quiver");
    run.addArtifactArg(exe);
    if (quiver_asan) |bin| {
        run.addArg("--quiver-asan");
        run.addFileArg(bin);
    } else {
        run.addArg("--skip=asan+ubsan integration tests (clang not found)");
    }
    if (b.args) |args| run.addArgs(args);
    b.step("test", "Run all tests (unit, sanitizers, integration)").dependOn(&run.step);
}

const asan_flags = [_][]const u8{ "-fsanitize=address,undefined", "-fno-sanitize-recover=all" };

/// The sanitizer builds.  ASan and TSan need runtimes Zig does not ship, so
/// Debian's clang (with glibc) compiles our code; BearSSL is a Zig build for the
/// gnu ABI, uninstrumented like everywhere else.  One clang run per file (its
/// headers tracked through a depfile) so an edit recompiles one object, not
/// all of src/; the ASan objects of src/ serve both ASan executables.
const ClangSan = struct {
    ctx: Ctx,
    clang: []const u8,
    bearssl: *std.Build.Step.Compile,

    /// One sanitizer variant: tag ends QV_TARGET (x86_64-linux-gnu-TAG) so
    /// --version names it; src holds the objects of src/ except main.c.
    const Variant = struct {
        tag: []const u8,
        flags: []const []const u8,
        src: []const std.Build.LazyPath,
    };

    /// null when clang is missing or the host is not x86_64 Linux.
    fn init(ctx: Ctx) ?ClangSan {
        const b = ctx.b;
        const builtin = @import("builtin");
        if (builtin.os.tag != .linux or builtin.cpu.arch != .x86_64) return null;
        const clang = b.findProgram(&.{ "clang", "clang-16", "clang-15", "clang-14" }, &.{}) catch return null;
        const gnu = b.resolveTargetQuery(.{ .cpu_arch = .x86_64, .os_tag = .linux, .abi = .gnu });
        const bearssl = addBearSSL(ctx, gnu, .ReleaseFast);
        bearssl.bundle_compiler_rt = true;
        return .{ .ctx = ctx, .clang = clang, .bearssl = bearssl };
    }

    fn variant(s: ClangSan, tag: []const u8, flags: []const []const u8) Variant {
        const b = s.ctx.b;
        var objs: std.ArrayList(std.Build.LazyPath) = .empty;
        for (s.ctx.src_files) |f| objs.append(b.allocator, s.compile(tag, flags, b.path(f), f, false)) catch @panic("OOM");
        return .{ .tag = tag, .flags = flags, .src = objs.items };
    }

    /// name only labels the step and names the object.
    fn compile(s: ClangSan, tag: []const u8, flags: []const []const u8, file: std.Build.LazyPath, name: []const u8, unit_inc: bool) std.Build.LazyPath {
        const b = s.ctx.b;
        const cc = b.addSystemCommand(&.{s.clang});
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
        for (listC(b, "tests/fault", &.{})) |f| objs.append(b.allocator, s.compile(v.tag, v.flags, b.path(f), f, false)) catch @panic("OOM");
        return s.link(v, name, objs.items, &.{"-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=getaddrinfo"});
    }

    fn link(s: ClangSan, v: Variant, name: []const u8, objs: []const std.Build.LazyPath, ldflags: []const []const u8) std.Build.LazyPath {
        const b = s.ctx.b;
        const cc = b.addSystemCommand(&.{s.clang});
        cc.setName(b.fmt("clang link {s}", .{name}));
        cc.addArgs(v.flags);
        cc.addArgs(ldflags);
        for (objs) |o| cc.addFileArg(o);
        cc.addArtifactArg(s.bearssl);
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
    return b.resolveTargetQuery(std.Target.Query.parse(.{ .arch_os_abi = triple }) catch unreachable);
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
        const exe = addQuiver(ctx, t, .ReleaseSafe, bearssl, false);
        const unit = addUnit(ctx, "quiver-unit", t, .ReleaseSafe, bearssl, null);
        run.addArg(ct.triple);
        run.addArg(if (ct.qemu.len == 0) "-" else ct.qemu);
        run.addArtifactArg(exe);
        run.addArtifactArg(unit);
    }
    b.step("cross", "Build all nine targets; run their unit tests (qemu-user for non-native)").dependOn(&run.step);
}

fn addSizeStep(ctx: Ctx) void {
    const b = ctx.b;
    const run = scriptStep(b, &.{ "bash", "tests/size.sh" });
    for (cross_targets) |ct| {
        const t = crossTarget(b, ct.triple);
        const bearssl = addBearSSL(ctx, t, .ReleaseSmall);
        const exe = addQuiver(ctx, t, .ReleaseSmall, bearssl, true);
        run.addArg(ct.triple);
        run.addArtifactArg(exe);
    }
    b.step("size", "Print the stripped ReleaseSmall size of quiver per target").dependOn(&run.step);
}

/// `zig build fuzz -Dseconds=N`: tests/fuzz/run.sh builds the libFuzzer
/// targets with the system clang (Zig ships no libFuzzer runtime) and runs
/// each for N seconds (default 30); any crash fails the step.
fn addFuzzStep(b: *std.Build) void {
    const seconds = b.option(u32, "seconds", "Seconds per target for the fuzz step (default 30)") orelse 30;
    const run = scriptStep(b, &.{ "bash", "tests/fuzz/run.sh", b.fmt("{d}", .{seconds}) });
    b.step("fuzz", "Run each libFuzzer target of tests/fuzz for -Dseconds=N (default 30)").dependOn(&run.step);
}
