"""The architectures: one module per architecture, keyword-only builders.

Importing this package imports every module in it, and each registers its builders (with the tasks they serve)
in :data:`engines.core.models.MODELS`; that registry imports this package on its first lookup. A new
architecture is therefore one new file here and nothing else. The registry's functions are re-exported so
``from engines.models import build_model`` keeps working.
"""
import importlib
import pkgutil

from engines.core.models import (  # noqa: F401  (re-exported)
    MODELS,
    ModelSpec,
    build_model,
    load_trained_model,
    model_names,
    model_spec,
    register_model,
)

# Every module, found by listing the package (the frozen bundle lists it too: the spec collects
# engines' submodules and PyInstaller's pkgutil hook lists them).
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")
