#!/usr/bin/python3
"""Baseline for bench/renderer: the same 4-step trajectory drawn with PIL ImageDraw, each
after-image encoded to PNG, as ChartSketcher-style pipelines do it. Run with Debian's python3-pil.

usage: pil_baseline.py CHART.png ACTIONS.json TRAJECTORIES PROCESSES COMPRESS_LEVEL
ACTIONS.json: [{"kind": "rectangle"|"line"|"point"|"circle", "px": [...], "color": [r,g,b], "width": w}]
Prints one JSON line: {"trajectories": n, "seconds": s, "png_bytes": b}.
"""
import io
import json
import sys
import time
from multiprocessing import Pool

from PIL import Image, ImageDraw


def draw(img, a):
    d = ImageDraw.Draw(img)
    c, w, p = tuple(a["color"]), a["width"], a["px"]
    if a["kind"] == "rectangle":
        d.rectangle(p, outline=c, width=w)
    elif a["kind"] == "line":
        d.line(p, fill=c, width=w)
    elif a["kind"] == "point":
        x, y, r = p
        d.ellipse([x - r, y - r, x + r, y + r], fill=c)
    elif a["kind"] == "circle":
        x, y, r = p
        d.ellipse([x - r, y - r, x + r, y + r], outline=c, width=w)


def run(args):
    chart_path, actions, count, level = args
    base = Image.open(chart_path).convert("RGB")
    base.load()
    total = 0
    for _ in range(count):
        img = base.copy()
        for a in actions:
            draw(img, a)
            buf = io.BytesIO()
            img.save(buf, format="PNG", compress_level=level)
            total += buf.tell()
    return total


def main():
    chart_path, actions_path, count, processes, level = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    actions = json.load(open(actions_path))
    run((chart_path, actions, 2, level))  # warm-up
    per = count // processes
    start = time.perf_counter()
    if processes == 1:
        png_bytes = run((chart_path, actions, per, level))
    else:
        with Pool(processes) as pool:
            png_bytes = sum(pool.map(run, [(chart_path, actions, per, level)] * processes))
    seconds = time.perf_counter() - start
    print(json.dumps({"trajectories": per * processes, "seconds": seconds, "png_bytes": png_bytes}))


if __name__ == "__main__":
    main()
