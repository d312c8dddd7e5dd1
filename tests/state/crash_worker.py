"""Delivery worker for the crash test (run as ``python -m tests.state.crash_worker URL OUT N``).

Requeues stale claims (every claim is stale: it runs alone), then claims batches of N, "sends"
each message by appending ``subscriber_id,change_id`` to OUT with flush + fsync, and marks the
batch sent, until the outbox is empty. Prints ``ready`` once started and ``done`` at the end.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta

from state.models import Channel
from state.repository import Repository


def main() -> int:
    """Drain the Telegram outbox into a file."""
    url, out, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repo = Repository.from_url(url)
    repo.requeue_stale_claims(timedelta(0))
    print("ready", flush=True)
    with open(out, "a", encoding="utf-8") as sink:
        while claimed := repo.claim_deliveries(
            Channel.TELEGRAM, limit=batch, worker=f"pid{os.getpid()}"
        ):
            for item in claimed:
                sink.write(f"{item.subscriber.id},{item.change.id}\n")
                sink.flush()
                os.fsync(sink.fileno())
                time.sleep(0.0005)  # a network send takes a moment
            repo.mark_sent([item.delivery.id for item in claimed])
    repo.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
