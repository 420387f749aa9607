"""`demo`: build the simulated city's store, or write it out as import files."""

from __future__ import annotations

import sys

from tqdm import tqdm

from marketpulse import auth, store
from marketpulse.simulate import MIN_WEEKS, SCALES, build, write_files


def main(args) -> int:
    """CLI entry: build the store (or write files) with a progress bar on the terminal."""
    if args.weeks is not None and args.weeks < MIN_WEEKS:
        print(
            f"--weeks 至少为 {MIN_WEEKS} / --weeks must be at least {MIN_WEEKS} "
            "(so that the planted events and launches fit)",
            file=sys.stderr,
        )
        return 2
    with tqdm(total=100, unit="%", disable=None, bar_format="{l_bar}{bar}| {elapsed}") as bar:

        def progress(fraction: float, message: str) -> None:
            bar.set_description(message)
            bar.update(max(0, round(fraction * 100) - bar.n))

        if args.to_files:
            written = write_files(args.to_files, scale=args.scale, seed=args.seed, weeks=args.weeks, progress=progress)
        else:
            path = store.db_path()
            counts = build(path, scale=args.scale, seed=args.seed, weeks=args.weeks, progress=progress)
            auth.ensure_demo_accounts(path)  # one account per role: `user demo` lists them
    if args.to_files:
        for name, rows in written.items():
            print(f"{name}: {rows:,} 行 / rows")
        print(f"已写出导入文件到 {args.to_files} / Import files written to {args.to_files}")
    else:
        scale = SCALES[args.scale]
        print(
            f"已建成模拟城市({scale.name}):{counts['retailer']:,} 个零售户,{counts['spec']} 个规格,"
            f"{counts['visit_line']:,} 条拜访记录,用时 {counts['total_s']:.0f} 秒 → {path} / "
            f"Simulated city ({scale.name}) built: {counts['retailer']:,} retailers, {counts['spec']} specs, "
            f"{counts['visit_line']:,} visit lines in {counts['total_s']:.0f} s → {path}"
        )
    sys.stdout.flush()
    return 0
