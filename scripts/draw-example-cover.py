"""Draw the fictional example's cover photograph (examples/ruritania/cover.jpg):
an invented landscape, hills over a river town, drawn by numbers so that it can be
drawn again byte for byte (`.venv/bin/python scripts/draw-example-cover.py`).
It is no photograph of any real place."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "examples" / "ruritania" / "cover.jpg"


def main() -> None:
    rng = np.random.default_rng(1894)  # The Prisoner of Zenda's year
    fig = plt.figure(figsize=(13.5, 7.25), dpi=200)  # 300 dpi across the cover
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0.75, 11.25)
    ax.set_ylim(0.2, 5.8)
    ax.axis("off")
    sky = np.linspace(0, 1, 256).reshape(-1, 1)
    ax.imshow(sky, extent=(0, 12, 2, 6), cmap="Blues", vmin=-0.6, vmax=1.6, aspect="auto",
              origin="lower")
    x = np.linspace(0, 12, 400)
    for depth, (base, colour) in enumerate(((3.6, "#6d8f7a"), (3.0, "#4f7a5c"),
                                            (2.4, "#3b6246"))):
        y = base + 0.5 * np.sin(x * (0.7 + 0.3 * depth) + depth) + \
            0.15 * np.sin(x * 3.1 + depth * 2)
        ax.fill_between(x, 0, y, color=colour, lw=0)
    ax.fill_between(x, 0, 0.9 + 0.15 * np.sin(x * 1.3), color="#5b86a8", lw=0)  # the river
    for _ in range(40):  # the town: houses with red roofs
        hx, hy = rng.uniform(1, 11), rng.uniform(1.1, 2.0)
        w, h = rng.uniform(0.25, 0.5), rng.uniform(0.2, 0.4)
        ax.add_patch(plt.Rectangle((hx, hy), w, h, color="#efe6d2", lw=0))
        ax.add_patch(plt.Polygon(((hx - 0.05, hy + h), (hx + w + 0.05, hy + h),
                                  (hx + w / 2, hy + h + 0.25)), color="#b0483a", lw=0))
    ax.add_patch(plt.Rectangle((5.8, 2.0), 0.35, 1.6, color="#d9cfb8", lw=0))  # a tower
    ax.add_patch(plt.Polygon(((5.75, 3.6), (6.2, 3.6), (5.975, 4.2)), color="#7a3b30", lw=0))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    plt.close(fig)
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").save(OUT, "JPEG", quality=80, optimize=True)


if __name__ == "__main__":
    main()
