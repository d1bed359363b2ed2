"""Subprocess driver of tests/test_faults.py: train a small grid (or write a stored result) and, on request, kill
itself with SIGKILL at a chosen point: right after the N-th checkpoint, or in the middle of writing a file (temporary
file written, rename not yet done).

    python fault_driver.py train OUT CKPT [--kill-after-save N | --kill-during-write N]
    python fault_driver.py store ROOT [--kill-during-write 1]
"""

import argparse
import json
import os
import signal
import sys

import numpy as np


def tiny_problem():
    from replication import data
    from replication.experiments import fc_mnist
    from replication.training import Dataset

    tr = data.first_n(data.load_mnist("train", "embedded"), 64)
    te = data.first_n(data.load_mnist("test", "embedded"), 64)
    stats = data.normalization_stats(tr.images)
    ds = Dataset(
        data.flatten(data.standardize(tr.images, stats)),
        data.one_hot(tr.labels),
        tr.labels,
        data.flatten(data.standardize(te.images, stats)),
        data.one_hot(te.labels),
        te.labels,
    )
    return ds, fc_mnist.make_model(16, 2, seed=3)


GRID = dict(lrs=[0.3, 0.1, 0.2], lams=[0.1, 0.01, 0.1], steps=[40, 40, 100])


def spec():
    from replication.training import TrainSpec
    from replication.training.autol2 import AutoL2

    # momentum state, minibatches (a data order that depends on the step), AutoL2 state: all must survive a kill
    return TrainSpec(optimizer="momentum", batch_size=16, evals=16, autol2=AutoL2(every=2))


def die():
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def arm(args):
    """Install the requested kill."""
    import replication.core.atomic as atomic
    import replication.training.checkpoint as checkpoint

    if args.kill_after_save:  # the grid's checkpoint (GridCheckpoint) writes through checkpoint.save_checkpoint
        real_save, count = checkpoint.save_checkpoint, [0]

        def save_then_die(*a, **k):
            out = real_save(*a, **k)
            count[0] += 1
            if count[0] == args.kill_after_save:
                die()
            return out

        checkpoint.save_checkpoint = save_then_die
    if args.kill_during_write:
        real_replace, count = os.replace, [0]

        class OsProxy:
            def __getattr__(self, name):
                return getattr(os, name)

            @staticmethod
            def replace(src, dst):
                count[0] += 1
                if count[0] == args.kill_during_write:
                    die()  # the temporary file is complete, the rename never happens
                return real_replace(src, dst)

        atomic.os = OsProxy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["train", "store"])
    ap.add_argument("out")
    ap.add_argument("ckpt", nargs="?")
    ap.add_argument("--kill-after-save", type=int, default=0)
    ap.add_argument("--kill-during-write", type=int, default=0)
    args = ap.parse_args()
    arm(args)
    if args.mode == "train":
        from replication.training import train_grid

        ds, (apply_fn, params) = tiny_problem()
        hist = train_grid(
            apply_fn,
            params,
            ds,
            GRID["lrs"],
            GRID["lams"],
            GRID["steps"],
            spec(),
            seed=5,
            checkpoint=args.ckpt,
            checkpoint_seconds=0.0,
            log=lambda m: print("LOG", m),
        )
        with open(args.out, "w") as f:
            json.dump([h.to_json() for h in hist], f)
    else:
        from replication.experiments.store import cached_result

        got = cached_result(
            "fault",
            {"x": 1},
            lambda: {"values": np.arange(5).tolist()},
            preset="smoke",
            root=args.out,
            code=cached_result,
        )
        print("REUSED" if got.reused else "COMPUTED")


if __name__ == "__main__":
    main()
