"""Text embedders behind one small interface; the work runs off the event loop.

Not here: storing or comparing vectors (that is PostgreSQL's job, with pgvector).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import httpx

from app.settings import Settings

_TOKEN = re.compile(r"[a-z0-9]+")


HASHING_MODEL = "hashing-v1"  # words and word pairs, blake2b; another algorithm would be another model name


class Embedder(Protocol):
    """Turns texts into unit vectors of a fixed dimension. `name` is its kind, `model` what it computes with."""

    name: str
    model: str
    dimension: int

    def embed_sync(self, texts: list[str]) -> list[list[float]]: ...


def has_direction(embedder: Embedder, text: str) -> bool:
    """Whether the embedder gives the text a vector with a direction (only the hashing one may not)."""
    check = getattr(embedder, "has_direction", None)
    return check(text) if check is not None else True


async def embed(embedder: Embedder, texts: list[str]) -> list[list[float]]:
    """Embed in a worker thread so a slow model never blocks the event loop."""
    return await asyncio.to_thread(embedder.embed_sync, texts)


class HashingEmbedder:
    """Deterministic feature hashing of words and word pairs; no model, no dependency.

    Texts that share words get similar vectors, which is enough for tests and for
    small deployments; it knows nothing of synonyms.
    """

    name = "hashing"
    model = HASHING_MODEL

    def __init__(self, dimension: int = 384) -> None:
        self.dimension = dimension

    def embed_sync(self, texts: list[str]) -> list[list[float]]:
        return [self._embed_one(text) for text in texts]

    def has_direction(self, text: str) -> bool:
        """Whether the text has a word this embedder reads (a-z, 0-9); without one its vector is all zeros."""
        return _TOKEN.search(text.lower()) is not None

    def _embed_one(self, text: str) -> list[float]:
        words = _TOKEN.findall(text.lower())
        features = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
        vector = [0.0] * self.dimension
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimension
            vector[index] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(value * value for value in vector))
        if norm == 0.0:
            return vector  # no words: no direction; has_direction() lets callers decide before they embed
        return [value / norm for value in vector]


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, by name or path (all-MiniLM-L6-v2 by default)."""

    name = "sentence-transformers"

    def __init__(self, model: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = model
        self._model = SentenceTransformer(model, device="cpu")
        dimension = self._model.get_embedding_dimension()
        assert dimension is not None, f"{model} does not say its vector size"
        self.dimension = int(dimension)

    def embed_sync(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return [vector.tolist() for vector in vectors]


class OpenAICompatibleEmbedder:
    """Any server that speaks the OpenAI `/v1/embeddings` API."""

    name = "openai"

    def __init__(self, base_url: str, model: str, dimension: int, api_key: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=30.0)
        self.model = model
        self.dimension = dimension

    def embed_sync(self, texts: list[str]) -> list[list[float]]:
        response = self._client.post("/embeddings", json={"model": self.model, "input": texts})
        response.raise_for_status()
        items = sorted(response.json()["data"], key=lambda item: item["index"])
        return [item["embedding"] for item in items]


class CachedEmbedder:
    """Remembers the vectors of the most recent texts: agents ask the same questions again and again, and a
    local model spends about 11 ms of CPU on each. Vectors are kept as float32 (1.5 kB at 384 dimensions)."""

    def __init__(self, inner: Embedder, size: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.dimension = inner.dimension
        self.size = size
        self._vectors: OrderedDict[str, array] = OrderedDict()
        self._lock = threading.Lock()  # embed_sync runs in worker threads

    def embed_sync(self, texts: list[str]) -> list[list[float]]:
        found: dict[str, array] = {}
        with self._lock:
            for text in texts:
                if text in self._vectors:
                    self._vectors.move_to_end(text)
                    found[text] = self._vectors[text]
        missing = [text for text in dict.fromkeys(texts) if text not in found]
        if missing:
            computed = {text: array("f", vector) for text, vector in zip(missing, self.inner.embed_sync(missing))}
            found.update(computed)
            with self._lock:
                self._vectors.update(computed)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return [found[text].tolist() for text in texts]


@dataclass(frozen=True)
class EmbedderIdentity:
    """Which embedder made (or would make) a deployment's vectors: kind, model, vector size (None where only
    loading the model tells)."""

    kind: str
    model: str | None
    dimension: int | None

    @classmethod
    def of(cls, embedder: Embedder) -> EmbedderIdentity:
        return cls(embedder.name, embedder.model, embedder.dimension)

    def __str__(self) -> str:
        size = f", {self.dimension} dimensions" if self.dimension else ""
        return f"{self.kind} ({self.model or 'model not recorded'}{size})"

    def settings(self) -> str:
        """The environment that configures this embedder."""
        chosen = [f"ALMA_EMBEDDER={self.kind}"]
        if self.kind != "hashing" and self.model:
            chosen.append(f"ALMA_EMBEDDING_MODEL={self.model}")
        if self.kind != "sentence-transformers" and self.dimension:
            chosen.append(f"ALMA_EMBEDDING_DIM={self.dimension}")
        return " ".join(chosen)

    def differs_from(self, recorded: EmbedderIdentity) -> bool:
        """Whether vectors of this embedder cannot be compared with the recorded ones (an unrecorded model or
        size, of deployments recorded before they were, counts as the same)."""
        return (
            self.kind != recorded.kind
            or None not in (self.model, recorded.model)
            and self.model != recorded.model
            or None not in (self.dimension, recorded.dimension)
            and self.dimension != recorded.dimension
        )


def describe_embedder(embedder: Embedder) -> str:
    """What serves, for the start-up log; says so when the embedder matches words, not meaning."""
    described = str(EmbedderIdentity.of(embedder))
    if embedder.name == "hashing":
        described += (
            "; lexical: texts match by shared words, not meaning. For semantic retrieval install the "
            "local model (pip install 'alma-service[sentence-transformers]') and move with `alma reembed`"
        )
    return described


def configured_identity(settings: Settings, recorded_kind: str | None = None) -> EmbedderIdentity:
    """The embedder the settings ask for, without loading it. `auto` keeps the deployment's recorded kind, else
    prefers a local model when one is installed, else hashing."""
    kind: str = settings.embedder
    if kind == "auto":
        kind = recorded_kind or ("sentence-transformers" if _model_installed() else "hashing")
    if kind == "hashing":
        return EmbedderIdentity(kind, HASHING_MODEL, settings.embedding_dim)
    if kind == "openai":
        return EmbedderIdentity(kind, settings.embedding_model, settings.embedding_dim)
    return EmbedderIdentity(kind, settings.embedding_model, None)


def _model_installed() -> bool:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def create_embedder(settings: Settings, recorded_kind: str | None = None, cache: bool = True) -> Embedder:
    """The embedder the settings ask for (see configured_identity), behind a cache of recent texts unless its
    size is 0 or `cache` is off."""
    kind = configured_identity(settings, recorded_kind).kind
    embedder: Embedder
    if kind == "sentence-transformers":
        embedder = SentenceTransformerEmbedder(settings.embedding_model)
    elif kind == "openai":
        embedder = OpenAICompatibleEmbedder(
            settings.openai_base_url, settings.embedding_model, settings.embedding_dim, settings.openai_api_key
        )
    else:
        return HashingEmbedder(settings.embedding_dim)  # hashing is cheaper than a cache look-up
    return (
        CachedEmbedder(embedder, settings.embedding_cache_size) if cache and settings.embedding_cache_size else embedder
    )
