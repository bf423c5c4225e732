"""The pipeline's report step, `python3 -m delivery.build_report`: needs nothing but python3.

Jenkins's `post { always }` runs it through `make report` on every path, also when
`make install` failed, so it imports only the standard library and the delivery modules that
do (report, errors). The build is described by Jenkins's
environment (BUILD_RESULT, JOB_NAME, BUILD_NUMBER, BRANCH_NAME, GIT_COMMIT, BUILD_URL); each
input file is optional, since a failed build did not make them all.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from delivery.errors import DeliveryError
from delivery.report import BuildContext, Sources, collect, write


def context_from_env() -> BuildContext:
    """Describe the build from Jenkins's environment variables."""
    env = os.environ.get
    return BuildContext(job=env("JOB_NAME") or "focus-meditation-agent",
                        number=env("BUILD_NUMBER", ""), branch=env("BRANCH_NAME", ""),
                        commit=env("GIT_COMMIT", ""), url=env("BUILD_URL", ""),
                        result=(env("BUILD_RESULT") or "UNKNOWN").upper())


def main(argv: list[str] | None = None) -> int:
    """Write summary.txt and summary.html, print the text; 1 and one line on a bad input."""
    parser = argparse.ArgumentParser(prog="python3 -m delivery.build_report",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("reports"))
    parser.add_argument("--junit", type=Path, default=Path("reports/junit.xml"))
    parser.add_argument("--coverage", type=Path, default=Path("reports/coverage.xml"))
    parser.add_argument("--model", type=Path, default=Path("model/artifacts/model.json"))
    parser.add_argument("--image-record", type=Path, default=Path("reports/image.json"))
    args = parser.parse_args(argv)
    sources = Sources(junit=args.junit, coverage=args.coverage, model=args.model,
                      image=args.image_record)
    try:
        sys.stdout.write(write(collect(context_from_env(), sources), args.out_dir))
    except DeliveryError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
