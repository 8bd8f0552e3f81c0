"""Texts of the engines that the window shows, marked for translation here.

The engines never import Qt, so their task titles, config field help, recipe and method titles are listed
here for lupdate and translated when shown (``QCoreApplication.translate(context, text)``). A text the
engines change or add shows in English until it is listed here; ``tests/ui/shell/test_i18n.py`` names it.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

TASK_TITLES = (
    QT_TRANSLATE_NOOP("Tasks", "Image classification"),
    QT_TRANSLATE_NOOP("Tasks", "Image denoising (DnCNN)"),
    QT_TRANSLATE_NOOP("Tasks", "Hyperspectral pixel classification"),
    QT_TRANSLATE_NOOP("Tasks", "Cross-modal retrieval"),
)

# ConfigForm: a field's label is its name with spaces; model options are listed too.
FIELD_LABELS = (
    QT_TRANSLATE_NOOP("ConfigForm", "model"),
    QT_TRANSLATE_NOOP("ConfigForm", "data"),
    QT_TRANSLATE_NOOP("ConfigForm", "epochs"),
    QT_TRANSLATE_NOOP("ConfigForm", "batch size"),
    QT_TRANSLATE_NOOP("ConfigForm", "lr"),
    QT_TRANSLATE_NOOP("ConfigForm", "optimizer"),
    QT_TRANSLATE_NOOP("ConfigForm", "momentum"),
    QT_TRANSLATE_NOOP("ConfigForm", "weight decay"),
    QT_TRANSLATE_NOOP("ConfigForm", "scheduler"),
    QT_TRANSLATE_NOOP("ConfigForm", "step size"),
    QT_TRANSLATE_NOOP("ConfigForm", "seed"),
    QT_TRANSLATE_NOOP("ConfigForm", "device"),
    QT_TRANSLATE_NOOP("ConfigForm", "channels last"),
    QT_TRANSLATE_NOOP("ConfigForm", "precision"),
    QT_TRANSLATE_NOOP("ConfigForm", "threads"),
    QT_TRANSLATE_NOOP("ConfigForm", "max steps"),
    QT_TRANSLATE_NOOP("ConfigForm", "checkpoint every"),
    QT_TRANSLATE_NOOP("ConfigForm", "num workers"),
    QT_TRANSLATE_NOOP("ConfigForm", "label smoothing"),
    QT_TRANSLATE_NOOP("ConfigForm", "keep epoch weights"),
    QT_TRANSLATE_NOOP("ConfigForm", "sigma"),
    QT_TRANSLATE_NOOP("ConfigForm", "blind"),
    QT_TRANSLATE_NOOP("ConfigForm", "sigma min"),
    QT_TRANSLATE_NOOP("ConfigForm", "sigma max"),
    QT_TRANSLATE_NOOP("ConfigForm", "val data"),
    QT_TRANSLATE_NOOP("ConfigForm", "components"),
    QT_TRANSLATE_NOOP("ConfigForm", "window"),
    QT_TRANSLATE_NOOP("ConfigForm", "train ratio"),
    QT_TRANSLATE_NOOP("ConfigForm", "pca fit"),
    QT_TRANSLATE_NOOP("ConfigForm", "eval max"),
    QT_TRANSLATE_NOOP("ConfigForm", "final eval"),
    QT_TRANSLATE_NOOP("ConfigForm", "losses"),
    QT_TRANSLATE_NOOP("ConfigForm", "lam"),
    QT_TRANSLATE_NOOP("ConfigForm", "eta"),
    QT_TRANSLATE_NOOP("ConfigForm", "bands"),
    QT_TRANSLATE_NOOP("ConfigForm", "dropout"),
    QT_TRANSLATE_NOOP("ConfigForm", "depth"),
    QT_TRANSLATE_NOOP("ConfigForm", "features"),
    QT_TRANSLATE_NOOP("ConfigForm", "channels"),
    QT_TRANSLATE_NOOP("ConfigForm", "residual"),
    QT_TRANSLATE_NOOP("ConfigForm", "batchnorm"),
    QT_TRANSLATE_NOOP("ConfigForm", "dim a"),
    QT_TRANSLATE_NOOP("ConfigForm", "dim b"),
    QT_TRANSLATE_NOOP("ConfigForm", "hidden"),
    QT_TRANSLATE_NOOP("ConfigForm", "common"),
    QT_TRANSLATE_NOOP("ConfigForm", "width mult"),
    QT_TRANSLATE_NOOP("ConfigForm", "relu6"),
    QT_TRANSLATE_NOOP("ConfigForm", "attention"),
    QT_TRANSLATE_NOOP("ConfigForm", "reduction"),
    QT_TRANSLATE_NOOP("ConfigForm", "squeeze"),
    QT_TRANSLATE_NOOP("ConfigForm", "combine"),
    QT_TRANSLATE_NOOP("ConfigForm", "output"),
    QT_TRANSLATE_NOOP("ConfigForm", "paper residual"),
    QT_TRANSLATE_NOOP("ConfigForm", "width"),
    QT_TRANSLATE_NOOP("ConfigForm", "ssim"),
    QT_TRANSLATE_NOOP("ConfigForm", "val noise"),
    QT_TRANSLATE_NOOP("ConfigForm", "split"),
    QT_TRANSLATE_NOOP("ConfigForm", "aa absent"),
    QT_TRANSLATE_NOOP("ConfigForm", "select weights"),
)

FIELD_HELP = (
    QT_TRANSLATE_NOOP("ConfigForm", "Model architecture (registered name)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Dataset name or path."),
    QT_TRANSLATE_NOOP("ConfigForm", "Number of passes over the training set."),
    QT_TRANSLATE_NOOP("ConfigForm", "Samples per optimisation step (per process under DDP)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Initial learning rate."),
    QT_TRANSLATE_NOOP("ConfigForm", "Optimisation algorithm."),
    QT_TRANSLATE_NOOP("ConfigForm", "SGD momentum."),
    QT_TRANSLATE_NOOP("ConfigForm", "L2 weight decay."),
    QT_TRANSLATE_NOOP("ConfigForm", "Learning-rate schedule over the epochs."),
    QT_TRANSLATE_NOOP("ConfigForm", "Epochs between ×0.1 decays for the step schedule."),
    QT_TRANSLATE_NOOP("ConfigForm", "Seed for initialisation, data split and data order."),
    QT_TRANSLATE_NOOP("ConfigForm", "Where to train."),
    QT_TRANSLATE_NOOP("ConfigForm", "NHWC memory layout for convolutions."),
    QT_TRANSLATE_NOOP("ConfigForm", "Arithmetic of the training steps: fp32, or bf16 autocast where the device has "
                                    "native bf16 (recent GPUs; CPUs with AVX-512 BF16 or AMX); weights, optimizer "
                                    "and evaluation stay fp32."),
    QT_TRANSLATE_NOOP("ConfigForm", "CPU threads for PyTorch (0 = PyTorch's default)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Stop after this many steps (0 = no limit)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Save a checkpoint every N epochs."),
    QT_TRANSLATE_NOOP("ConfigForm", "DataLoader worker processes."),
    QT_TRANSLATE_NOOP("ConfigForm", "Cross-entropy label smoothing."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Also keep the model weights of every epoch (epoch_N.pt), for inspecting earlier "
        "checkpoints."),
    QT_TRANSLATE_NOOP("ConfigForm", "Dataset name (image_folder takes data.root=FOLDER)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Patches per optimisation step (per process under DDP)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Epochs between ×0.1 decays for the step schedule (paper: 1e-3 → 1e-4 at 30)."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Noise level σ on the 8-bit scale: the training σ (unless blind) and the validation σ."),
    QT_TRANSLATE_NOOP("ConfigForm", "Blind training (DnCNN-B): each patch gets σ uniform in [sigma_min, sigma_max]."),
    QT_TRANSLATE_NOOP("ConfigForm", "Lowest σ for blind training."),
    QT_TRANSLATE_NOOP("ConfigForm", "Highest σ for blind training."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Folder of held-out clean images for validation PSNR (empty: the dataset's own)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Patch classifier: hybridsn (3-D→2-D), hybridsn_2d3d, cnn2d or cnn3d."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Scene: indian_pines (offline), pavia_university, salinas, or hsi_file with "
        "data.path=FILE."),
    QT_TRANSLATE_NOOP("ConfigForm", "Number of passes over the training pixels (the authors: 100)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Patches per optimisation step (the authors: 256)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Adam learning rate (the authors: 1e-3)."),
    QT_TRANSLATE_NOOP("ConfigForm", "NHWC layout applies to 2-D images, not to these 3-D patches."),
    QT_TRANSLATE_NOOP("ConfigForm", "PCA components K (the authors: 30 for Indian Pines, 15 for Pavia and Salinas)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Side of the square window around each pixel (odd; the authors: 25)."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Share of labelled pixels used for training, stratified by class and seeded (the paper: "
        "0.3; the course: 0.1)."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Fit the PCA on the whole scene (as the authors, which lets test pixels shape the "
        "components) or on the training pixels only."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Test pixels scored after each epoch (stratified, seeded; 0 = all). The whole test split "
        "is scored once training finishes."),
    QT_TRANSLATE_NOOP("ConfigForm", "Score every test pixel when training finishes (OA, AA, kappa, per class)."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Also keep the model weights of every epoch (epoch_N.pt), so the lab's maps can follow "
        "the epoch scrubber."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Cross-modal model: dscmr (two FC branches, a shared layer, a shared classifier)."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Paired features: indian_pines_views (offline two-view benchmark), pascal_sentence / "
        "wikipedia / nus_wide_10k / xmedianet or dscmr_mat (the authors' .mat files, "
        "data.path=FOLDER), image_text (your images and captions)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Passes over the training pairs (the authors: up to 500)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Pairs per optimisation step (the authors: 100)."),
    QT_TRANSLATE_NOOP("ConfigForm", "Adam learning rate (the authors: 1e-4)."),
    QT_TRANSLATE_NOOP("ConfigForm", "NHWC layout applies to images, not to feature vectors."),
    QT_TRANSLATE_NOOP(
        "ConfigForm",
        "Loss terms trained with, joined by +: j1 (label space), j2 (common space), j3 (modality "
        "invariance)."),
    QT_TRANSLATE_NOOP("ConfigForm", "λ, the weight of J2 (the authors: 1e-3)."),
    QT_TRANSLATE_NOOP("ConfigForm", "η, the weight of J3 (the authors: 0.1)."),
    QT_TRANSLATE_NOOP("ConfigForm", "SSIM window of the validation score: gaussian = 11×11, σ 1.5 (Wang et al., "
                                    "DnCNN/KAIR); uniform = scikit-image's default 7×7."),
    QT_TRANSLATE_NOOP("ConfigForm", "Noise of the validation images: seeded = numpy default_rng(image index); "
                                    "kair = np.random.seed(0) per image, as KAIR's test script."),
    QT_TRANSLATE_NOOP("ConfigForm", "Train/test pixel sets: seed = stratified split seeded by the run's seed; "
                                    "authors = the authors' split (random_state=345) whatever the seed (the "
                                    "training itself still follows the seed)."),
    QT_TRANSLATE_NOOP("ConfigForm", "AA when a class is predicted but has no test pixel: skip = averaged over "
                                    "the classes present in the truth; zero = such a class counts with accuracy "
                                    "0 (the authors' code)."),
    QT_TRANSLATE_NOOP("ConfigForm", "The weights the run ends with and is scored with: last = the final epoch's; "
                                    "best_train = those of the epoch with the best training accuracy (the "
                                    "HybridSN authors' rule, Keras ModelCheckpoint on 'acc'). The test split "
                                    "never picks them."),
)

RECIPE_TITLES = (
    QT_TRANSLATE_NOOP(
        "Recipes",
        "Course notes: 10 epochs, SGD 0.01, momentum 0.9, wd 5e-4, "
        "batch 128 (V1 78.14 %, V2 80.10 % on CIFAR-10)"),
    QT_TRANSLATE_NOOP(
        "Recipes",
        "Full: 200 epochs, SGD 0.1, momentum 0.9, wd 5e-4, cosine, "
        "batch 128 (published V2 94.43 %)"),
)

METHOD_TITLES = (
    QT_TRANSLATE_NOOP("Methods", "Non-local means (scikit-image)"),
    QT_TRANSLATE_NOOP("Methods", "Total variation (Chambolle)"),
    QT_TRANSLATE_NOOP("Methods", "Wavelet BayesShrink (scikit-image)"),
    QT_TRANSLATE_NOOP("Methods", "BM3D (bm3d package)"),
)


def translate(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text) if text else text
