"""l2-dynamics: a re-executable replication of Lewkowycz & Gur-Ari (NeurIPS 2020),
*On the training dynamics of deep networks with L2 regularization*.

Modules, one concept each:

* :mod:`replication.data`: MNIST (full, from a verified PyPI wheel; embedded subset), CIFAR-10, the paper's helpers.
* :mod:`replication.presets`: the ``smoke`` / ``cpu`` / ``paper`` presets and the banner each chapter shows.
* :mod:`replication.provenance`: device, wall time and versions recorded beside every result and caption.
* :mod:`replication.plotting`: Plotly figures that render offline in the static book and live in Jupyter.
* :mod:`replication.results`: atomic JSON results and the headline numbers the landing page collects.
* :mod:`replication.figures`: which chapter reproduces which figure of the paper.
* :mod:`replication.ntk`: the empirical NTK (two independent implementations) and the homogeneity degree (Lemma 1).
"""
__version__ = "0.1.0"
