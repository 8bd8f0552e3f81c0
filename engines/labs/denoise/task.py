"""Gaussian denoising (DnCNN): train on clean patches with noise added on the fly, validate by PSNR.

Loss: ½‖R(y) − (y − x)‖² per patch, averaged over the batch (the paper's). A residual DnCNN returns
x̂ = y − R(y), so ½‖x̂ − x‖² is the same number; a direct-prediction model (``residual=False``) returns x̂
itself and gets ½‖x̂ − x‖². One expression therefore serves the four ablation variants.

Noise (and, for blind training, each patch's σ) is drawn from torch's *global* RNG in the main process:
checkpoints capture that RNG, so a stopped and resumed run draws exactly the noise an uninterrupted run would.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping

import numpy as np
import torch
from torch.utils.data import Dataset

from engines.core.config import ConfigError, TrainConfig, opt
from engines.core.data import DataError, load_dataset
from engines.core.events import Event
from engines.core.loop import Problem, run_training
from engines.core.tasks import TaskSpec, register_task
from engines.models import build_model


@dataclass
class DenoiseConfig(TrainConfig):
    task: str = opt("denoise", "Task to run.", choices=("denoise",))
    model: str = opt("dncnn_s", "Model architecture (registered name).")
    data: str = opt("skimage_samples", "Dataset name (image_folder takes data.root=FOLDER).")
    batch_size: int = opt(128, "Patches per optimisation step (per process under DDP).", min=1)
    lr: float = opt(1e-3, "Initial learning rate.", min=0.0)
    scheduler: str = opt("step", "Learning-rate schedule over the epochs.", choices=("none", "cosine", "step"))
    step_size: int = opt(30, "Epochs between ×0.1 decays for the step schedule (paper: 1e-3 → 1e-4 at 30).",
                         min=1)
    sigma: float = opt(25.0, "Noise level σ on the 8-bit scale: the training σ (unless blind) and the "
                             "validation σ.", min=0.0)
    blind: bool = opt(False, "Blind training (DnCNN-B): each patch gets σ uniform in [sigma_min, sigma_max].")
    sigma_min: float = opt(0.0, "Lowest σ for blind training.", min=0.0)
    sigma_max: float = opt(55.0, "Highest σ for blind training.", min=0.0)
    val_data: str = opt("", "Folder of held-out clean images for validation PSNR (empty: the dataset's own).")
    ssim: str = opt("gaussian", "SSIM window of the validation score: gaussian = 11×11, σ 1.5 (Wang et al., "
                                "DnCNN/KAIR); uniform = scikit-image's default 7×7.", choices=("gaussian", "uniform"))
    val_noise: str = opt("seeded", "Noise of the validation images: seeded = numpy default_rng(image index); "
                                   "kair = np.random.seed(0) per image, as KAIR's test script.",
                         choices=("seeded", "kair"))


class NoisyValidationSet(Dataset):
    """Validation pairs with fixed noise (seeded by image index, not the global RNG), padded to one size.

    Items are ``(noisy, clean, size)``; images of different sizes are zero-padded to the largest so the
    loop's default collation works, and ``size`` = (h, w) says what to crop back.
    """

    def __init__(self, clean_images: Dataset, sigma: float, noise: str = "seeded") -> None:
        from engines.labs.denoise.methods import add_noise

        cleans = [clean_images[i][0].numpy() for i in range(len(clean_images))]
        self.height = max((c.shape[1] for c in cleans), default=0)
        self.width = max((c.shape[2] for c in cleans), default=0)
        self.items = []
        for index, clean in enumerate(cleans):
            # KAIR reseeds with 0 for every image; the project's generator is seeded by the image's index.
            noisy = add_noise(clean, sigma, seed=0 if noise == "kair" else index, noise=noise)
            self.items.append((self._pad(noisy), self._pad(clean), torch.tensor(clean.shape[1:])))

    def _pad(self, image: np.ndarray) -> torch.Tensor:
        out = torch.zeros((image.shape[0], self.height, self.width), dtype=torch.float32)
        out[:, :image.shape[1], :image.shape[2]] = torch.from_numpy(image)
        return out

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int):
        return self.items[index]


def _train_loss(config: DenoiseConfig):
    def loss_fn(model, batch, device):
        (clean,) = batch
        n = clean.shape[0]
        # Drawn on the CPU generator whatever the device, so the stream is the same on CPU and GPU.
        if config.blind:
            low, high = config.sigma_min / 255.0, config.sigma_max / 255.0
            sigma = (low + (high - low) * torch.rand(n)).view(n, 1, 1, 1)
        else:
            sigma = torch.full((n, 1, 1, 1), config.sigma / 255.0)
        noise = (torch.randn(clean.shape) * sigma).to(device)
        noisy = clean + noise
        restored = model(noisy)
        return 0.5 * (restored - clean).pow(2).sum() / n, n

    return loss_fn


def _eval_sums_for(ssim: str):
    def eval_sums(model, batch, device) -> Mapping[str, float]:
        return _eval_sums(model, batch, device, ssim=ssim)

    return eval_sums


def _eval_sums(model, batch, device, *, ssim: str = "gaussian") -> Mapping[str, float]:
    from engines.labs.denoise.methods import score

    noisy, clean, sizes = batch
    sums = {"psnr": 0.0, "ssim": 0.0, "count": 0.0}
    for i in range(noisy.shape[0]):
        h, w = (int(v) for v in sizes[i])
        # One image at a time keeps memory at one image's activations, whatever the batch size.
        restored = model(noisy[i:i + 1, :, :h, :w]).clamp(0.0, 1.0)[0].float().cpu().numpy()
        reference = clean[i, :, :h, :w].float().cpu().numpy()
        if restored.shape[0] == 1:
            restored, reference = restored[0], reference[0]
        else:
            restored, reference = np.moveaxis(restored, 0, -1), np.moveaxis(reference, 0, -1)
        scores = score(np.rint(reference * 255).astype(np.uint8), restored, bit_depth=8, ssim=ssim)
        sums["psnr"] += scores.psnr
        sums["ssim"] += scores.ssim
        sums["count"] += 1.0
    return sums


def _finalize(sums: Mapping[str, float]) -> dict[str, float]:
    n = sums.get("count", 0.0)
    if not n:
        return {}
    return {"val_psnr": sums["psnr"] / n, "val_ssim": sums["ssim"] / n}


def build_problem(config: DenoiseConfig) -> Problem:
    from engines.labs.denoise.data import ImageList, load_folder_images

    if config.blind and config.sigma_max < config.sigma_min:
        raise ConfigError(f"sigma_max ({config.sigma_max}) must be ≥ sigma_min ({config.sigma_min})")
    options = dict(config.model_options)
    model = build_model(config.model, **options)
    channels = int(getattr(model, "channels", 1))
    data_options = dict(config.data_options)
    data_options.setdefault("seed", config.seed)
    data_options.setdefault("channels", channels)
    if config.val_data and config.data == "image_folder":
        data_options.setdefault("val_fraction", 0.0)
    splits = load_dataset(config.data, **data_options)
    if splits.input_shape[0] != channels:
        raise DataError(f"dataset gives {splits.input_shape[0]}-channel images but the model takes {channels}")
    validation = splits.test
    if config.val_data:
        images, names = load_folder_images(config.val_data, channels=channels)
        validation = ImageList(images, names)
    return Problem(
        model=model,
        train_set=splits.train,
        test_set=NoisyValidationSet(validation, config.sigma, config.val_noise),
        input_shape=splits.input_shape,
        dataset_name=splits.name,
        train_loss=_train_loss(config),
        eval_sums=_eval_sums_for(config.ssim),
        finalize=_finalize,
        primary_metric="val_psnr",
        model_spec={"name": config.model, "options": options},
    )


def fit(config: DenoiseConfig, **kwargs) -> Iterator[Event]:
    """Train a denoiser; see :func:`engines.core.loop.run_training` for the keywords."""
    return run_training(config, build_problem, **kwargs)


register_task(
    TaskSpec(
        name="denoise",
        title="Image denoising (DnCNN)",
        config_cls=DenoiseConfig,
        fit=fit,
        primary_metric="val_psnr",
    )
)


def checkpoint_for_model(config: DenoiseConfig, model: torch.nn.Module, model_spec: dict) -> dict:
    """A loop-format checkpoint at epoch 0 for a model that was not trained here (imported weights).

    It carries fresh optimizer/scheduler states and the RNG state ``config.seed`` gives, so ``resume``
    fine-tunes it exactly like a run that had just started. The process's global RNG is left as it was.
    """
    from engines.core.loop import fresh_training_state

    return {"task": config.task, "config": config.to_dict(), "model_spec": model_spec, "model": model.state_dict(),
            "epoch": 0, "step": 0, **fresh_training_state(config, model)}
