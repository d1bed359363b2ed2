"""The papermill engine `make book` uses (``--engine replication``): waits on the kernel that always end.

A channel whose readiness wake-up is lost (nbclient #312) is simulated: its reply is there, but a poll with no
deadline never returns; a poll with a deadline times out and then finds it on the next call."""

import asyncio
import time
from queue import Empty

import jupytext
import papermill
import pytest
from nbclient.exceptions import CellTimeoutError

from replication.site import papermill_engine


class LostWakeUpChannel:
    """The reply is ready from the start, but each poll misses it once: a poll without a deadline waits forever."""

    def __init__(self, reply):
        self.reply, self.calls = reply, 0

    async def get_msg(self, timeout=None):
        self.calls += 1
        if self.calls == 1:
            if timeout is None:
                await asyncio.Event().wait()  # forever: the hang
            await asyncio.sleep(timeout)
            raise Empty
        return self.reply


class SilentChannel:
    async def get_msg(self, timeout=None):
        await asyncio.sleep(timeout)
        raise Empty


def test_a_lost_wake_up_costs_one_poll_not_a_hang():
    channel = LostWakeUpChannel({"msg_type": "execute_reply"})
    get_msg = papermill_engine.bounded_get_msg(channel.get_msg, poll_s=0.05)
    start = time.monotonic()
    assert asyncio.run(asyncio.wait_for(get_msg(timeout=None), 5)) == {"msg_type": "execute_reply"}
    assert channel.calls == 2 and time.monotonic() - start < 1


def test_the_callers_timeout_still_ends_the_wait():
    get_msg = papermill_engine.bounded_get_msg(SilentChannel().get_msg, poll_s=0.05)
    start = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(get_msg(timeout=0.3))
    assert 0.3 <= time.monotonic() - start < 1.5


@pytest.mark.slow
def test_engine_executes_a_widget_notebook_and_keeps_the_cell_timeout(tmp_path, monkeypatch):
    wrapped = []
    bounded = papermill_engine.bounded_get_msg
    monkeypatch.setattr(
        papermill_engine, "bounded_get_msg", lambda get_msg: wrapped.append(get_msg) or bounded(get_msg)
    )
    nb = jupytext.reads(
        "# %%\nimport ipywidgets\nipywidgets.IntSlider(value=3)\n\n# %%\nimport time\ntime.sleep(30)\n",
        fmt="py:percent",
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src = tmp_path / "in.ipynb"
    jupytext.write(nb, src)
    with pytest.raises(CellTimeoutError, match=r"(?s)timed out.*after 3 seconds.*time\.sleep\(30\)"):
        papermill.execute_notebook(
            str(src), str(tmp_path / "out.ipynb"), engine_name="replication", execution_timeout=3, progress_bar=False
        )  # the timeout names the cell it stopped
    assert len(wrapped) == 2  # the shell and IOPub channels of the kernel client papermill used
    out = jupytext.read(tmp_path / "out.ipynb")
    assert "application/vnd.jupyter.widget-view+json" in out.cells[0].outputs[0]["data"]
