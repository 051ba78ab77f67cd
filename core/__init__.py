"""jstui: model-selection studies on Amazon SageMaker from a terminal. The package is laid out in layers
(docs/architecture.md): cli, tui, engine, aws, study, domain, and the emulator beside them."""

__version__ = "0.1.0"
