"""Answer cards for the course's questions: the mechanism, the verdict of the user's own runs, the papers' numbers.

Each :class:`Question` names the study preset that answers it by experiment. :func:`answer` finds the newest
study of that preset with finished runs, judges them with :mod:`workbench.verdicts` (the study's factor, the
task's primary metric) and sets the published numbers beside (:func:`workbench.reference.reference_results`
where the table has them; the SENet squeeze ablation and the HybridSN paper's 2-D / 3-D CNN baselines, which it
does not, are written here with their sources).

Qt-free: the window's "Course questions" view and tests share it. Texts are marked with ``QT_TRANSLATE_NOOP``
in context ``"Answers"`` (the verdicts' sentences in ``"Verdicts"``); the window passes ``translate(context, text)``
to have them in its language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from workbench.store import Run, RunStore
from workbench.studies import PRESETS, QT_TRANSLATE_NOOP, study_of
from workbench.verdicts import Verdict, VerdictError, verdict_for_runs

Translate = Callable[[str, str], str]  # (context, text) → text


@dataclass(frozen=True)
class PaperNumber:
    """One published number as a card shows it: ``what`` (e.g. "squeeze: average pooling"), ``value`` as
    printed ("22.28 % top-1 error"), and where it comes from."""

    what: str
    value: str
    source: str


@dataclass(frozen=True)
class Question:
    name: str
    preset: str  # the study preset that answers it (workbench.studies.PRESETS)
    title: str
    mechanism: str
    paper_note: str  # how the published numbers relate to the study's runs
    # The published numbers, their words passed through the given translation (``t(text)``) before numbers
    # are put in, so a catalog holds each phrase once.
    paper: Callable[..., list[PaperNumber]] = field(compare=False, repr=False)


@dataclass
class GroupLine:
    label: str  # the factor's value
    n: int
    mean: str  # as the verdict's unit prints it
    std: str | None


@dataclass
class Answer:
    """A question with the user's evidence: ``study`` is None while no study of its preset has a finished run."""

    question: Question
    study: str | None = None
    run_ids: list[int] = field(default_factory=list)  # the study's finished runs
    total_runs: int = 0  # all runs of the study, queued or failed included
    factor: str | None = None
    metric: str | None = None  # the metric's label ("test accuracy")
    unit: str = ""  # "points", "dB" or ""
    groups: list[GroupLine] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)  # one per group against the baseline
    sentence_notes: list[list[str]] = field(default_factory=list)  # the caveats of each sentence
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # why there is no verdict although runs exist (one group finished, …)
    verdict: Verdict | None = None
    paper: list[PaperNumber] = field(default_factory=list)

    @property
    def has_runs(self) -> bool:
        return bool(self.run_ids)


# -- the published numbers -------------------------------------------------------------------------------
def _reference(**match) -> list[dict]:
    from workbench.reference import reference_results

    return [e for e in reference_results() if all(e.get(k) == v for k, v in match.items())]


def _same(text: str) -> str:
    return text


def _percent(value: float) -> str:
    return f"{value * 100:.2f} %"


def _output_activation_paper(t: Callable[[str], str] = _same) -> list[PaperNumber]:
    return [PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "nn.CrossEntropyLoss input")),
                        t(QT_TRANSLATE_NOOP("Answers", "unnormalised logits (it applies LogSoftmax, then NLLLoss)")),
                        "PyTorch documentation, torch.nn.CrossEntropyLoss")]


def _dncnn_paper(t: Callable[[str], str] = _same) -> list[PaperNumber]:
    out = []
    for dataset, label in (("set12", "Set12"), ("bsd68", "BSD68")):
        for entry in _reference(model="dncnn_s", dataset=dataset, metric="psnr", sigma=25):
            out.append(PaperNumber(f"DnCNN-S, {label}, σ = 25", f"{entry['value']:.2f} dB", entry["source"]))
    out.append(PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "residual learning × batch norm (Fig. 2, BSD68, σ = 25)")),
                           t(QT_TRANSLATE_NOOP("Answers", "residual + BN converges fastest and highest, with SGD "
                                                          "and with Adam")),
                           "Zhang et al., IEEE TIP 2017"))
    return out


def _dscmr_paper(t: Callable[[str], str] = _same) -> list[PaperNumber]:
    names = {"j1+j2+j3": QT_TRANSLATE_NOOP("Answers", "full (J1 + J2 + J3)"),
             "j2+j3": QT_TRANSLATE_NOOP("Answers", "without J1"),
             "j1+j3": QT_TRANSLATE_NOOP("Answers", "without J2"),
             "j1+j2": QT_TRANSLATE_NOOP("Answers", "without J3"),
             "j1": QT_TRANSLATE_NOOP("Answers", "J1 only")}
    out = []
    for dataset, label in (("pascal_sentence", "Pascal Sentence"), ("nus_wide_10k", "NUS-WIDE-10k")):
        for losses, name in names.items():
            for entry in _reference(model="dscmr", dataset=dataset, metric="map_average"):
                if entry.get("losses", "j1+j2+j3") == losses:
                    out.append(PaperNumber(f"{label}: {t(name)}", f"mAP {entry['value']:.3f}", entry["source"]))
    return out


def _hybridsn_paper(t: Callable[[str], str] = _same) -> list[PaperNumber]:
    out = []
    for entry in _reference(model="hybridsn", dataset="indian_pines", metric="overall_accuracy"):
        if entry.get("split") == 0.1:
            out.append(PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "HybridSN (3-D → 2-D), Indian Pines, 10 % training")),
                                   f"OA {_percent(entry['value'])}", entry["source"]))
    source = "Roy et al., IEEE GRSL 2020 (baselines, 30 % training)"
    for what, value in ((QT_TRANSLATE_NOOP("Answers", "2-D CNN alone, Indian Pines"), 0.8948),
                        (QT_TRANSLATE_NOOP("Answers", "3-D CNN alone, Indian Pines"), 0.9110)):
        out.append(PaperNumber(t(what), f"OA {_percent(value)}", source))
    for entry in _reference(model="hybridsn", dataset="indian_pines", metric="overall_accuracy"):
        if entry.get("split") == 0.3:
            out.append(PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "HybridSN (3-D → 2-D), Indian Pines, 30 % training")),
                                   f"OA {_percent(entry['value'])}", entry["source"]))
    return out


def _se_paper(t: Callable[[str], str] = _same) -> list[PaperNumber]:
    # The SENet ablations are not in assets/reference_results.json (it holds CIFAR-10 and the labs' results).
    senet = "Hu et al., CVPR 2018 / TPAMI 2019 (SE-ResNet-50, ImageNet)"
    error = t(QT_TRANSLATE_NOOP("Answers", "%1 % top-1 error"))
    return [
        PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "ResNet-50 → SE-ResNet-50")), error.replace("%1", "24.80 → 23.29"),
                    senet),
        PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "squeeze: average pooling")), error.replace("%1", "22.28"), senet),
        PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "squeeze: max pooling")), error.replace("%1", "22.57"), senet),
        PaperNumber(t(QT_TRANSLATE_NOOP("Answers", "scSE branches merged")),
                    t(QT_TRANSLATE_NOOP("Answers", "by addition in the paper, by element-wise max in the authors' "
                                                   "code")),
                    "Roy et al., MICCAI 2018; ai-med/squeeze_and_excitation"),
    ]


# -- the questions ---------------------------------------------------------------------------------------
QUESTIONS: tuple[Question, ...] = (
    Question(
        name="output-activation",
        preset="output-activation",
        title=QT_TRANSLATE_NOOP("Answers", "Does the output layer need an activation?"),
        mechanism=QT_TRANSLATE_NOOP(
            "Answers",
            "No. nn.CrossEntropyLoss takes raw logits and applies log-softmax itself. A softmax before it "
            "squashes the logits into [0, 1]: the loss then sees scores that differ by at most 1, so it cannot "
            "fall below about 1.46 with 10 classes, and the gradients are squashed with them (multiplied by the "
            "softmax's Jacobian, small where a class is already confident): training slows and stalls. A "
            "log-softmax before it changes nothing but the cost, since log-softmax of a log-softmax is the same "
            "log-softmax. For probabilities, apply softmax at prediction time, outside the loss."),
        paper_note=QT_TRANSLATE_NOOP("Answers", "No paper measures this: it follows from the loss's definition."),
        paper=_output_activation_paper,
    ),
    Question(
        name="dncnn-residual",
        preset="dncnn-residual",
        title=QT_TRANSLATE_NOOP("Answers", "Why does DnCNN predict the residual?"),
        mechanism=QT_TRANSLATE_NOOP(
            "Answers",
            "DnCNN outputs the noise v and returns the clean estimate y − v. The clean image x is most of the noisy input y, "
            "so predicting x means learning a near-identity mapping through 17 layers; the residual y − x is "
            "small, zero-mean and without image structure, a target close to zero that is easier to learn (the "
            "argument of ResNet). Batch normalisation keeps each layer's input distribution steady and, the "
            "authors find, works together with residual learning: the noise target is roughly Gaussian, as "
            "batch norm's standardised activations are. Their ablation: residual + BN trains fastest and best."),
        paper_note=QT_TRANSLATE_NOOP("Answers", "The paper trains DnCNN-S (17 layers, 64 features) on 400 images; "
                                                "the study's small DnCNN on a few patches compares the four "
                                                "variants' shape, not these values."),
        paper=_dncnn_paper,
    ),
    Question(
        name="dscmr-j2",
        preset="dscmr-j2",
        title=QT_TRANSLATE_NOOP("Answers", "DSCMR: does J2 matter?"),
        mechanism=QT_TRANSLATE_NOOP(
            "Answers",
            "J1 separates the classes in label space through a linear classifier shared by both modalities; "
            "J2 asks the same of the common space directly, pulling same-class image–text, image–image and "
            "text–text pairs together by cosine similarity; J3 pulls each image towards its own text. Because "
            "J1's shared classifier already forces class-separated common features, and J2 is weighted by "
            "λ = 1e-3 in the authors' code, J2 adds little: removing it costs a thousandth of mAP where removing "
            "J1 costs a tenth or more. It is there as a regulariser of the common space's geometry."),
        paper_note=QT_TRANSLATE_NOOP("Answers", "The paper's ablation uses VGG-19 and sentence-CNN features; the "
                                                "study runs on the offline two-view benchmark, so compare how "
                                                "much each removal costs, not the values."),
        paper=_dscmr_paper,
    ),
    Question(
        name="hybridsn-order",
        preset="hybridsn-order",
        title=QT_TRANSLATE_NOOP("Answers", "HybridSN: 3-D then 2-D, or 2-D then 3-D?"),
        mechanism=QT_TRANSLATE_NOOP(
            "Answers",
            "HybridSN's 3-D convolutions slide along the spectral axis as well as in space (kernels 7, 5 and "
            "3 bands deep), learning spectral–spatial features from the PCA cube; one 2-D convolution then "
            "mixes those feature maps in space, far cheaper than more 3-D layers. Reversed, the first 2-D "
            "convolution folds all the bands into 64 maps at once, and the 3-D convolutions after it slide "
            "over those maps as if they were ordered bands, which they are not: the spectral structure the "
            "3-D kernels exist for is gone before they see it."),
        paper_note=QT_TRANSLATE_NOOP("Answers", "The paper has no 2-D → 3-D control; its 2-D-only and 3-D-only "
                                                "CNN baselines show what each kind of layer gives alone."),
        paper=_hybridsn_paper,
    ),
    Question(
        name="se-dimension",
        preset="se-dimension",
        title=QT_TRANSLATE_NOOP("Answers", "Squeeze-and-excitation: along channels, space or both?"),
        mechanism=QT_TRANSLATE_NOOP(
            "Answers",
            "Channel SE squeezes each channel to one number by global pooling and excites through a small "
            "bottleneck and a sigmoid: it reweights which features matter, the same at every position. Spatial "
            "SE (sSE) squeezes the channels with a 1×1 convolution into one map and reweights where to look, "
            "the same for every channel. scSE does both side by side. Average pooling lets every position "
            "speak for its channel; max pooling keeps only the strongest response, which SENet found slightly "
            "worse. For classifying a whole image, channel SE is the natural fit; spatial gating pays off where "
            "every position needs its own answer, as in segmentation, for which Roy et al. designed it."),
        paper_note=QT_TRANSLATE_NOOP("Answers", "SENet's numbers are ImageNet top-1 errors of SE-ResNet-50 (lower "
                                                "is better); the study's small CNN on digits shows the direction "
                                                "of each change, not these values."),
        paper=_se_paper,
    ),
)


def question(name: str) -> Question:
    for q in QUESTIONS:
        if q.name == name:
            return q
    raise KeyError(f"no question {name!r}; the questions are: {', '.join(q.name for q in QUESTIONS)}")


# -- the user's runs -------------------------------------------------------------------------------------
def _study_pattern(preset_name: str) -> re.Pattern[str]:
    # plan_preset names a study "<preset>-YYYYmmdd-HHMMSS": the date keeps "output-activation" from also
    # matching the studies of "output-activation-mobilenet".
    return re.compile(rf"^{re.escape(preset_name)}-\d{{8}}-\d{{6}}$")


def preset_studies(runs: Sequence[Run], preset_name: str) -> dict[str, list[Run]]:
    """The studies of a preset among ``runs``, by id, each with its runs."""
    pattern = _study_pattern(preset_name)
    studies: dict[str, list[Run]] = {}
    for run in runs:
        study = study_of(run.tags)
        if study and pattern.match(study):
            studies.setdefault(study, []).append(run)
    return studies


def newest_study(store: RunStore, preset_name: str) -> tuple[str, list[Run]] | None:
    """The newest study of the preset that has a finished run, with all its runs; ``None`` if there is none."""
    studies = {sid: runs for sid, runs in preset_studies(store.list_runs(search=f"study:{preset_name}-"),
                                                         preset_name).items()
               if any(r.status == "finished" for r in runs)}
    if not studies:
        return None
    newest = max(studies, key=lambda sid: (max(r.created_at for r in studies[sid]), sid))
    return newest, studies[newest]


def answer(store: RunStore, q: Question, *, translate: Translate | None = None, resamples: int | None = None,
           study: str | None = None) -> Answer:
    """``q`` with the verdict of the newest study of its preset (or of ``study``, a study id of that preset): its
    finished runs grouped by the study's factor, on the task's primary metric; and the published numbers."""
    def t(text: str) -> str:
        return translate("Answers", text) if translate else text

    def verdict_text(text: str) -> str:
        return translate("Verdicts", text)

    paper = q.paper(t)
    out = Answer(question=q, paper=paper)
    if study is not None:
        chosen = preset_studies(store.list_runs(search=f"study:{study}"), q.preset).get(study)
        found = (study, chosen) if chosen and any(r.status == "finished" for r in chosen) else None
    else:
        found = newest_study(store, q.preset)
    if found is None:
        return out
    out.study, runs = found
    finished = [r for r in runs if r.status == "finished"]
    out.total_runs, out.run_ids = len(runs), [r.id for r in finished]
    out.factor = PRESETS.get(q.preset).factor if q.preset in PRESETS.names() else None
    options = {} if resamples is None else {"resamples": resamples}
    try:
        verdict = verdict_for_runs(store, finished, by=out.factor, translate=verdict_text if translate else None,
                                   **options)
    except VerdictError as exc:
        out.problem = str(exc)
        return out
    out.verdict = verdict
    metric = verdict.metrics[0]
    out.metric, out.unit = metric.label, metric.unit.unit
    out.groups = [GroupLine(g.label, g.n, metric.unit.number(g.mean),
                            None if g.std is None else metric.unit.number(g.std)) for g in metric.groups]
    out.sentences = [c.sentence for c in metric.comparisons]
    out.sentence_notes = [list(c.notes) for c in metric.comparisons]
    out.notes = list(verdict.notes) + list(metric.notes)
    return out


def question_of_study(study: str) -> Question | None:
    """The question a study answers, from its id (``None`` for a custom study or another preset's)."""
    for q in QUESTIONS:
        if _study_pattern(q.preset).match(study):
            return q
    return None


def answers(store: RunStore, *, translate: Translate | None = None) -> list[Answer]:
    return [answer(store, q, translate=translate) for q in QUESTIONS]
