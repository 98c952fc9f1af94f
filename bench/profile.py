"""Summarize a py-spy raw profile (BENCH_PROFILE=DIR make bench writes them):
`python -m bench.profile DIR/sqlite.txt [N]` prints the functions with the most
inclusive and self samples."""

from __future__ import annotations

import sys
from collections import Counter


def summarize(path: str, top: int) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack:
                continue
            samples = int(count)
            total += samples
            frames = stack.split(";")
            own[frames[-1]] += samples
            for frame in set(frames):
                inclusive[frame] += samples
    out = [f"{total} samples"]
    for title, counter in (("inclusive", inclusive), ("self", own)):
        out.append(f"-- {title}")
        for frame, samples in counter.most_common(top):
            out.append(f"{100 * samples / total:5.1f}%  {frame[:150]}")
    return "\n".join(out)


if __name__ == "__main__":
    print(summarize(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40))
