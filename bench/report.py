"""The benchmark's table, its ratios to the floors and its targets, and the JSON file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

P99_TARGET_MS = 25.0


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
    sqlite = scenarios.get("sqlite-ws")
    step_1000 = at_rate(sqlite, 1000)
    checks: dict[str, Any] = {}
    if sqlite:
        fast = sustained(sqlite, p99_ms=P99_TARGET_MS)
        checks["sqlite: >= 2,000 durable msg/s with p99 < 25 ms"] = (fast, fast >= 1900)
    if sqlite and rates.get("durable"):
        ratio = rates["sqlite-ws"] / rates["durable"]
        checks["sqlite: >= 0.3 x the durable floor"] = (ratio, ratio >= 0.3)
    if step_1000:
        cpu = step_1000["server_cpu_ms_per_msg"]
        checks["sqlite: <= 0.5 ms server CPU per message at 1,000 msg/s"] = (cpu, cpu <= 0.5)
    if "pg-ws" in rates and "sqlite-ws" in rates:
        ok = rates["pg-ws"] >= rates["sqlite-ws"]
        checks["postgres+redis, 2 processes: >= sqlite"] = (rates["pg-ws"], ok)
    idle = results.get("idle")
    if idle and idle["levels"]:
        top = idle["levels"][-1]
        per = top["kb_per_connection"]
        checks[f"{top['connections']:,} idle connections: < 50 KB each"] = (per, per < 50)
    reads = results.get("reads")
    if reads:
        for key in ("history_newest_page", "history_middle_page", "inbox_unclaimed", "inbox_mine"):
            p50 = reads[key]["p50_ms"]
            checks[f"{key.replace('_', ' ')}: < 20 ms"] = (p50, p50 < 20)
    summary["targets"] = {name: {"value": v, "met": ok} for name, (v, ok) in checks.items()}
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
            f"Reads ({reads['issues_in_org']:,} Issues in the organization, "
            f"{reads['messages_in_room']:,} messages in the room; HTTP, one at a time):"
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
                f"  transcript of {made['messages']:,} messages (in process): read "
                f"{made['read_ms']:.0f} ms, HTML {made['html_ms']:.0f} ms "
                f"({made['html_bytes'] / 1e6:.1f} MB), PDF {made['pdf_ms']:.0f} ms "
                f"({made['pdf_bytes'] / 1e6:.1f} MB)"
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
            lines.append(
                f"  {label:<22}{figure['per_s']:>8.0f}/s  p50 {figure['p50_ms']:6.1f} ms"
                f"  p99 {figure['p99_ms']:6.1f} ms"
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
    lines.append("")
    lines.append("Targets:")
    for name, check in summary["targets"].items():
        mark = "met" if check["met"] else "MISSED"
        lines.append(f"  [{mark:>6}] {name}: {check['value']:.3g}")
    for note in results.get("notes", []):
        lines.append(f"note: {note}")
    machine = results["machine"]
    lines.append(
        f"\n{machine['cpus']} CPUs (servers on {machine['server_cpus']}, driver on "
        f"{machine['driver_cpus']}), Python {machine['python']}, {results['seconds']:.0f} s"
    )
    return "\n".join(lines)


def write(results: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = results["finished_at"].replace(":", "").replace("+0000", "Z")
    path = directory / f"bench-{stamp}.json"
    text = json.dumps(results, indent=2, default=str)
    path.write_text(text)
    (directory / "latest.json").write_text(text)
    return path
