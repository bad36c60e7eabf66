#!/usr/bin/python3
"""Draws the plots and writes REPORT.md for a `ddc reproduce` results directory.

Usage: report.py RESULTS_DIR

Reads RESULTS_DIR/summary.json (written by `ddc reproduce`, harness/reproduce.h) and the CSVs of
each experiment, writes RESULTS_DIR/plots/<name>.png and .svg, and RESULTS_DIR/REPORT.md. It runs
with Debian's python3 and python3-matplotlib; the output depends only on its inputs (fixed
metadata, no timestamps), so regenerating gives the same files.

Each experiment has a plotting function in PLOTS below; an experiment without one gets a generic
plot of every `*.series.csv` it wrote (throughput over virtual time, per mode). To plot a new
experiment, add a function that takes (results_dir, output_name) and returns the plot names it
drew.
"""

import csv
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.hashsalt": "ddc",  # deterministic SVG ids
    "font.size": 9,
})
MODE_STYLE = {"transparent": dict(color="#c44e52", marker="o"),
              "exposed": dict(color="#4c72b0", marker="s")}


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def save(fig, results, name):
    os.makedirs(os.path.join(results, "plots"), exist_ok=True)
    fig.tight_layout()
    fig.savefig(os.path.join(results, "plots", name + ".png"), metadata={"Software": None})
    fig.savefig(os.path.join(results, "plots", name + ".svg"),
                metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return name


def plot_pingpong(results, out):
    rows = read_csv(os.path.join(results, out, "pingpong.csv"))
    if not rows:
        return []
    fig, ax = plt.subplots()
    for placement, color in (("intra-rack", "#4c72b0"), ("cross-rack", "#c44e52")):
        sel = [r for r in rows if r["placement"] == placement and r["mode"] == "exposed"]
        sizes = [max(1, int(r["payload_bytes"])) for r in sel]
        ax.plot(sizes, [float(r["rtt_mean_ns"]) / 1000 for r in sel], "o", color=color,
                label=f"{placement}, measured")
        ax.plot(sizes, [float(r["model_rtt_ns"]) / 1000 for r in sel], "-", color=color,
                alpha=0.5, label=f"{placement}, model")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("payload (bytes; 0 drawn at 1)")
    ax.set_ylabel("round-trip time (µs)")
    ax.set_title("C10: RTT vs message size (both modes identical)")
    ax.legend()
    return [save(fig, results, "C10_pingpong_rtt")]


def plot_transfer(results, out):
    names = []
    rows = read_csv(os.path.join(results, out, "transfer_summary.csv"))
    if rows:
        fig, ax = plt.subplots()
        sizes = [int(r["bytes"]) for r in rows]
        ax.plot(sizes, [float(r["transparent_ns"]) / 1000 for r in rows],
                label="transparent: tuned pipelined copy", **MODE_STYLE["transparent"])
        ax.plot(sizes, [float(r["exposed_ns"]) / 1000 for r in rows], label="exposed: grant",
                **MODE_STYLE["exposed"])
        ax.plot(sizes, [float(r["transparent_model_ns"]) / 1000 for r in rows], "--",
                color="#c44e52", alpha=0.4, label="copy model")
        ax.plot(sizes, [float(r["exposed_model_ns"]) / 1000 for r in rows], "--",
                color="#4c72b0", alpha=0.4, label="grant model")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("bytes moved")
        ax.set_ylabel("time (µs)")
        ax.set_title("C1: moving data between two processes")
        ax.legend()
        names.append(save(fig, results, "C1_transfer_time"))
    sens = read_csv(os.path.join(results, out, "transfer_sensitivity.csv"))
    if sens:
        fig, ax = plt.subplots()
        for page in sorted({int(r["page_size"]) for r in sens}):
            sel = [r for r in sens if int(r["page_size"]) == page]
            ax.plot([int(r["mmu_update_per_page_ns"]) for r in sel],
                    [float(r["transparent_over_exposed"]) for r in sel], marker="o",
                    label=f"{page // 1024} KiB pages")
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("MMU update cost per page (ns)")
        ax.set_ylabel("copy time / grant time (>1: grant wins)")
        ax.set_title(f"C1: where a grant stops paying off ({int(sens[0]['bytes']) // 1024} KiB)")
        ax.legend()
        names.append(save(fig, results, "C1_transfer_mmu_sensitivity"))
    return names


def finish_ratio_plot(ax, x_axis, ylabel, title, legend_size):
    """Log-log axes for a ratio against a swept field, with the break-even line at 1."""
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x_axis)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=legend_size)


def plot_sensitivity_sweep(results, out):
    """A transfer sweep (sensitivity-*.textproto): the ratio at the largest size per point."""
    rows = read_csv(os.path.join(results, out, "transfer_summary.csv"))
    if not rows or "point" not in rows[0]:
        return []
    axes = sweep_axes(rows)
    if not axes:
        return []
    largest = max(int(r["bytes"]) for r in rows)
    smallest = min(int(r["bytes"]) for r in rows)
    fig, ax = plt.subplots()
    x_axis, series_axis = axes[-1], (axes[0] if len(axes) > 1 else None)
    keys = sorted({r[series_axis] for r in rows}, key=float) if series_axis else [None]
    for size, style in ((smallest, "-"), (largest, "--")):
        for key in keys:
            sel = [r for r in rows if int(r["bytes"]) == size and
                   (series_axis is None or r[series_axis] == key)]
            sel.sort(key=lambda r: float(r[x_axis]))
            label = f"{size // 1024} KiB" + (f", {series_axis.split('.')[-1]}={key}" if key else "")
            ax.plot([float(r[x_axis]) for r in sel],
                    [float(r["transparent_over_exposed"]) for r in sel], style, marker="o",
                    label=label)
    finish_ratio_plot(ax, x_axis, "copy time / grant time (>1: grant wins)",
                      f"sensitivity: {out}", 7)
    return [save(fig, results, out)]


def plot_latency_sweep(results, out):
    rows = read_csv(os.path.join(results, out, "pingpong.csv"))
    if not rows or "point" not in rows[0]:
        return []
    axis = sweep_axes(rows)[0]
    fig, ax = plt.subplots()
    for placement in ("intra-rack", "cross-rack"):
        sel = [r for r in rows if r["placement"] == placement and r["payload_bytes"] == "0"
               and r["mode"] == "exposed"]
        ax.plot([float(r[axis]) / 1000 for r in sel], [float(r["rtt_mean_ns"]) / 1000 for r in sel],
                marker="o", label=placement)
    ax.set_xlabel(axis + " (µs)")
    ax.set_ylabel("empty-message RTT (µs)")
    ax.set_title("sensitivity: the intra-rack/cross-rack latency ratio")
    ax.legend()
    return [save(fig, results, out)]


def plot_primary_backup(results, out):
    rows = read_csv(os.path.join(results, out, "primary_backup.csv"))
    if not rows:
        return []
    fig, ax = plt.subplots()
    metrics = [("detection_ns", "crash → detection"), ("takeover_ns", "crash → serving"),
               ("longest_ack_wait_ns", "longest wait for an ack")]
    width = 0.38
    for i, row in enumerate(rows):
        vals = [float(row[m]) / 1000 if row[m] not in ("NA", "") else 0 for m, _ in metrics]
        xs = [j + (i - 0.5) * width for j in range(len(metrics))]
        ax.bar(xs, vals, width, label=row["mode"], color=MODE_STYLE[row["mode"]]["color"])
    ax.set_xticks(range(len(metrics)), [label for _, label in metrics])
    ax.set_yscale("log")
    ax.set_ylabel("µs (log)")
    ax.set_title("C6 (example): a primary's crash, fair timeouts vs rack monitor")
    ax.legend()
    return [save(fig, results, "C6_primary_backup")]


def plot_series(results, out):
    """Generic: throughput over virtual time from every *.series.csv of the experiment."""
    names = []
    directory = os.path.join(results, out)
    for file in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if not file.endswith(".series.csv"):
            continue
        rows = read_csv(os.path.join(directory, file))
        if not rows:
            continue
        fig, ax = plt.subplots()
        for key in sorted({(r["process"], r["name"]) for r in rows}):
            sel = [r for r in rows if (r["process"], r["name"]) == key]
            ax.plot([int(r["interval_start_ns"]) / 1e6 for r in sel],
                    [float(r["throughput_per_s"]) for r in sel], label=f"{key[0]}: {key[1]}")
        ax.set_xlabel("virtual time (ms)")
        ax.set_ylabel("per second")
        ax.set_title(f"{out}: {file}")
        ax.legend(fontsize=7)
        names.append(save(fig, results, f"{out}_{file[:-len('.series.csv')]}"))
    return names


def num(row, key):
    value = row.get(key, "")
    return float(value) if value not in ("", "NA", "-1") else None


def sweep_axes(rows):
    """The sweep axes of a merged CSV: the context columns after `seed` (harness/sweep.h) whose
    values vary from point to point. Constant columns (the spec's params) are not axes."""
    keys = list(rows[0].keys())
    if keys[:3] != ["experiment", "point", "seed"]:
        return []
    context = []
    for k in keys[3:]:
        if "." not in k:
            break
        context.append(k)
    return [k for k in context if len({r[k] for r in rows}) > 1]


def plot_latency_cdf(results, out, file, wanted, window, title, name):
    """Client latency CDFs (harness/cdf.h) of the runs whose name `wanted` accepts, per mode."""
    rows = [r for r in read_csv(os.path.join(results, out, file))
            if r["window"] == window and wanted(r["run"])]
    if not rows:
        return []
    fig, ax = plt.subplots()
    groups = []
    for r in rows:
        if (r["run"], r["mode"]) not in groups:
            groups.append((r["run"], r["mode"]))
    for run, mode in groups:
        sel = sorted([r for r in rows if r["run"] == run and r["mode"] == mode],
                     key=lambda r: float(r["quantile"]))
        ax.step([float(r["latency_ns"]) / 1000 for r in sel], [float(r["quantile"]) for r in sel],
                where="post", label=f"{mode}: {run.split('/')[-1]}",
                linestyle="-" if mode == "exposed" else "--")
    ax.set_xscale("log")
    ax.set_xlabel("client operation latency (µs)")
    ax.set_ylabel("fraction of operations")
    ax.set_title(title)
    ax.legend(fontsize=7)
    return [save(fig, results, name)]


def plot_claim_sensitivity(results, out):
    """A sweep of a claim's experiment (specs/sensitivity-*.textproto): for each claim its
    findings report, the transparent/exposed ratio against the swept field; below 1 the exposed
    mechanism no longer pays off."""
    rows = read_csv(os.path.join(results, out, "findings.csv"))
    if not rows:
        return []
    axes = sweep_axes(rows)
    if not axes:
        return []
    x_axis, series_axis = axes[-1], (axes[0] if len(axes) > 1 else None)
    names = []
    for claim in sorted({r["claim"] for r in rows}, key=lambda c: int(c[1:])):
        fig, ax = plt.subplots()
        claim_rows = [r for r in rows if r["claim"] == claim]
        whats = []
        for r in claim_rows:
            if r["what"] not in whats:
                whats.append(r["what"])
        keys = sorted({r[series_axis] for r in claim_rows}, key=float) if series_axis else [None]
        for what in whats:
            for key in keys:
                sel = [r for r in claim_rows if r["what"] == what and num(r, "transparent_over_exposed")
                       and (series_axis is None or r[series_axis] == key)]
                if not sel:
                    continue
                sel.sort(key=lambda r: float(r[x_axis]))
                label = what if len(what) <= 60 else what[:57] + "..."
                if key is not None:
                    label += f", {series_axis.split('.')[-1]}={key}"
                ax.plot([float(r[x_axis]) for r in sel],
                        [float(r["transparent_over_exposed"]) for r in sel], marker="o",
                        label=label)
        finish_ratio_plot(ax, x_axis, "transparent / exposed (>1: exposed wins)",
                          f"{claim} sensitivity: {out}", 5)
        names.append(save(fig, results, f"{claim}_{out}"))
    return names


def plot_paxos(results, out):
    names = []
    d = os.path.join(results, out)
    # Throughput over virtual time around the fault, scenario (b), per mode.
    rows = [r for r in read_csv(os.path.join(d, "paxos_recovery_intervals.csv"))
            if "leader" in r.get("scenario", "")]
    if rows:
        fig, ax = plt.subplots()
        for mode in ("transparent", "exposed"):
            sel = [r for r in rows if r["mode"] == mode and r.get("sweep", "") in ("", "main")]
            if not sel:
                sel = [r for r in rows if r["mode"] == mode]
            ax.plot([float(r["t_start_us"]) / 1000 for r in sel],
                    [float(r["throughput_ops_s"]) for r in sel], label=mode,
                    color=MODE_STYLE[mode]["color"])
        ax.set_xlabel("virtual time (ms); the leader's CE dies at 20 ms")
        ax.set_ylabel("acknowledged ops/s")
        ax.set_title("C5/C6: client throughput around a leader crash")
        ax.legend()
        names.append(save(fig, results, "C5_paxos_throughput"))
    # Time to full health against state size, per page size and recovery.
    rows = read_csv(os.path.join(d, "paxos_recovery_state.csv"))
    if rows:
        fig, ax = plt.subplots()
        keys = sorted({(r["mode"], r["recovery"]) for r in rows})
        for mode, recovery in keys:
            for page in sorted({r["sweep"].split("/")[-1] for r in rows}):
                sel = [r for r in rows if r["mode"] == mode and r["recovery"] == recovery
                       and r["sweep"].endswith(page) and num(r, "full_health_us") is not None]
                if not sel:
                    continue
                sel.sort(key=lambda r: float(r["state_bytes"]))
                ax.plot([float(r["state_bytes"]) / 2**20 for r in sel],
                        [num(r, "full_health_us") / 1000 for r in sel], marker="o",
                        label=f"{mode}: {recovery}, {page}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("replica state (MiB)")
        ax.set_ylabel("fault → full health (ms)")
        ax.set_title("C5: time to full health vs state size")
        ax.legend(fontsize=6)
        names.append(save(fig, results, "C5_paxos_state_size"))
    rows = read_csv(os.path.join(d, "paxos_recovery_detection.csv"))
    if rows:
        fig, ax = plt.subplots()
        for mode in ("transparent", "exposed"):
            sel = [r for r in rows if r["mode"] == mode and num(r, "peer_suspect_us") is not None]
            ax.plot(range(len(sel)), [num(r, "peer_suspect_us") / 1000 for r in sel], marker="o",
                    label=mode, color=MODE_STYLE[mode]["color"])
            ax.set_xticks(range(len(sel)), [r["sweep"] for r in sel], rotation=30, fontsize=6,
                          ha="right")
        ax.set_yscale("log")
        ax.set_ylabel("fault → a peer suspects (ms)")
        ax.set_title("C6: detection, rack monitor settings vs fair Paxos timeouts")
        ax.legend()
        names.append(save(fig, results, "C6_paxos_detection"))
    names += plot_latency_cdf(results, out, "paxos_recovery_latency_cdf.csv",
                              lambda run: run.startswith("b-leader-crash"), "after_fault",
                              "C5/C6: client latency after a leader crash", "C5_paxos_latency_cdf")
    return names


def plot_mapreduce_shuffle(results, out):
    rows = read_csv(os.path.join(results, out, "mapreduce_shuffle_summary.csv"))
    if not rows:
        return []
    fig, ax = plt.subplots()
    labels = [f"{r['job']} {r['maps_x_reduces']}" for r in rows]
    xs = range(len(rows))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], [float(r["transparent_shuffle_ns"]) / 1e6 for r in rows],
           width, label="transparent: copy", color=MODE_STYLE["transparent"]["color"])
    ax.bar([x + width / 2 for x in xs], [float(r["exposed_shuffle_ns"]) / 1e6 for r in rows],
           width, label="exposed: grant", color=MODE_STYLE["exposed"]["color"])
    ax.set_xticks(list(xs), labels, rotation=30, ha="right", fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("shuffle phase (ms)")
    ax.set_title("C2: shuffle time by job and shape")
    ax.legend()
    return [save(fig, results, "C2_mapreduce_shuffle")]


def plot_mapreduce_straggler(results, out):
    rows = read_csv(os.path.join(results, out, "mapreduce_straggler_summary.csv"))
    if not rows:
        return []
    fig, ax = plt.subplots()
    keys = [k for k in rows[0].keys() if k.endswith("job_vs_baseline")]
    for key in keys:
        sel = [r for r in rows if r.get(key)]
        ax.plot(range(len(sel)), [float(r[key]) for r in sel], marker="o",
                label=key[:-len(" job_vs_baseline")])
    ax.set_xticks(range(len(rows)), [r["scenario"] for r in rows], rotation=40, ha="right",
                  fontsize=6)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_ylabel("job time / no-straggler baseline")
    ax.set_title("C3/C4: stragglers and crashed mappers")
    ax.legend(fontsize=6)
    return [save(fig, results, "C3_mapreduce_straggler")]


def plot_kv(results, out):
    names = []
    rows = read_csv(os.path.join(results, out, "kv_rebalance_valkey.csv"))
    if rows:
        fig, ax = plt.subplots()
        for method, color in (("legacy", "#dd8452"), ("snapshot", "#c44e52"),
                              ("grant", "#4c72b0")):
            sel = sorted([r for r in rows if r["method"].lower() == method],
                         key=lambda r: float(r["data_bytes"]))
            ax.plot([float(r["data_bytes"]) / 2**20 for r in sel],
                    [float(r["rebalance_ns"]) / 1e6 for r in sel], marker="o", label=method,
                    color=color)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("data moved with the slots (MiB of 16 KiB values)")
        ax.set_ylabel("rebalancing time (ms)")
        ax.set_title("C8: Valkey's case scaled down, 3 → 4 shards")
        ax.legend()
        names.append(save(fig, results, "C8_kv_valkey"))
    cdf = read_csv(os.path.join(results, out, "kv_rebalance_latency_cdf.csv"))
    cases = [r["run"].rsplit("/", 1)[0] for r in cdf
             if not r["run"].startswith(("valkey", "capacity"))]
    if cases:
        names += plot_latency_cdf(results, out, "kv_rebalance_latency_cdf.csv",
                                  lambda run: run.rsplit("/", 1)[0] == cases[0], "during",
                                  f"C8: client latency during the rebalance ({cases[0]})",
                                  "C8_kv_latency_cdf")
    return names + plot_series(results, out)


PLOTS = {
    "pingpong": plot_pingpong,
    "transfer": plot_transfer,
    "primary-backup": plot_primary_backup,
    "sensitivity-memory": plot_sensitivity_sweep,
    "sensitivity-mmu": plot_sensitivity_sweep,
    "sensitivity-latency": plot_latency_sweep,
    "paxos-recovery": plot_paxos,
    "mapreduce-shuffle": plot_mapreduce_shuffle,
    "mapreduce-straggler": plot_mapreduce_straggler,
    "kv-rebalance": plot_kv,
    "sensitivity-shuffle": plot_claim_sensitivity,
    "sensitivity-straggler": plot_claim_sensitivity,
    "sensitivity-paxos": plot_claim_sensitivity,
    "sensitivity-kv": plot_claim_sensitivity,
}


def number(value, unit):
    if abs(value) >= 1e6 and unit == "ns":
        return f"{value / 1e6:,.3f} ms"
    if abs(value) >= 1e4 and unit == "ns":
        return f"{value / 1e3:,.1f} µs"
    return f"{value:,.6g} {unit}"


def report(results, summary, plots, failed):
    lines = [
        "# Results: Disaggregation and the Application, reproduced",
        "",
        f"Written by `ddc reproduce{' --quick' if summary['mode'] == 'quick' else ''}` "
        f"({summary['mode']} mode) from the simulation; rerun it to regenerate every file here "
        "(the CSVs are byte-identical for the same seeds). Each claim below gives the paper's "
        "statement in our words, the experiment and its command, what was measured in both "
        "modes, and whether the claim holds *under this cost model* (docs/cost-model.md), with "
        "the reason. A claim that does not hold is a result, not an error.",
        "",
        "| claim | verdict | key measurement | transparent / exposed |",
        "|---|---|---|---|",
    ]
    for c in summary["claims"]:
        f = c["findings"][-1] if c["findings"] else None
        ratio = f"{f['transparent_over_exposed']:.3g}×" if f and f["exposed"] else "–"
        lines.append(f"| [{c['id']}](#{c['id'].lower()}) | {c['verdict']} | "
                     f"{f['what'] if f else '–'} | {ratio} |")
    lines.append("")
    for c in summary["claims"]:
        lines += [f"## {c['id']}", "", f"> {c['statement']}", ""]
        if not c["spec"]:
            lines += ["**No timed experiment**: this claim is not measured by `ddc reproduce`; "
                      "the context below says how it is checked (docs/claims.md).", ""]
        else:
            lines += [f"**Experiment**: `{c['command']}` → `results/{c['output']}/`  ",
                      f"**Headline**: {c['headline']}  ", f"**Verdict**: {c['verdict']}", ""]
        if c["findings"]:
            lines += ["| measurement | transparent | exposed | transparent / exposed | holds |",
                      "|---|---|---|---|---|"]
            for f in c["findings"]:
                ratio = f"{f['transparent_over_exposed']:.3g}×" if f["exposed"] else "–"
                lines.append(f"| {f['what']} | {number(f['transparent'], f['unit'])} | "
                             f"{number(f['exposed'], f['unit'])} | {ratio} | "
                             f"{'yes' if f['holds'] else '**no**'} |")
            lines += ["", "Why:", ""]
            lines += [f"- {f['what']}: {f['why']}." for f in c["findings"]]
            lines.append("")
        for name in plots.get(c["output"], []):
            lines += [f"![{name}](plots/{name}.png)", ""]
        if c["sensitivity"]:
            lines += ["Sensitivity (beyond the paper): how the benefit changes with the cost model.",
                      ""]
            for s in c["sensitivity"]:
                lines.append(f"- `results/{s}/` (`ddc run specs/{s}.textproto`)")
            lines.append("")
            for s in c["sensitivity"]:
                for name in plots.get(s, []):
                    # A sweep shared by several claims drew one plot per claim: show this one's.
                    if re.match(r"C\d+_", name) and not name.startswith(c["id"] + "_"):
                        continue
                    lines += [f"![{name}](plots/{name}.png)", ""]
        if c["context"]:
            lines += ["Context from real systems:", ""]
            lines += [f"- {line}" for line in c["context"]]
            lines.append("")
    if failed:
        lines += ["## Plots that failed", ""] + [f"- {f}" for f in failed] + [""]
    with open(os.path.join(results, "REPORT.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    results = sys.argv[1]
    with open(os.path.join(results, "summary.json")) as f:
        summary = json.load(f)
    outputs = []
    for c in summary["claims"]:
        for out in [c["output"]] + c["sensitivity"]:
            if out and out not in outputs:
                outputs.append(out)
    plots = {}
    failed = []
    for out in outputs:
        try:
            plots[out] = PLOTS.get(out, plot_series)(results, out)
        except (ValueError, KeyError, IndexError) as e:  # a plot must not hide the others
            plt.close("all")
            plots[out] = []
            failed.append(f"{out}: {type(e).__name__}: {e}")
            print(f"report.py: the plots of {out} failed: {e}", file=sys.stderr)
    report(results, summary, plots, failed)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
