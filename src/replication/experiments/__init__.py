"""Layer 5, experiments: the result store, one module per experiment (config in, typed result out), and the
presets of every chapter (``configs``)."""
