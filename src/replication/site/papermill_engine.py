"""A papermill engine whose waits on the kernel always end: ``papermill --engine replication`` (what `make book` uses).

Why. papermill's default engine (nbclient) waits for a cell's reply with ``shell_channel.get_msg(timeout=None)``
when no execution timeout is set, and for its output with ``iopub_channel.get_msg(timeout=None)`` always. Each is
one ``zmq.asyncio`` poll with no deadline, woken only by the socket's edge-triggered readiness notification; when
that wake-up is lost, the reply sits in the socket and the wait never ends (nbclient's open issue #312, seen here
after the data chapter's widget cell: 1 hang in 40 executions). Here every wait on a kernel channel is a loop of
polls of at most :data:`POLL_S` seconds: a poll that times out re-checks the socket (pyzmq polls it once more with a
zero timeout), so a missed wake-up costs at most :data:`POLL_S` and never a hang. The caller's own timeout (papermill's
``--execution-timeout``, per cell) is kept: past it the cell fails with nbclient's timeout error naming the cell.
"""

from __future__ import annotations

import functools
import time
from queue import Empty

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine

__all__ = ["POLL_S", "bounded_get_msg", "BoundedWaitClient", "BoundedWaitEngine"]

POLL_S = 1.0


def bounded_get_msg(get_msg, poll_s: float = POLL_S):
    """Wrap an async channel's ``get_msg(timeout=None)`` so that it polls at most ``poll_s`` seconds at a time until
    a message arrives or the caller's ``timeout`` (None: none) has passed, then raises ``queue.Empty`` as before."""

    @functools.wraps(get_msg)
    async def wrapper(timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = poll_s if deadline is None else min(poll_s, max(deadline - time.monotonic(), 0.0))
            try:
                return await get_msg(timeout=left)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    wrapper.bounded = True
    return wrapper


class BoundedWaitClient(PapermillNotebookClient):
    """papermill's notebook client with :func:`bounded_get_msg` on the kernel client's shell and IOPub channels."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        for channel in (kc.shell_channel, kc.iopub_channel):
            if not getattr(channel.get_msg, "bounded", False):
                channel.get_msg = bounded_get_msg(channel.get_msg)
        return kc

    # nbclient binds its synchronous twin to its own coroutine at class creation; bind it to this one
    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class BoundedWaitEngine(NBClientEngine):
    """papermill's nbclient engine, executing with :class:`BoundedWaitClient` (registered as ``replication``)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        import papermill.engines as engines

        # NBClientEngine builds its client by this module-level name; swap it in for this call only
        original = engines.PapermillNotebookClient
        engines.PapermillNotebookClient = BoundedWaitClient
        try:
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
        finally:
            engines.PapermillNotebookClient = original
