"""The bot's intent classifier: `classify(text) -> Prediction(label, confidence, probabilities)`.

Features are the message's sentence embeddings from the models in BOT_EMBEDDING_MODELS, concatenated (multilingual
e5 and USE by default: on the dev split the pair told "a person, please" from "someone posing as your staff asked
me for my code" better than either alone). A multinomial logistic regression is trained over the labelled examples
of all six languages at once (IntentExample, editable in the admin), so what one language teaches helps the others.

Training happens when the examples change (a Celery task after an admin edit, `manage.py chatbot_train`, or the
first message after a migration), never per request: the weights are stored (IntentModel, for the examples'
version), and every process loads them once for that version and keeps them in memory. Predicting is one small
matrix product after the embeddings.
"""
import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction

from support import embeddings

from .models import BotSettings, IntentExample, IntentModel

logger = logging.getLogger(__name__)

# Inverse regularisation strength; chosen on the dev split (docs/architecture.md).
C = 30.0


class NoExamples(ValueError):
    """No classifier can be trained: the examples were all deleted or deactivated."""


@dataclass
class Prediction:
    label: str
    confidence: float
    probabilities: dict

    def sum(self, labels):
        return sum(self.probabilities.get(str(label), 0.0) for label in labels)


@dataclass
class _Trained:
    labels: list
    weights: np.ndarray
    bias: np.ndarray


def _models():
    return list(settings.BOT_EMBEDDING_MODELS)


def features(texts, *, cached=True):
    """The classifier's input for texts: each model's query embedding, side by side (cached per text for
    customers' messages; the training set is embedded in batches instead)."""
    columns = []
    for name in _models():
        if cached:
            columns.append(np.vstack([embeddings.encode_query(name, text) for text in texts]))
        else:
            columns.append(embeddings.encode(name, texts, kind="query"))
    return np.hstack(columns)


_FITS = {}  # (models, C, examples) digest -> fitted weights: the same examples are never fitted twice by a process
# The weights fitted on the shipped examples ship beside them, so a fresh desk (and the test suite) need not embed
# 3,500 examples before its first answer; used only when the active examples are exactly the shipped ones.
SHIPPED = Path(__file__).resolve().parent / "intent_examples" / "weights.npz"


def examples_digest(rows):
    """What a fit depends on: the models, C and the (text, label) examples."""
    return hashlib.sha256(repr((_models(), C, sorted(rows))).encode()).hexdigest()


def _shipped(digest):
    try:
        data = np.load(SHIPPED)
    except OSError:
        return None
    if str(data["digest"]) != digest:
        return None
    return [str(label) for label in data["labels"]], data["weights"].astype("<f4"), data["bias"].astype("<f4")


def ship(rows):
    """Fit on these examples and write the shipped weights (`manage.py chatbot_train --ship`)."""
    labels, weights, bias = _fit(rows)
    np.savez_compressed(SHIPPED, digest=np.array(examples_digest(rows)), labels=np.array(labels), weights=weights,
                        bias=bias)


def _fit(rows):
    # on first use: scikit-learn loads in ~1 s; only a fit needs it, and the shipped weights usually spare that
    from sklearn.linear_model import LogisticRegression

    digest = examples_digest(rows)
    if digest not in _FITS:
        _FITS[digest] = _shipped(digest)
    if _FITS[digest] is None:
        fitted = LogisticRegression(C=C, max_iter=3000).fit(features([text for text, _label in rows], cached=False),
                                                             [label for _text, label in rows])
        weights = np.asarray(fitted.coef_.T, dtype="<f4")
        bias = np.asarray(fitted.intercept_, dtype="<f4")
        if len(fitted.classes_) == 2:  # sklearn keeps one column for two classes; store both sides
            weights = np.hstack([-weights / 2, weights / 2])
            bias = np.array([-bias[0] / 2, bias[0] / 2], dtype="<f4")
        _FITS[digest] = ([str(c) for c in fitted.classes_], weights, bias)
    return _FITS[digest]


def intent_train(*, version=None):
    """Train on the active examples and store the weights for the examples' version (replacing any stored for it).
    Returns the IntentModel."""
    version = version or BotSettings.current().intent_version
    rows = list(IntentExample.objects.filter(is_active=True).values_list("text", "label"))
    if len({label for _text, label in rows}) < 2:
        raise NoExamples("the intent classifier needs active examples of at least two intents")
    labels, weights, bias = _fit(rows)
    used = ",".join(_models())
    with transaction.atomic():
        IntentModel.objects.filter(version=version, models_used=used).delete()
        stored = IntentModel.objects.create(version=version, models_used=used, labels=labels,
                                            weights=weights.tobytes(), bias=bias.tobytes(), examples=len(rows))
    return stored


class _Memo:
    """The trained weights each process holds, by IntentModel row."""

    def __init__(self):
        self._items, self._lock = {}, threading.Lock()

    def get(self, key):
        with self._lock:
            return self._items.get(key)

    def put(self, key, value):
        with self._lock:
            self._items[key] = value

    def pop(self, key, default=None):
        with self._lock:
            return self._items.pop(key, default)


_MEMO = _Memo()


def _trained(version):
    """The weights stored for a version of the examples (trained now if none are), held in memory by row: a row is
    never changed, only replaced by a new one."""
    used = ",".join(_models())
    pk = IntentModel.objects.filter(version=version, models_used=used).values_list("pk", flat=True).first()
    found = _MEMO.get(pk) if pk is not None else None
    if found is not None:
        return found
    if pk is None:
        try:
            stored = intent_train(version=version)
        except IntegrityError:  # another process trained the same version at the same moment
            stored = IntentModel.objects.get(version=version, models_used=used)
    else:
        stored = IntentModel.objects.get(pk=pk)
    labels = list(stored.labels)
    found = _Trained(labels, np.frombuffer(bytes(stored.weights), dtype="<f4").reshape(-1, len(labels)),
                     np.frombuffer(bytes(stored.bias), dtype="<f4"))
    _MEMO.put(stored.pk, found)
    return found


def intent_ready():
    """Make sure weights exist for the current examples (trains them when none do); returns the IntentModel."""
    version = BotSettings.current().intent_version
    _trained(version)
    return IntentModel.objects.get(version=version, models_used=",".join(_models()))


def classify(text, *, version=None):
    """The most likely label of a message, its probability and every label's probability. With no examples to learn
    from (an admin deactivated them all) every message is a question: the bot still answers from the help center
    and its rules still hand over."""
    try:
        trained = _trained(version or BotSettings.current().intent_version)
    except NoExamples:
        logger.warning("intent classifier: no active examples of two intents or more; every message is a question")
        return Prediction("question", 1.0, {"question": 1.0})
    scores = features([text])[0] @ trained.weights + trained.bias
    scores = np.exp(scores - scores.max())
    probabilities = scores / scores.sum()
    best = int(probabilities.argmax())
    return Prediction(trained.labels[best], float(probabilities[best]),
                      {label: float(p) for label, p in zip(trained.labels, probabilities)})
