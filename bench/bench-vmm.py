#!/usr/bin/env python3
"""VMM benchmarks: CPU-bound guest code, boot to the U-Boot prompt and idle CPU, Porthole beside QEMU 7.2.

Both machines run the same files in the same run, in alternating rounds, and
the report gives medians and the Porthole/QEMU ratios against the targets in
DESIGN.md ("Performance targets").  Python 3 standard library only.

Figures:
  - bench-int (bench/guest/): a bare-metal integer workload.  Wall time of the
    whole process (start-up included, for both), MIPS = guest instructions /
    wall time.  The instruction count comes from one extra QEMU run with
    -icount shift=0, because without icount QEMU's minstret returns host
    ticks; Porthole's own minstret is shown beside it as a cross-check.
    Both machines must print the same checksum.  CPU time (user + system)
    is shown too: on a busy host it moves less than wall time does.
  - OpenSBI (fw_jump) + U-Boot (S-mode) to the "=>" prompt: time from spawn
    until the prompt appears after the autoboot countdown was interrupted.
  - Idle: CPU time (all threads, /proc/PID/stat) used over a few seconds
    while the guest sits at the U-Boot prompt.

Exit status: 1 when a machine failed to run a case or the checksums differ
(a wrong answer is never a benchmark result); 0 otherwise.  A missed target
is reported, and fails the run only with --strict.
"""

import argparse
import os
import re
import resource
import select
import shutil
import statistics
import subprocess
import sys
import time

from benchlib import RunError, stop

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ELF = os.path.join(HERE, "guest", "bench-int.elf")
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"

TARGET_INT_RATIO = 3.0      # CPU-bound wall time, Porthole / QEMU
TARGET_BOOT_RATIO = 1.5     # to the U-Boot prompt, Porthole / QEMU

CHECKSUM_RE = re.compile(rb"bench-int: checksum (0x[0-9a-f]+)")
INSTRET_RE = re.compile(rb"bench-int: instret (\d+)")
AUTOBOOT = b"Hit any key to stop autoboot"
PROMPT = b"=> "


class Machine:
    """How to start one of the two machines on a given firmware/kernel."""

    def __init__(self, name, argv0, fixed_args):
        self.name = name
        self.argv0 = argv0
        self.fixed_args = fixed_args

    def argv(self, bios, kernel, extra=()):
        return [self.argv0, *self.fixed_args, *extra, "-bios", bios, "-kernel", kernel]


def tail(data, n=400):
    text = data[-n:].decode("utf-8", "replace")
    return text.replace("\r", "")


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_int(machine, elf, timeout, extra=()):
    """One bench-int run: (wall seconds, CPU seconds, checksum, guest instret)."""
    argv = machine.argv("none", elf, extra)
    c0 = children_cpu()
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise RunError(f"{machine.name}: no power-off within {timeout} s; output: "
                       f"{tail(e.stdout or b'')!r}") from None
    except OSError as e:
        raise RunError(f"{machine.name}: cannot start {argv[0]}: {e}") from None
    wall = time.perf_counter() - t0
    cpu = children_cpu() - c0
    out = proc.stdout
    if proc.returncode != 0:
        raise RunError(f"{machine.name}: exit status {proc.returncode}; output: {tail(out)!r}; "
                       f"stderr: {tail(proc.stderr)!r}")
    cs = CHECKSUM_RE.search(out)
    ir = INSTRET_RE.search(out)
    if not cs or not ir:
        raise RunError(f"{machine.name}: no checksum/instret line; output: {tail(out)!r}")
    return wall, cpu, cs.group(1).decode(), int(ir.group(1))


def cpu_seconds(pid):
    """User + system CPU time of a live process, all its threads included."""
    with open(f"/proc/{pid}/stat", "rb") as f:
        stat = f.read()
    # Fields after the parenthesised command name, which may contain spaces.
    fields = stat[stat.rindex(b")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])   # utime, stime (fields 14, 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def run_uboot(machine, timeout, idle_seconds):
    """One boot to the U-Boot prompt: (seconds to prompt, idle CPU fraction)."""
    argv = machine.argv(OPENSBI, UBOOT)
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
    except OSError as e:
        raise RunError(f"{machine.name}: cannot start {argv[0]}: {e}") from None
    fd = proc.stdout.fileno()
    out = bytearray()
    deadline = t0 + timeout
    sent_key = False
    prompt_from = 0     # only a prompt printed after the key counts
    boot = None
    try:
        while boot is None:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RunError(f"{machine.name}: no U-Boot prompt within {timeout} s; "
                               f"output: {tail(bytes(out))!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RunError(f"{machine.name}: exited (status {proc.wait()}) before the "
                               f"U-Boot prompt; output: {tail(bytes(out))!r}")
            out += chunk
            if not sent_key and AUTOBOOT in out:
                proc.stdin.write(b"\n")
                proc.stdin.flush()
                sent_key = True
                prompt_from = out.index(AUTOBOOT)
            # A board with autoboot disabled goes straight to the prompt.
            if out.find(PROMPT, prompt_from) >= 0:
                boot = time.perf_counter() - t0

        # Idle: keep draining the console so a chatty guest cannot block on it.
        c0 = cpu_seconds(proc.pid)
        i0 = time.perf_counter()
        end = i0 + idle_seconds
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([fd], [], [], left)
            if ready and not os.read(fd, 65536):
                raise RunError(f"{machine.name}: exited while idle at the U-Boot prompt")
        idle = (cpu_seconds(proc.pid) - c0) / (time.perf_counter() - i0)
        return boot, idle
    finally:
        stop(proc)
        proc.stdin.close()
        proc.stdout.close()


def fmt(v, spec, unit=""):
    return "—" if v is None else f"{v:{spec}}{unit}"


def verdict(ratio, target):
    if ratio is None:
        return "not measured"
    return "met" if ratio <= target else "MISSED"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5, help="rounds per machine (median)")
    ap.add_argument("--elf", default=os.environ.get("BENCH_INT_ELF", DEFAULT_ELF))
    ap.add_argument("--porthole", default=os.environ.get("PORTHOLE_BIN", "build/app/porthole"))
    ap.add_argument("--qemu", default=os.environ.get("QEMU_BIN", "qemu-system-riscv64"))
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per run")
    ap.add_argument("--idle-seconds", type=float, default=3.0)
    ap.add_argument("--skip-int", action="store_true")
    ap.add_argument("--skip-boot", action="store_true")
    ap.add_argument("--qemu-only", action="store_true",
                    help="validate the cases on QEMU alone (no Porthole)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    rounds = max(1, args.rounds)
    load_start = os.getloadavg()[0]

    qemu_path = shutil.which(args.qemu)
    if not qemu_path:
        print(f"bench-vmm: {args.qemu} not found; it is the reference", file=sys.stderr)
        return 1
    qemu = Machine("QEMU 7.2", qemu_path, ["-M", "virt", "-nographic"])
    porthole = None
    if not args.qemu_only:
        porthole = Machine("Porthole", os.path.abspath(args.porthole), ["--headless"])
        if not os.access(porthole.argv0, os.X_OK):
            print(f"bench-vmm: Porthole binary {porthole.argv0} not found "
                  "(set PORTHOLE_BIN or --porthole)", file=sys.stderr)
            return 1
    machines = [m for m in (porthole, qemu) if m]

    failures = []
    rows = []
    notes = []
    missed = False

    if not args.skip_int:
        times = {m.name: [] for m in machines}
        cpus = {m.name: [] for m in machines}
        sums = {}
        guest_instret = {}
        try:
            # The exact instruction count: QEMU's minstret counts instructions only with icount.
            _, _, ref_sum, instructions = run_int(qemu, args.elf, args.timeout * 4,
                                                  ["-icount", "shift=0"])
        except RunError as e:
            failures.append(str(e))
            instructions, ref_sum = None, None
        for r in range(rounds):
            # Alternate which machine goes first so drift (thermal, other load) hits both.
            order = machines if r % 2 == 0 else list(reversed(machines))
            for m in order:
                if m.name in sums and sums[m.name] is None:
                    continue    # already failed: do not repeat a broken run
                try:
                    wall, cpu, cs, ir = run_int(m, args.elf, args.timeout)
                    times[m.name].append(wall)
                    cpus[m.name].append(cpu)
                    sums.setdefault(m.name, cs)
                    guest_instret[m.name] = ir
                    if cs != sums[m.name]:
                        failures.append(f"{m.name}: checksum changed between rounds "
                                        f"({sums[m.name]} then {cs})")
                except RunError as e:
                    failures.append(str(e))
                    sums[m.name] = None
        med = {n: (statistics.median(t) if t else None) for n, t in times.items()}
        mcpu = {n: (statistics.median(t) if t else None) for n, t in cpus.items()}
        for n, cs in sums.items():
            if cs is not None and ref_sum is not None and cs != ref_sum:
                failures.append(f"{n}: checksum {cs}, QEMU -icount gives {ref_sum}: wrong result")
        q, p = med.get(qemu.name), med.get(porthole.name) if porthole else None
        ratio = p / q if p and q else None
        if ratio is not None and ratio > TARGET_INT_RATIO:
            missed = True
        mips = {n: (instructions / t / 1e6 if t and instructions else None)
                for n, t in med.items()}
        rows.append(("CPU-bound guest (bench-int), wall time", fmt(q, ".3f", " s"),
                     fmt(p, ".3f", " s"), fmt(ratio, ".2f", "×"), f"≤ {TARGET_INT_RATIO}×",
                     verdict(ratio, TARGET_INT_RATIO)))
        qc, pc = mcpu.get(qemu.name), mcpu.get(porthole.name) if porthole else None
        rows.append(("CPU-bound guest, CPU time (user + sys)", fmt(qc, ".3f", " s"),
                     fmt(pc, ".3f", " s"), fmt(pc / qc if pc and qc else None, ".2f", "×"),
                     "", ""))
        rows.append(("CPU-bound guest, MIPS (instructions / wall)",
                     fmt(mips.get(qemu.name), ".0f"),
                     fmt(mips.get(porthole.name) if porthole else None, ".0f"),
                     "", "", ""))
        notes.append(f"bench-int: {args.elf}; "
                     f"{instructions if instructions else '?'} guest instructions (QEMU -icount); "
                     f"checksum {ref_sum or '?'}")
        if porthole and porthole.name in guest_instret:
            notes.append(f"Porthole's own minstret over the workload: "
                         f"{guest_instret[porthole.name]}")

    if not args.skip_boot:
        boots = {m.name: [] for m in machines}
        idles = {m.name: [] for m in machines}
        broken = set()
        for path in (OPENSBI, UBOOT):
            if not os.path.exists(path):
                failures.append(f"firmware {path} missing (Debian packages opensbi, u-boot-qemu)")
                broken.update(m.name for m in machines)
        for r in range(rounds):
            order = machines if r % 2 == 0 else list(reversed(machines))
            for m in order:
                if m.name in broken:
                    continue
                try:
                    b, i = run_uboot(m, args.timeout, args.idle_seconds)
                    boots[m.name].append(b)
                    idles[m.name].append(i)
                except RunError as e:
                    failures.append(str(e))
                    broken.add(m.name)
        mb = {n: (statistics.median(t) if t else None) for n, t in boots.items()}
        mi = {n: (statistics.median(t) * 100 if t else None) for n, t in idles.items()}
        q, p = mb.get(qemu.name), mb.get(porthole.name) if porthole else None
        ratio = p / q if p and q else None
        if ratio is not None and ratio > TARGET_BOOT_RATIO:
            missed = True
        rows.append(("OpenSBI + U-Boot to the `=>` prompt", fmt(q, ".3f", " s"),
                     fmt(p, ".3f", " s"), fmt(ratio, ".2f", "×"), f"≤ {TARGET_BOOT_RATIO}×",
                     verdict(ratio, TARGET_BOOT_RATIO)))
        rows.append((f"idle at the U-Boot prompt, CPU over {args.idle_seconds:g} s "
                     "(% of one core)", fmt(mi.get(qemu.name), ".1f", " %"),
                     fmt(mi.get(porthole.name) if porthole else None, ".1f", " %"),
                     "", "", ""))
        notes.append(f"boot: -bios {OPENSBI} -kernel {UBOOT}")

    print(f"## VMM benchmarks (median of {rounds} alternating rounds)\n")
    # Wall times mean little on a loaded host; say how loaded it was.
    notes.append(f"host: {os.cpu_count()} CPUs, 1-minute load average "
                 f"{load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print("| what | QEMU 7.2 | Porthole | Porthole/QEMU | target | |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    for n in notes:
        print(f"- {n}")
    if porthole is None:
        print("- Porthole not run (--qemu-only)")
    for f in failures:
        print(f"- FAILED: {f}")
    sys.stdout.flush()
    if failures:
        return 1
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
