"""One typed request per grid, and its only identity: which data, which model, how it trains, which runs, from which
seeds (:class:`GridRequest`). Its canonical JSON together with the code key is the stored result's key and the
checkpoint's name (:mod:`replication.experiments.grid`), so two chapters that ask for the same runs build the same
request and share one stored result; the request says everything needed to check the store before any data is
loaded, and this module turns it into data (:func:`load_data`) and a network (:func:`build_model`).

Epochs become steps in one place, :meth:`GridRequest.steps`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from flax import nnx

from replication import data as data_lib
from replication.analysis.plan import SweepRun
from replication.core import ledger
from replication.core.validation import check_choice, check_positive_int
from replication.experiments.store import config_key
from replication.models import MLP, functional
from replication.models.convnets import CNN, WideResNet
from replication.training import Dataset, TrainSpec
from replication.training.autol2 import AutoL2

__all__ = ["DATASETS", "MODELS", "DataRequest", "ModelRequest", "GridRequest", "load_data", "build_model",
           "stand_in_name"]  # fmt: skip

STAND_IN = "-stand-in"
# "mnist": MNIST itself (the FC chapter); "cifar10", or what stands in for it where it is absent
DATASETS = ("mnist", "cifar10", "fashion-mnist" + STAND_IN, "mnist" + STAND_IN)
_SHAPES = {"mnist": (28, 28, 1), "cifar10": (32, 32, 3), "fashion-mnist": (28, 28, 1)}


def stand_in_name(dataset: str) -> str:
    """The data set a request's ``dataset`` loads: ``"fashion-mnist-stand-in"`` → ``"fashion-mnist"``."""
    return dataset.removesuffix(STAND_IN)


@dataclasses.dataclass(frozen=True)
class DataRequest:
    """The first ``train_samples``/``test_samples`` images of ``dataset`` (one of :data:`DATASETS`), standardized
    with the training subset's per-channel statistics, averaged over ``downsample``×``downsample`` blocks and, for
    an FC network, ``flatten``-ed; one-hot targets. ``mnist_source`` says where MNIST comes from, and only where
    MNIST is the data (None otherwise, so that requests that load the same images are equal)."""

    dataset: str
    train_samples: int
    test_samples: int
    mnist_source: str | None = None
    downsample: int = 1
    flatten: bool = False

    def __post_init__(self):
        check_choice("dataset", self.dataset, DATASETS)
        check_positive_int("train_samples", self.train_samples)
        check_positive_int("test_samples", self.test_samples)
        check_positive_int("downsample", self.downsample)
        is_mnist = stand_in_name(self.dataset) == "mnist"
        if is_mnist:
            check_choice("mnist_source", self.mnist_source, data_lib.MNIST_SOURCES)
        elif self.mnist_source is not None:
            raise ValueError(f"mnist_source={self.mnist_source!r} must be None for dataset={self.dataset!r}.")

    @property
    def input_shape(self) -> tuple[int, ...]:
        """One input's shape, known without loading: (H, W, C), or (H·W·C,) flattened."""
        h, w, c = _SHAPES[stand_in_name(self.dataset)]
        if h % self.downsample:
            raise ValueError(f"downsample={self.downsample} must divide the images' side {h}.")
        shape = (h // self.downsample, w // self.downsample, c)
        return (math.prod(shape),) if self.flatten else shape


# Each model's options and their defaults (appendix A): a request names every option, so that a default written out
# or left out is the same request.
_MODEL_OPTIONS = {
    "fc": dict(width=2048, depth=3, sigma_w=math.sqrt(2.0)),  # ReLU, σ_b = 0 (Fig. 2a–c; S7 at width 64)
    "cnn": dict(channels=300, hidden=500, batch_norm=False, sigma_w=math.sqrt(2.0)),
    "wrn": dict(depth=28, widen=10, sigma_w=1.0),
}
MODELS = tuple(_MODEL_OPTIONS)


@dataclasses.dataclass(frozen=True)
class ModelRequest:
    """A network of ``kind`` (one of :data:`MODELS`) with every option named (:meth:`of` fills in the defaults)."""

    kind: str
    options: tuple[tuple[str, object], ...]

    @classmethod
    def of(cls, kind: str, **options) -> ModelRequest:
        check_choice("model", kind, MODELS)
        defaults = _MODEL_OPTIONS[kind]
        unknown = sorted(set(options) - set(defaults))
        if unknown:
            raise ValueError(f"model options {unknown} are not options of {kind!r}; its options: {sorted(defaults)}.")
        full = {**defaults, **{k: v for k, v in options.items() if v is not None}}
        return cls(kind, tuple(sorted(full.items())))

    @property
    def option(self) -> dict:
        return dict(self.options)

    @property
    def label(self) -> str:
        """The network as a chapter names it: ``"WRN-28-10"``, ``"CNN with BN"``, ``"FC 2048×3"``."""
        o = self.option
        if self.kind == "wrn":
            return f"WRN-{o['depth']}-{o['widen']}"
        if self.kind == "cnn":
            return "CNN with BN" if o["batch_norm"] else "CNN"
        return f"FC {o['width']}×{o['depth']}"

    @property
    def runs_per_program(self) -> int | None:
        """Runs one compiled program trains at once (speed only, never the result): convnets one at a time (on CPU a
        vmapped grid of 4 ran at 0.82× (CNN) and 0.66× (WRN) the speed of a loop, NOTES.md session 6; on an H200
        two vmapped WRN-28-10 runs at batch 1024 did not finish a 2-step chunk in 140 s where one run takes 0.19 s a
        step, benchmarks/gpu/2026-12-04-h200); FC networks a whole bucket in one vmapped program."""
        return 1 if self.kind != "fc" else None


def _train_json(spec: TrainSpec) -> dict:
    fields = dataclasses.asdict(spec)
    fields.pop("runs_per_program")  # speed only (see ModelRequest.runs_per_program)
    fields["augment"] = list(spec.augment)
    return fields


def _train_from_json(fields: Mapping) -> TrainSpec:
    fields = dict(fields)
    autol2, augment = fields.pop("autol2"), tuple(fields.pop("augment"))
    return TrainSpec(**fields, autol2=None if autol2 is None else AutoL2(**autol2), augment=augment)


@dataclasses.dataclass(frozen=True)
class GridRequest:
    """A grid: every run of ``runs`` (η, λ, epochs) trained on ``data`` with ``model`` as ``train`` says, from the
    initialization ``seed`` (or from each of ``seeds``, all in one program); ``seed`` also orders the data."""

    data: DataRequest
    model: ModelRequest
    train: TrainSpec
    runs: tuple[SweepRun, ...]
    seed: int = 0
    seeds: tuple[int, ...] = ()

    def __post_init__(self):
        if self.train.runs_per_program is not None:
            raise ValueError("train.runs_per_program must be None in a request: the model's kind decides it.")
        if not self.runs:
            raise ValueError("runs must name at least one run.")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds={self.seeds!r} must be distinct.")

    @property
    def label(self) -> str:
        """The stored file's readable prefix: model kind and data set (``"wrn-cifar10"``); the key follows it."""
        return f"{self.model.kind}-{self.data.dataset}"

    @property
    def spec(self) -> TrainSpec:
        """The engine's spec: the request's, with the model's runs per program."""
        return dataclasses.replace(self.train, runs_per_program=self.model.runs_per_program)

    def steps(self) -> tuple[int, ...]:
        """Each run's step budget: its epochs × whole batches per epoch, rounded up, at least one step."""
        per_epoch = self.train.steps_per_epoch(self.data.train_samples)
        return tuple(max(1, math.ceil(r.epochs * per_epoch)) for r in self.runs)

    def to_json(self) -> dict:
        """The canonical JSON (plain dicts, lists and numbers): what the store keys and keeps."""
        return dict(data=dataclasses.asdict(self.data), model=dict(kind=self.model.kind, **self.model.option),
                    train=_train_json(self.train), runs=[dataclasses.asdict(r) for r in self.runs], seed=self.seed,
                    seeds=list(self.seeds))  # fmt: skip

    @classmethod
    def from_json(cls, fields: Mapping) -> GridRequest:
        """The request whose :meth:`to_json` is ``fields``."""
        model = dict(fields["model"])
        return cls(DataRequest(**fields["data"]), ModelRequest.of(model.pop("kind"), **model),
                   _train_from_json(fields["train"]), tuple(SweepRun(**r) for r in fields["runs"]),
                   int(fields["seed"]), tuple(fields["seeds"]))  # fmt: skip

    def key(self, code_key: str) -> str:
        """The store's key of this request trained by the code of key ``code_key``
        (:func:`replication.experiments.store.config_key` of the canonical JSON)."""
        return config_key(self.to_json(), code_key)


@ledger.timed_calls("data loading")
def load_data(request: DataRequest, *, path=None) -> tuple[Dataset, str | None]:
    """The request's images as a :class:`Dataset` (NHWC float32, or vectors), and the stand-in's notice (None when
    the data is the one the chapter asks for). ``path``: where CIFAR-10 is (default: where ``make cifar10`` puts
    it, or ``$REPLICATION_CIFAR10``)."""
    name = stand_in_name(request.dataset)
    if request.dataset == "mnist":
        train, test = (data_lib.load_mnist(split, request.mnist_source) for split in ("train", "test"))
        notice = None
    else:  # the CIFAR setting: CIFAR-10, or the stand-in the request names
        stand_in = "fashion-mnist" if name == "cifar10" else name
        source = request.mnist_source or "full"
        (train, notice), (test, _) = (
            data_lib.load_cifar10_or_stand_in(split, path, stand_in=stand_in, mnist_source=source)
            for split in ("train", "test")
        )
        if train.name != name:
            raise ValueError(f"dataset={request.dataset!r} was asked for, but this machine has {train.name!r}.")
    train, test = data_lib.first_n(train, request.train_samples), data_lib.first_n(test, request.test_samples)
    stats = data_lib.normalization_stats(train.images)

    def prep(images):
        x = data_lib.standardize(images, stats)
        if x.ndim == 3:
            x = x[..., None]
        if request.downsample > 1:
            x = data_lib.average_pool(x, request.downsample)
        return data_lib.flatten(x) if request.flatten else x

    dataset = Dataset(prep(train.images), data_lib.one_hot(train.labels), train.labels, prep(test.images),
                      data_lib.one_hot(test.labels), test.labels)  # fmt: skip
    return dataset, notice


def build_model(model: ModelRequest, input_shape: tuple[int, ...], seed: int):
    """(apply_fn, params) of the requested network for inputs of ``input_shape`` ((H, W, C), or (D,) for FC),
    initialized from ``seed``: appendix A's CNN (σ_w = √2), WRN (σ_w = 1) or FC network (ReLU, σ_w = √2, σ_b = 0)."""
    o, rngs = model.option, nnx.Rngs(seed)
    if model.kind == "cnn":
        h, _, c = input_shape
        return functional(CNN(channels=o["channels"], hidden=o["hidden"], image_size=h, in_channels=c,
                              batch_norm=o["batch_norm"], sigma_w=o["sigma_w"], rngs=rngs))  # fmt: skip
    if model.kind == "wrn":
        return functional(WideResNet(o["depth"], o["widen"], in_channels=input_shape[-1], sigma_w=o["sigma_w"],
                                     rngs=rngs))  # fmt: skip
    return functional(MLP(math.prod(input_shape), 10, width=o["width"], depth=o["depth"], rngs=rngs,
                          sigma_w=o["sigma_w"], sigma_b=0.0))  # fmt: skip
