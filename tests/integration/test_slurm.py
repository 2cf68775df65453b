"""test_slurm.py - `get --shard auto` under a real Slurm: a private single-node
cluster (munged, slurmctld and slurmd in the foreground, everything in a temp
dir on free loopback ports, stopped at the end) runs job arrays whose tasks
each fetch their shard of one 1,000-URL list from nginx:
  - contiguous (--array=0-7), offset (3-6) and stepped (1-7:2) arrays, with
    the whole-list plan, and the stepped one again streamed (--name-by index):
    every task exits 0, the shards K/N cover 0..N-1, nginx's access log shows
    each URL requested exactly once, and a re-run of the array with
    --skip-existing requests nothing;
  - a list (--array=0,2,5): every task refuses with exit 2 and says to pass
    --shard K/N, and nothing is requested.
It prints, per array: tasks, files per task, requests per URL, the re-run.
Skipped with one line where Slurm is not installed, not root, or cannot start.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections import Counter

from qvtest import Skip, check, free_port

ENABLE = "apt-get install slurmctld slurmd slurm-client munge, and run the tests as root"
TOOLS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo")
URLS = 1000
# Slurm's own startup and scheduling, generously: it takes ~1-2 s here.
UP_TIMEOUT = 30
ARRAY_TIMEOUT = 120


def tool(name):
    path = shutil.which(name) or f"/usr/sbin/{name}"
    return path if os.access(path, os.X_OK) else None


class Slurm:
    """A one-node cluster in dir d: munged, slurmctld, slurmd."""

    def __init__(self, ctx, d):
        self.ctx, self.d = ctx, d
        self.procs = []
        self.conf = os.path.join(d, "slurm.conf")
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        for sub in ("state", "spool", "munge"):
            os.makedirs(os.path.join(d, sub))
        key = os.path.join(d, "munge", "key")
        with open(key, "wb") as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o600)
        self.sock = os.path.join(d, "munge", "sock")
        with open(os.path.join(d, "plugstack.conf"), "w"):
            pass
        host = socket.gethostname().split(".")[0]
        with open(self.conf, "w") as f:
            f.write(f"""ClusterName=qvtest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
MailProg=/bin/true
AuthType=auth/munge
AuthInfo=socket={self.sock}
CredType=cred/munge
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
PlugStackConfig={d}/plugstack.conf
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
InactiveLimit=0
MinJobAge=300
KillWait=5
NodeName=qvnode NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN
PartitionName=qv Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
""")
        self._spawn(tool("munged"), "-F", "-f", f"--socket={self.sock}", f"--key-file={key}",
                    f"--log-file={d}/munged.log", f"--pid-file={d}/munged.pid",
                    f"--seed-file={d}/munged.seed")
        self._wait(lambda: os.path.exists(self.sock), "munged", "munged.log")
        self._spawn(tool("slurmctld"), "-D", "-i", "-f", self.conf)
        self._spawn(tool("slurmd"), "-D", "-f", self.conf, "-N", "qvnode")
        self._wait(lambda: self.cmd("sinfo", "-h", "-o", "%T").stdout.strip() == "idle",
                   "the node", "slurmd.log")

    def _spawn(self, *argv):
        self.procs.append(subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))

    def _wait(self, ready, what, log):
        deadline = time.monotonic() + UP_TIMEOUT
        while not ready():
            dead = [p for p in self.procs if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                tail = ""
                path = os.path.join(self.d, log)
                if os.path.exists(path):
                    with open(path, errors="replace") as f:
                        lines = [x for x in f.read().splitlines() if "error" in x.lower()]
                    tail = lines[-1] if lines else ""
                self.close()
                raise Skip(f"Slurm did not start here ({what}: {tail or 'no log'}); {ENABLE}")
            time.sleep(0.1)

    def cmd(self, *args):
        return subprocess.run([tool(args[0]) or args[0], *args[1:]], env=self.env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)

    def array(self, spec, script, logs):
        """Submit script as --array=spec and wait for every task; returns
        {task id: exit status} as slurmctld recorded it."""
        r = self.cmd("sbatch", "--parsable", f"--array={spec}", "-o", os.path.join(logs, "%a.out"),
                     script)
        check(r.returncode == 0, f"sbatch --array={spec}: {r.stderr}")
        job = r.stdout.strip().split(";")[0]
        deadline = time.monotonic() + ARRAY_TIMEOUT
        while self.cmd("squeue", "-h", "-j", job).stdout.strip():
            check(time.monotonic() < deadline, f"array {spec} not done in {ARRAY_TIMEOUT}s")
            time.sleep(0.2)
        shown = self.cmd("scontrol", "-o", "show", "job", job).stdout
        exits = {}
        for line in shown.splitlines():
            task = re.search(r"\bArrayTaskId=(\d+)\b", line)
            code = re.search(r"\bExitCode=(\d+):(\d+)", line)
            if task and code:
                exits[int(task.group(1))] = int(code.group(1))
        return exits

    def close(self):
        if self.procs and tool("scancel"):
            subprocess.run([tool("scancel"), "--full", "-u", "root"], env=self.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        for p in reversed(self.procs):      # slurmd, slurmctld, then munged
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []


def requests(log, since):
    """Request paths in nginx's access log after byte offset since."""
    with open(log, errors="replace") as f:
        f.seek(since)
        return Counter(m.group(1) for m in re.finditer(r'"GET (\S+) HTTP', f.read()))


def run_array(ctx, slurm, log, name, spec, mode, lst, paths):
    """The array spec over lst into OUT (twice: the re-run must fetch
    nothing); returns the report lines."""
    out, sums, logs = (ctx.path(name, x) for x in ("out", "sums", "logs"))
    for d in (out, sums, logs):
        os.makedirs(d, exist_ok=True)
    script = ctx.path(name, "task.sh")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\nexec {ctx.quiver} get --shard auto --skip-existing -q {mode} "
                f"-i {lst} -o {out} --summary {sums}/$SLURM_ARRAY_TASK_ID.json\n")
    os.chmod(script, 0o755)
    report = []
    for attempt in ("run", "re-run"):
        since = os.path.getsize(log)
        exits = slurm.array(spec, script, logs)
        got = requests(log, since)
        tasks = sorted(exits)
        sums_of = {t: json.load(open(os.path.join(sums, f"{t}.json"))) for t in tasks}
        check(all(code == 0 for code in exits.values()),
              f"{spec}: exit statuses {exits}; {open(os.path.join(logs, f'{tasks[0]}.out')).read()}")
        shards = sorted(int(s["shard"].split("/")[0]) for s in sums_of.values())
        check(shards == list(range(len(tasks))) and
              all(s["shard"].endswith(f"/{len(tasks)}") for s in sums_of.values()),
              f"{spec}: shards {[s['shard'] for s in sums_of.values()]}")
        check(sum(s["urls"] for s in sums_of.values()) == URLS, sums_of)
        if attempt == "run":
            check(set(got) == set(paths) and set(got.values()) == {1},
                  f"{spec}: {len(got)} URLs requested, counts {Counter(got.values())}")
            check(len(os.listdir(out)) == URLS, f"{spec}: {len(os.listdir(out))} files")
            fetched = [sums_of[t]["fetched"] for t in tasks]
            check(sum(fetched) == URLS, fetched)
            report.append(f"slurm --array={spec} {mode or '(whole-list plan)'}: {len(tasks)} tasks "
                          f"{tasks}, shards {[sums_of[t]['shard'] for t in tasks]}, files per task "
                          f"{fetched}; requests per URL: {len(got)} URLs x "
                          f"{sorted(set(got.values()))} (total {sum(got.values())})")
        else:
            skipped = [sums_of[t]["skipped"] for t in tasks]
            check(not got and sum(skipped) == URLS and all(s["fetched"] == 0 for s in sums_of.values()),
                  f"{spec} re-run: {sum(got.values())} requests, skipped {skipped}")
            report.append(f"  re-run: {sum(got.values())} requests, skipped per task {skipped}")
    return report


def test_job_arrays(ctx):
    missing = [t for t in TOOLS if tool(t) is None]
    if missing:
        raise Skip(f"Slurm not installed ({', '.join(missing)} missing): {ENABLE}")
    if os.geteuid() != 0:
        raise Skip(f"slurmd runs jobs as their user and needs root: {ENABLE}")
    www = ctx.path("www")
    paths = [f"/d/{i}/f-{i}.bin" for i in range(URLS)]
    for i, p in enumerate(paths):
        os.makedirs(os.path.dirname(www + p), exist_ok=True)
        with open(www + p, "wb") as f:
            f.write(b"%d\n" % i)
    log = ctx.path("access.log")
    base = ctx.nginx(www, extra_server=f"access_log {log};")
    lst = ctx.path("urls.txt")
    with open(lst, "w") as f:
        f.write("".join(base + p + "\n" for p in paths))
    slurm = Slurm(ctx, ctx.path("slurm"))
    try:
        report = []
        for name, spec, mode in (("contiguous", "0-7", ""), ("offset", "3-6", ""),
                                 ("stepped", "1-7:2", ""),
                                 ("stepped-stream", "1-7:2", "--name-by index")):
            report += run_array(ctx, slurm, log, name, spec, mode, lst, paths)
        # a list: every task refuses, nothing is fetched
        d = ctx.path("list")
        os.makedirs(os.path.join(d, "logs"))
        script = os.path.join(d, "task.sh")
        with open(script, "w") as f:
            f.write(f"#!/bin/sh\nexec {ctx.quiver} get --shard auto --skip-existing -i {lst} "
                    f"-o {d}/out --summary {d}/$SLURM_ARRAY_TASK_ID.json\n")
        os.chmod(script, 0o755)
        since = os.path.getsize(log)
        exits = slurm.array("0,2,5", script, os.path.join(d, "logs"))
        said = {t: open(os.path.join(d, "logs", f"{t}.out")).read().strip() for t in exits}
        check(sorted(exits) == [0, 2, 5] and set(exits.values()) == {2}, exits)
        check(all("pass --shard K/N" in s for s in said.values()), said)
        check(not requests(log, since) and not os.path.exists(os.path.join(d, "out")), "nothing fetched")
        check(all(json.load(open(os.path.join(d, f"{t}.json")))["exit"] == 2 for t in exits), "summaries")
        report.append(f"slurm --array=0,2,5: tasks {sorted(exits)} exit {sorted(set(exits.values()))}, "
                      f"0 requests; task 0 said: {said[0]}")
        print("\n".join(report))
    finally:
        slurm.close()
