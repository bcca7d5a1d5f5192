"""Competencies as OB 3.0 §B.1 Alignment targets (issue 5 "Competencies and curriculum mapping"). Pure.

A competency's public URL, `{base_url}/competencies/{uuid}`, is the `targetUrl` of every alignment to it, so an
alignment inside a signed credential can be dereferenced and, within this service, mapped back to the competency
(curriculum coverage does that). API callers name a competency by its uuid or by that URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from issuer.achievements import alignments
from issuer.models import Competency
from schemas.achievement import Alignment

COMPETENCY_TARGET_TYPE = "ceasn:Competency"
# The longest spelling uuid.UUID accepts ("urn:uuid:" plus 32 hex digits and 4 hyphens); longer is no uuid.
_UUID_MAX = 45


@dataclass(frozen=True, slots=True)
class CompetencyUrls:
    """Where competencies are published; `base_url` is the service's public base URL (settings.base_url)."""

    base_url: str

    @property
    def prefix(self) -> str:
        return f"{self.base_url.rstrip('/')}/competencies/"

    def public(self, competency_id: uuid.UUID) -> str:
        """The competency's `id`: a dereferenceable URL returning its JSON, an alignment's `targetUrl`."""
        return f"{self.prefix}{competency_id}"

    def parse(self, reference: str) -> uuid.UUID | None:
        """The uuid that a reference (a uuid, or a public URL of this service) names; None when it names none."""
        return reference_uuid(reference, self.prefix)


def reference_uuid(reference: str, prefix: str) -> uuid.UUID | None:
    """What an API reference names: a uuid, or a public URL `prefix` + uuid; None when it is neither.

    A URL names something only in the canonical (lower-case, hyphenated) spelling the service publishes.
    """
    if reference.startswith(prefix):
        tail = reference.removeprefix(prefix)
        parsed = _uuid(tail)
        return parsed if parsed is not None and str(parsed) == tail else None
    return _uuid(reference) if len(reference) <= _UUID_MAX else None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def competency_alignment(competency: Competency, urls: CompetencyUrls) -> Alignment:
    """OB 3.0 §B.1 Alignment to `competency`: `ceasn:Competency`, its URL, name, code, framework, description."""
    return Alignment(
        targetName=competency.name,
        targetUrl=urls.public(competency.id),
        targetDescription=competency.description,
        targetCode=competency.code,
        targetFramework=competency.framework,
        targetType=COMPETENCY_TARGET_TYPE,
    )


def competency_document(competency: Competency, urls: CompetencyUrls) -> dict[str, Any]:
    """The JSON served at the public URL: the competency, and the OB Alignment JSON that points at it."""
    document: dict[str, Any] = {
        "id": urls.public(competency.id),
        "type": "Competency",
        "framework": competency.framework,
        "code": competency.code,
        "name": competency.name,
    }
    if competency.description is not None:
        document["description"] = competency.description
    if competency.level is not None:
        document["level"] = competency.level
    document["alignment"] = alignments([competency_alignment(competency, urls)])[0]
    return document


def merged_alignments(explicit: Sequence[Alignment] | None, derived: Iterable[Alignment]) -> list[Alignment]:
    """The template's own alignments first, then the derived ones whose `targetUrl` none of those has yet."""
    merged = list(explicit or ())
    seen = {item.targetUrl for item in merged}
    for item in derived:
        if item.targetUrl not in seen:
            merged.append(item)
            seen.add(item.targetUrl)
    return merged


def aligned_competency_ids(document: dict[str, Any], urls: CompetencyUrls) -> list[uuid.UUID]:
    """Ids of this service's competencies that an OB Achievement JSON aligns to (its own `alignment`), in order.

    Only the achievement's top-level alignments count: those of its result descriptions and rubric levels align a
    result, not the achievement. Alignments elsewhere (other frameworks, other services) are not ours to map.
    """
    found: list[uuid.UUID] = []
    items = document.get("alignment")
    for item in items if isinstance(items, list) else [items]:
        url = item.get("targetUrl") if isinstance(item, dict) else None
        if isinstance(url, str) and url.startswith(urls.prefix):
            parsed = urls.parse(url)
            if parsed is not None and parsed not in found:
                found.append(parsed)
    return found
