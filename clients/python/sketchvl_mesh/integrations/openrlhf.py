"""OpenRLHF: the reward service speaks OpenRLHF's remote reward-model protocol over HTTP, so
OpenRLHF needs no code from this package at training time, only a URL and a label column.

1. Dataset: give every row a label column holding a JSON string (``make_label``)::

       {"image": "images/cw-4.png", "question": "What is ...?", "references": ["36"]}

   ``image`` is a ``"sha256:<hex>"`` digest the service holds, or a path the **service** reads,
   relative to (or absolute inside) the directory it was started with ``--image-root``. Paths are
   the robust choice for long runs: digests live in a bounded in-memory store, per replica.

2. Training::

       --reward.remote_url http://reward-host:8055/get_reward   (older: --remote_rm_url)
       --label_key label

   OpenRLHF POSTs ``{"query": [prompt+response], "prompts": [prompt], "labels": [label]}``; the
   service finds the response in each query (past padding and the prompt's own example turns),
   and answers ``{"rewards": [outcome], "scores": [0/1 correctness, for dynamic filtering],
   "extra_logs": {"process_mean", "process_min", "process_score", "format_ok"}}``, every number a
   JSON float (``1.0``: OpenRLHF's torch.tensor of the list is then float32). A sample the mesh
   could not score answers HTTP 503 (OpenRLHF retries) rather than a reward of 0; a bad label
   (``"references"`` not a list of strings included) answers 400 naming the field.

``request_rewards`` sends the same request OpenRLHF sends, for checking a setup by hand.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

DEFAULT_HTTP_PORT = 8055


def make_label(image: str, question: str, references: Union[str, Sequence[str]]) -> str:
    """The label JSON string for one dataset row.

    Args:
        image: ``"sha256:<64 hex>"`` or a path under the service's ``--image-root``.
        question: the question about the image.
        references: the accepted answer(s); the first is the ground truth.
    """
    if not isinstance(image, str) or not image:
        raise ValueError("image must be a 'sha256:' digest or a path (str)")
    refs = [references] if isinstance(references, str) else list(references)
    bad = [r for r in refs if not isinstance(r, str)]
    if bad:
        raise TypeError(f"references must be strings, got {type(bad[0]).__name__} {bad[0]!r}")
    if not refs:
        raise ValueError("give at least one reference answer")
    return json.dumps({"image": image, "question": question, "references": refs}, ensure_ascii=False, separators=(",", ":"))


def reward_url(host: str = "127.0.0.1", port: int = DEFAULT_HTTP_PORT, path: str = "/get_reward", scheme: str = "http") -> str:
    """The value of ``--reward.remote_url`` (any path works; several URLs may be comma-separated)."""
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{scheme}://{host}:{int(port)}{path if path.startswith('/') else '/' + path}"


def add_labels(
    rows: Iterable[Mapping[str, Any]],
    *,
    image_key: str = "image",
    question_key: str = "question",
    answer_key: str = "answer",
    label_key: str = "label",
) -> Iterator[dict]:
    """Rows with a label column added (e.g. from ChartWorld's questions.jsonl, whose ``image`` is
    a path relative to the export folder: start the service with ``--image-root`` that folder)."""
    for row in rows:
        out = dict(row)
        answer = row[answer_key]
        out[label_key] = make_label(str(row[image_key]), str(row.get(question_key, "")), answer if isinstance(answer, (list, tuple)) else str(answer))
        yield out


class RewardHttpError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def request_rewards(
    url: str,
    query: Sequence[str],
    prompts: Sequence[str],
    labels: Sequence[str],
    *,
    timeout_s: float = 180.0,
    retries: int = 0,
    backoff_s: float = 1.0,
    token: Optional[str] = None,
) -> dict:
    """POSTs one OpenRLHF reward request and returns the decoded answer. Retries (like OpenRLHF:
    any error, ``retries`` times) with a fixed backoff; raises RewardHttpError with the status and
    body otherwise. ``token``: the caller token of a mesh with authentication on (Authorization:
    Bearer)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": list(query), "prompts": list(prompts), "labels": list(labels)}).encode()
    last: Optional[Exception] = None
    for attempt in range(retries + 1):
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return json.loads(response.read().decode())
        except urllib.error.HTTPError as err:
            last = RewardHttpError(err.code, err.read().decode(errors="replace"))
        except (urllib.error.URLError, OSError) as err:
            last = err
        if attempt < retries:
            time.sleep(backoff_s)
    assert last is not None
    raise last


__all__ = ["make_label", "reward_url", "add_labels", "request_rewards", "RewardHttpError", "DEFAULT_HTTP_PORT"]
