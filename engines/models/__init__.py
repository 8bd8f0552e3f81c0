"""The architectures: one module per architecture, keyword-only builders.

Importing this package imports every architecture module, and each registers its builders (with the
tasks they serve) in :data:`engines.core.models.MODELS`; that registry imports this package on its
first lookup. A new architecture is one new file here plus its line below. The registry's functions
are re-exported so ``from engines.models import build_model`` keeps working.
"""
from engines.core.models import (  # noqa: F401  (re-exported)
    MODELS,
    ModelSpec,
    build_model,
    load_trained_model,
    model_names,
    model_spec,
    register_model,
)
from engines.models import (  # noqa: E402,F401  (importing registers the builders)
    dncnn,
    dscmr,
    hybridsn,
    mobilenet,
    resnet,
    small_cnn,
)
