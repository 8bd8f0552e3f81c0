"""DSCMR, Deep Supervised Cross-Modal Retrieval (Zhen et al., CVPR 2019), over precomputed features.

Two modalities A and B (image and text in the paper) each pass through their own fully connected layer
(``hidden`` = 2048, ReLU); one shared linear layer (``common`` = 1024) maps both into the common space, and
one linear classifier P (``common`` → classes), also shared, maps the common space into the label space.
That is the authors' network (``IDCM_NN``) with its default sizes.

The shared training loop measures FLOPs and latency by calling ``model(x)`` on one tensor, so
:meth:`DSCMR.forward` takes the two modalities concatenated along the feature axis (``dim_a`` then
``dim_b``) and returns ``(u, v, p_u, p_v)``; :meth:`encode_a` and :meth:`encode_b` embed one modality.

The three losses (REFERENCE: "DSCMR"; forms as in the authors' ``calc_loss``):

- J1, label-space discrimination: mean over items of ‖Pᵀu − y‖₂ plus the same for v (y one-hot);
- J2, common-space discrimination: over the image–image, image–text and text–text pairs of a batch, the
  mean of log(1 + e^Γ) − S·Γ with Γ = ½ cos(·,·) and S = 1 for a same-class pair (0 otherwise), summed
  over the three pair sets;
- J3, modality invariance: mean over items of ‖u − v‖₂.

J = J1 + λ·J2 + η·J3 with λ = 1e-3 and η = 0.1 by default.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from engines.core.models import register_model

LOSS_TERMS = ("j1", "j2", "j3")


class DSCMR(nn.Module):
    def __init__(self, *, dim_a: int, dim_b: int, num_classes: int, hidden: int = 2048, common: int = 1024) -> None:
        super().__init__()
        self.dim_a, self.dim_b = dim_a, dim_b
        self.branch_a = nn.Sequential(nn.Linear(dim_a, hidden), nn.ReLU(inplace=True))
        self.branch_b = nn.Sequential(nn.Linear(dim_b, hidden), nn.ReLU(inplace=True))
        self.shared = nn.Linear(hidden, common)
        self.classifier = nn.Linear(common, num_classes)

    def encode_a(self, a: torch.Tensor) -> torch.Tensor:
        return self.shared(self.branch_a(a))

    def encode_b(self, b: torch.Tensor) -> torch.Tensor:
        return self.shared(self.branch_b(b))

    def forward(self, x: torch.Tensor):
        if x.shape[-1] != self.dim_a + self.dim_b:
            raise ValueError(f"DSCMR expects {self.dim_a} + {self.dim_b} = {self.dim_a + self.dim_b} features per "
                             f"item (modality A then B), got {x.shape[-1]}")
        u = self.encode_a(x[:, : self.dim_a])
        v = self.encode_b(x[:, self.dim_a:])
        return u, v, self.classifier(u), self.classifier(v)


def half_cosine(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Γ = ½ cos(x_i, y_j) for every pair (the norms' product clamped at 1e-6, as the authors)."""
    norms = x.norm(dim=1, keepdim=True) @ y.norm(dim=1, keepdim=True).T
    return (x @ y.T) / norms.clamp(min=1e-6) / 2.0


def pair_loss(theta: torch.Tensor, same: torch.Tensor) -> torch.Tensor:
    """Mean of log(1 + e^Γ) − S·Γ; ``softplus`` is log(1 + e^Γ) without overflow."""
    return (F.softplus(theta) - same * theta).mean()


def dscmr_losses(u: torch.Tensor, v: torch.Tensor, p_u: torch.Tensor, p_v: torch.Tensor,
                 labels: torch.Tensor, num_classes: int) -> dict[str, torch.Tensor]:
    """J1, J2 and J3 of one batch of paired items (``labels``: class indices shared by the pair)."""
    onehot = F.one_hot(labels, num_classes).to(u.dtype)
    j1 = (p_u - onehot).norm(dim=1).mean() + (p_v - onehot).norm(dim=1).mean()
    same = (labels[:, None] == labels[None, :]).to(u.dtype)
    j2 = (pair_loss(half_cosine(u, u), same) + pair_loss(half_cosine(u, v), same)
          + pair_loss(half_cosine(v, v), same))
    j3 = (u - v).norm(dim=1).mean()
    return {"j1": j1, "j2": j2, "j3": j3}


def build_dscmr(*, num_classes: int = 20, dim_a: int = 4096, dim_b: int = 300, hidden: int = 2048,
                common: int = 1024) -> nn.Module:
    """DSCMR: one FC branch per modality into a shared layer and a shared linear classifier."""
    for name, value in (("num_classes", num_classes), ("dim_a", dim_a), ("dim_b", dim_b), ("hidden", hidden),
                        ("common", common)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return DSCMR(dim_a=dim_a, dim_b=dim_b, num_classes=num_classes, hidden=hidden, common=common)


register_model("dscmr", tasks=("retrieval",),
               input_shape=lambda dim_a=4096, dim_b=300, **_: (dim_a + dim_b,))(build_dscmr)
