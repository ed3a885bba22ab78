"""Run one benchmark: `python -m bench NAME [ARGS...]` prints one JSON object on stdout."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys

import bench


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in available():
        print(f"usage: python -m bench NAME   (NAME: {', '.join(available())})", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{argv[0]}")
    result = module.run(argv[1:])
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
