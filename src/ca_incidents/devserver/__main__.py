"""``python -m ca_incidents.devserver [--corpus DIR] --port 8765``: serve fixtures (default: the demo corpus)."""

from __future__ import annotations

import argparse
import logging
import threading

from ca_incidents.bundled import bundled_dir
from ca_incidents.devserver import FixtureCorpus, start
from ca_incidents.devserver.faults import TRANSIENT_MIX, Faults, RateLimitEmulator


def main(argv: list[str] | None = None) -> None:
    """Parse options, start the server and wait for Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m ca_incidents.devserver", description=__doc__)
    parser.add_argument("--corpus", default=None, help="folder with bugs/*.yaml (default: the bundled demo corpus)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests that fail transiently")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--emulate-rate-limit", action="store_true", help="BMO's 75/min then one-hour block")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    server = start(
        FixtureCorpus.from_dir(args.corpus or bundled_dir("demo-corpus")),
        host=args.host,
        port=args.port,
        latency=args.latency,
        faults=Faults(rate=args.fault_rate, kinds=TRANSIENT_MIX, seed=args.seed),
        rate_limit=RateLimitEmulator() if args.emulate_rate_limit else None,
    )
    print(f"Bugzilla-compatible server at {server.url} (REST under /rest); Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
