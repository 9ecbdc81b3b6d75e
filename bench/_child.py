"""Runs one benchmark job in this fresh process: ``python -m bench._child MODULE:FUNCTION PARAMS RESULT``.

``PARAMS`` is a JSON file of keyword arguments; the function's JSON-able return value is
written to ``RESULT``. The job times itself (start-up and imports are not its figure);
the parent measures the process's wall time and memory.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    target, params_file, result_file = argv
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    result = function(**json.loads(Path(params_file).read_text()))
    Path(result_file).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
