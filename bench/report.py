"""The benchmark's table, its ratios to the floors and its targets, and the JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

P99_TARGET_MS = 25.0
SEARCH_P50_TARGET_MS = 50.0


def channel_figures(results: dict[str, Any]) -> list[str]:
    """Target 6 asks for the new channels' figures, with no bound to meet: each
    inbound path's server CPU per message and p99, from its own section."""
    found = []
    for name, section, figure in (
        ("6 inbound email (SMTP to the agent's socket)", "mail", lambda r: r),
        ("6 inbound SMS webhook (to the agent's socket)", "sms", lambda r: r["webhook"]),
    ):
        if section not in results:
            found.append(f"  [  n/a ] {name}: not run")
            continue
        figures = figure(results[section])
        cpu = figures.get("server_cpu_ms_per_msg")
        shown = f"{cpu:.2f} ms server CPU per message" if cpu is not None else "CPU not recorded"
        found.append(f"  [report] {name}: {shown}, p99 {figures['p99_ms']:.0f} ms")
    return found


def kept_up(step: dict[str, Any]) -> bool:
    """The server took the offered rate: (nearly) all of it durable, nothing lost."""
    clean = step["lost"] == 0 and step["unacked"] == 0 and step["duplicates"] == 0
    return clean and step["errors"] == 0 and step["durable_per_s"] >= 0.95 * step["rate"]


def sustained(scenario: dict[str, Any] | None, *, p99_ms: float | None = None) -> float:
    """The highest durable rate among the steps the server kept up with."""
    if not scenario:
        return 0.0
    return max(
        (
            s["durable_per_s"]
            for s in scenario["steps"]
            if kept_up(s) and (p99_ms is None or s["p99_ms"] < p99_ms)
        ),
        default=0.0,
    )


def at_rate(scenario: dict[str, Any] | None, rate: int) -> dict[str, Any] | None:
    for step in (scenario or {}).get("steps", []):
        if step["rate"] == rate:
            return dict(step)
    return None


def cpu_per_message(scenario: dict[str, Any] | None) -> float | None:
    """Server CPU per message (summed over the processes) at the highest rate kept
    up with; at the lowest rate offered when none was."""
    steps = (scenario or {}).get("steps", [])
    if not steps:
        return None
    kept = [s for s in steps if kept_up(s)]
    step = max(kept, key=lambda s: s["rate"]) if kept else min(steps, key=lambda s: s["rate"])
    return float(step["server_cpu_ms_per_msg"])


def clean(scenario: dict[str, Any] | None) -> bool:
    """Nothing lost, unacknowledged or duplicated in any step."""
    steps = (scenario or {}).get("steps", [])
    return all(s["lost"] == 0 and s["unacked"] == 0 and s["duplicates"] == 0 for s in steps)


# Each target: (what it says, the measured value, the bound, "max" or "min").
Target = tuple[str, float, float, str]


def _send_targets(results: dict[str, Any], rates: dict[str, float]) -> list[Target]:
    scenarios = results["scenarios"]
    out: list[Target] = []
    ws, durable = scenarios.get("sqlite-ws"), scenarios.get("durable")
    at_1000 = at_rate(ws, 1000)
    if at_1000:
        cpu = at_1000["server_cpu_ms_per_msg"]
        out.append(("1 sqlite ws: server CPU ms/msg at 1,000 msg/s", cpu, 0.5, "max"))
        floor = at_rate(durable, 1000)
        if floor and floor["server_cpu_ms_per_msg"]:
            ratio = cpu / floor["server_cpu_ms_per_msg"]
            out.append(
                ("1 sqlite ws: CPU/msg x the durable floor's at 1,000 msg/s", ratio, 1.7, "max")
            )
    if ws and rates.get("durable"):
        fast = sustained(ws, p99_ms=P99_TARGET_MS) / rates["durable"]
        out.append(("1 sqlite ws: sustained (p99 < 25 ms) x the durable floor's", fast, 0.5, "min"))
    rest = cpu_per_message(scenarios.get("sqlite-rest"))
    if rest is not None:
        out.append(("2 sqlite rest: server CPU ms/msg", rest, 1.0, "max"))
    for send, bound in (("ws", 1.0), ("rest", 1.5)):
        pg = scenarios.get(f"pg-{send}")
        cpu = cpu_per_message(pg)
        if cpu is None:
            continue
        out.append((f"3 pg+redis x2 {send}: server CPU ms/msg, both processes", cpu, bound, "max"))
        sqlite_rate = rates.get(f"sqlite-{send}", 0.0)
        if sqlite_rate:
            ratio = rates[f"pg-{send}"] / sqlite_rate
            out.append((f"3 pg+redis x2 {send}: sustained x sqlite {send}", ratio, 1.0, "min"))
        out.append(
            (
                f"3 pg+redis x2 {send}: runs with nothing lost or duplicated",
                float(clean(pg)),
                1,
                "min",
            )
        )
        four = cpu_per_message(scenarios.get(f"pg4-{send}"))
        if four is not None:
            out.append(
                (f"3 pg+redis x4 {send}: CPU/msg x that of 2 processes", four / cpu, 1.25, "max")
            )
    return out


def _read_targets(results: dict[str, Any]) -> list[Target]:
    out: list[Target] = []
    reads = results.get("reads")
    if not reads:
        return out
    for key in ("history_newest_page", "history_middle_page", "inbox_unclaimed", "inbox_mine"):
        name = key.replace("_", " ")
        out.append((f"5 {name}: p50 ms", reads[key]["p50_ms"], 20.0, "max"))
        out.append((f"5 {name}: p99 ms", reads[key]["p99_ms"], 50.0, "max"))
    made = reads.get("transcript")
    if made:
        count = f"{made['messages']:,}"
        name = f"4 transcript (read, PDF and HTML) of {count} messages: s"
        out.append((name, made["render_ms"] / 1000, 5.0, "max"))
    renderer = {r["entries"]: r for r in reads.get("transcript_renderer", [])}
    if 10_000 in renderer and 100_000 in renderer:
        small, large = renderer[10_000], renderer[100_000]
        out.append(("4 transcript PDF of 10,000 entries (renderer): s", small["pdf_s"], 5.0, "max"))
        out.append(("4 transcript HTML of 10,000 entries: s", small["html_s"], 0.5, "max"))
        out.append(
            (
                "4 transcript PDF peak RSS, 100,000 entries / 10,000 entries",
                large["peak_rss_mb"] / small["peak_rss_mb"],
                1.25,
                "max",
            )
        )
    return out


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    scenarios = results["scenarios"]
    rates = {name: sustained(s) for name, s in scenarios.items()}
    summary: dict[str, Any] = {"sustained_per_s": rates}
    for floor in ("relay", "durable"):
        if rates.get(floor):
            summary[f"ratio_to_{floor}"] = {
                name: rate / rates[floor]
                for name, rate in rates.items()
                if name not in ("relay", "durable")
            }
    targets = _send_targets(results, rates) + _read_targets(results)
    idle = results.get("idle")
    if idle and idle["levels"]:
        top = idle["levels"][-1]
        name = f"idle: {top['connections']:,} connections in one process, KB each"
        targets.append((name, top["kb_per_connection"], 50.0, "max"))
    for database, found in (results.get("search") or {}).items():
        for key, value in found.items():
            if isinstance(value, dict) and "p50_ms" in value:
                name = f"search on {database}, {key.replace('_', ' ')}: p50 ms"
                targets.append((name, value["p50_ms"], SEARCH_P50_TARGET_MS, "max"))
    summary["targets"] = {
        name: {
            "value": value,
            "bound": bound,
            "kind": kind,
            "met": value <= bound if kind == "max" else value >= bound,
            "ratio": value / bound,  # met at <= 1 for a ceiling, >= 1 for a floor
        }
        for name, value, bound, kind in sorted(
            targets, key=lambda t: (not t[0][0].isdigit(), t[0][:1])
        )
    }
    return summary


def render(results: dict[str, Any]) -> str:
    summary = results.setdefault("summary", summarize(results))
    lines = [
        "Load: open-loop sends by random members; latency = scheduled send -> receipt by the "
        "other side.",
        f"{'scenario':<12}{'offered':>8}{'durable/s':>10}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'p99.9 ms':>9}{'lost':>6}{'unacked':>8}{'srv ms/msg':>11}{'srv CPU':>8}"
        f"{'drv CPU':>8}",
    ]
    for name, scenario in results["scenarios"].items():
        for s in scenario["steps"]:
            lines.append(
                f"{name:<12}{s['rate']:>8}{s['durable_per_s']:>10.0f}{s['p50_ms']:>8.1f}"
                f"{s['p99_ms']:>8.1f}{s['p999_ms']:>9.1f}{s['lost']:>6}{s['unacked']:>8}"
                f"{s['server_cpu_ms_per_msg']:>11.3f}{s['server_cpu_pct']:>7.0f}%"
                f"{s['driver_cpu_pct']:>7.0f}%"
            )
    lines.append("")
    lines.append("Sustained durable msg/s (highest rate kept up with, nothing lost):")
    for name, rate in summary["sustained_per_s"].items():
        ratios = [
            f"{ratio[name]:.2f}x {floor}"
            for floor in ("relay", "durable")
            if name in (ratio := summary.get(f"ratio_to_{floor}", {}))
        ]
        extra = f"  ({', '.join(ratios)})" if ratios else ""
        procs = results["scenarios"][name].get("server_processes", 1)
        conns = results["scenarios"][name].get("connections", 0)
        lines.append(f"  {name:<12}{rate:>8.0f}  {procs} process(es), {conns} sockets{extra}")
    idle = results.get("idle")
    if idle:
        lines.append("")
        lines.append("Idle connections (one process):")
        for level in idle["levels"]:
            lines.append(
                f"  {level['connections']:>6} connections: RSS {level['rss_kb'] / 1024:.0f} MB, "
                f"{level['kb_per_connection']:.1f} KB per connection"
            )
    reads = results.get("reads")
    if reads:
        lines.append("")
        lines.append(
            f"Reads ({reads['issues_in_org']:,} Issues and "
            f"{reads['messages_in_org']:,} messages in the "
            f"organization, {reads['messages_in_room']:,} in the room; HTTP, one at a time):"
        )
        for key, value in reads.items():
            if isinstance(value, dict) and "p50_ms" in value:
                lines.append(
                    f"  {key:<22} p50 {value['p50_ms']:6.2f} ms  p99 {value['p99_ms']:6.2f} ms"
                    f"  ({value['items']} items)"
                )
        made = reads.get("transcript")
        if made:
            lines.append(
                f"  transcript of {made['messages']:,} messages (in process, as the job "
                f"makes it): {made['render_ms']:.0f} ms to read the room and write HTML "
                f"({made['html_bytes'] / 1e6:.1f} MB) and PDF ({made['pdf_bytes'] / 1e6:.1f} MB)"
            )
        for made in reads.get("transcript_renderer", []):
            lines.append(
                f"  transcript renderer alone, {made['entries']:,} entries (own process): "
                f"PDF {made['pdf_s']:.1f} s ({made['pdf_cpu_s']:.1f} s CPU), HTML "
                f"{made['html_s']:.2f} s, peak RSS {made['peak_rss_mb']:.0f} MB"
            )
    texts = results.get("sms")
    if texts:
        lines.append("")
        lines.append(
            f"SMS webhooks ({texts['count']} signed texts, {texts['concurrency']} at once, "
            "one process on SQLite; latency = provider's POST -> agent's websocket):"
        )
        for name in ("webhook", "rest"):
            figure = texts[name]
            label = "inbound webhook" if name == "webhook" else "baseline: REST send"
            cpu = figure.get("server_cpu_ms_per_msg")
            lines.append(
                f"  {label:<22}{figure['per_s']:>8.0f}/s  p50 {figure['p50_ms']:6.1f} ms"
                f"  p99 {figure['p99_ms']:6.1f} ms"
                + (f"  server CPU {cpu:.2f} ms/msg" if cpu is not None else "")
            )
        lines.append(
            f"  webhook / baseline: {texts['ratio_per_s']:.2f}x per second, "
            f"{texts['ratio_p99']:.2f}x p99"
        )
    for database, found in results.get("knowledge", {}).items():
        search, scan = found["search"], found["like_scan"]
        lines.append("")
        lines.append(
            f"Knowledge search, {found['articles']:,} articles ({database}, in process): "
            f"p50 {search['p50_ms']:.2f} ms, p99 {search['p99_ms']:.2f} ms; "
            f"a LIKE scan p50 {scan['p50_ms']:.2f} ms "
            f"({scan['p50_ms'] / max(search['p50_ms'], 1e-6):.1f}x the search)"
        )
    inbound = results.get("mail")
    if inbound:
        lines.append("")
        lines.append(
            f"Inbound mail (SQLite, {inbound['sessions']} SMTP sessions, {inbound['mails']} "
            f"mails): {inbound['stored_per_s']:.0f} parsed and stored per s; DATA -> agent's "
            f"websocket p50 {inbound['p50_ms']:.1f} ms, p99 {inbound['p99_ms']:.1f} ms "
            f"({inbound['received_on_websocket']} received, {inbound['errors']} errors)"
        )
        if "server_cpu_ms_per_msg" in inbound:
            lines.append(f"  server CPU {inbound['server_cpu_ms_per_msg']:.2f} ms per mail")
    for database, found in (results.get("search") or {}).items():
        lines.append("")
        lines.append(
            f"Search on {database} ({found['issues']:,} Issues, {found['messages']:,} messages; "
            "the service, one at a time; baseline: the Open view without words; "
            f"target p50 < {SEARCH_P50_TARGET_MS:g} ms):"
        )
        base = found["open_view_no_words"]["p50_ms"]
        for key, value in found.items():
            if isinstance(value, dict) and "p50_ms" in value:
                ratio = value["p50_ms"] / SEARCH_P50_TARGET_MS
                mark = "met" if ratio < 1 else "MISSED"
                limited = ", ranked among the newest" if value.get("ranking_limited") else ""
                lines.append(
                    f"  [{mark:>6}] {key:<24} p50 {value['p50_ms']:7.2f} ms"
                    f"  p99 {value['p99_ms']:7.2f} ms  {ratio:4.2f}x the target"
                    f"  x{value['p50_ms'] / base:5.1f} the baseline"
                    f"  ({value['hits']} hits{limited})"
                )
    lines.append("")
    lines.append("Targets:")
    for name, check in summary["targets"].items():
        mark = "met" if check["met"] else "MISSED"
        sign = "<=" if check["kind"] == "max" else ">="
        lines.append(
            f"  [{mark:>6}] {name}: {check['value']:.3g} (target {sign} {check['bound']:g}; "
            f"{check['ratio']:.2f}x the target)"
        )
    lines.extend(channel_figures(results))
    for note in results.get("notes", []):
        lines.append(f"note: {note}")
    machine = results["machine"]
    lines.append(
        f"\n{machine['cpus']} CPUs (servers on {machine['server_cpus']}, driver on "
        f"{machine['driver_cpus']}), Python {machine['python']}, {results['seconds']:.0f} s"
    )
    if "loop_10m_s" in machine:
        lines.append(f"a Python loop of 10,000,000 additions: {machine['loop_10m_s']:.2f} s CPU")
    return "\n".join(lines)


def write(results: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = results["finished_at"].replace(":", "").replace("+0000", "Z")
    path = directory / f"bench-{stamp}.json"
    text = json.dumps(results, indent=2, default=str)
    path.write_text(text)
    (directory / "latest.json").write_text(text)
    return path
