"""The hyperspectral lab's datasets: each scene (and ``hsi_file``) prepared as lazy patch datasets."""
from __future__ import annotations

from engines.core.data import DataError, DatasetSplits, register_dataset
from engines.hyperspectral import SCENES, load_scene


# -- registered datasets: scene → prepared lazy patch datasets ---------------------------------------------
def _dataset_builder(scene_name: str | None):
    def build(*, seed: int = 0, components: int = 30, window: int = 25, train_ratio: float = 0.3,
              pca_fit: str = "scene", eval_max: int = 0, crop=None, path: str | None = None,
              gt_path: str | None = None, data_dir: str | None = None, download: bool = False,
              split_seed: int | None = None) -> DatasetSplits:
        """``split_seed`` seeds the train/test split (and the PCA) when given, else ``seed`` does; the per-epoch
        test subsample always follows ``seed``."""
        from engines.labs.hsi.patches import prepare_scene

        if scene_name is None and not path:
            raise DataError("dataset hsi_file needs data.path=FILE (.mat or .npy) and optionally data.gt_path=FILE")
        scene = load_scene(scene_name or "file", path=path, gt_path=gt_path, data_dir=data_dir,
                           download=download, crop=crop)
        prepared = prepare_scene(scene, components=components, window=window, train_ratio=train_ratio,
                                 seed=seed if split_seed is None else split_seed, pca_fit=pca_fit)
        train, test = prepared.train_dataset(), prepared.test_dataset(eval_max=eval_max, seed=seed)
        return DatasetSplits(
            name=scene.name, train=train, test=test, num_classes=scene.num_classes,
            input_shape=(1, components, window, window), class_names=list(scene.class_names),
            info={"prepared": prepared, "train": len(train), "test": len(prepared.test_pixels),
                  "evaluated": len(test), "source": scene.source},
        )

    return build


for _name in SCENES:
    register_dataset(_name, tasks=("hsi",))(_dataset_builder(_name))
register_dataset("hsi_file", tasks=("hsi",))(_dataset_builder(None))
