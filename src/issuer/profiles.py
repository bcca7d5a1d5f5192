"""OB 3.0 §B.1 Profile: the JSON document of an issuer, from the API's profile fields, and its edits.

Pure. The stored document is the Profile without `@context` (credentials embed it as their `issuer`, under their
own contexts); `public_profile` adds the OB context for serving it alone, as the OB 3.0 API's getProfile does
(STANDARDS.md §3.1: `@context: [OB context]`). Every nested object carries its `type`, because the OB context
defines the members of each class in a type-scoped context: without `type: ["Address"]`, `postalCode` would be an
undefined term. The output follows the OB serialization rules: no null values, no empty arrays.

Edits are JSON Merge Patch (RFC 7396) over the same fields the API takes, so a PATCH is validated exactly like a PUT.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from schemas.ob import OB_CONTEXT
from schemas.profile import ProfileFields

PROFILE_TYPE = "Profile"
# Deeper than any Profile member (parentOrg.image is 2 levels); deeper patch values are taken as they are, and
# validation then refuses them, so a hostile nesting depth cannot exhaust the stack.
_MAX_PATCH_DEPTH = 8
_SERVICE_MEMBERS = frozenset({"@context", "id", "type"})


def _image(value: str | Mapping[str, Any]) -> dict[str, Any]:
    # The 1EdTech schema wants Image.type as the single string "Image" (OB 3.0 §B.1 Image: type 1).
    image: Mapping[str, Any] = {"id": value} if isinstance(value, str) else value
    return {"id": image["id"], "type": "Image", **({"caption": image["caption"]} if "caption" in image else {})}


def _address(value: Mapping[str, Any]) -> dict[str, Any]:
    address: dict[str, Any] = {"type": ["Address"], **value}
    if "geo" in value:
        # The 1EdTech schema wants GeoCoordinates.type as a single string too.
        address["geo"] = {"type": "GeoCoordinates", **value["geo"]}
    return address


def _parent_org(value: Mapping[str, Any]) -> dict[str, Any]:
    parent: dict[str, Any] = {"id": value["id"], "type": [PROFILE_TYPE]}
    for key, member in value.items():
        if key != "id":
            parent[key] = _image(member) if key == "image" else member
    return parent


def _identifiers(values: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "IdentifierEntry", **value} for value in values]


_TYPED: dict[str, Callable[[Any], Any]] = {
    "image": _image,
    "address": _address,
    "parentOrg": _parent_org,
    "otherIdentifier": _identifiers,
}


def profile_document(did: str, fields: ProfileFields) -> dict[str, Any]:
    """OB 3.0 §B.1 Profile JSON of an issuer: `id` is its DID, which verifiers require to be the key's controller
    (STANDARDS.md §2.5)."""
    data = fields.model_dump(exclude_none=True, include=set(ProfileFields.model_fields))
    document: dict[str, Any] = {"id": did, "type": [PROFILE_TYPE]}
    for key, value in data.items():
        document[key] = _TYPED.get(key, _unchanged)(value)
    return document


def _unchanged(value: Any) -> Any:
    return value


def editable_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The API fields of a stored Profile: the inverse of `profile_document`, without the members the service sets."""
    return {key: _without_types(value) for key, value in document.items() if key not in _SERVICE_MEMBERS}


def _without_types(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _without_types(member) for key, member in value.items() if key != "type"}
    if isinstance(value, list):
        return [_without_types(item) for item in value]
    return value


def merge_patch(target: Any, patch: Any, *, depth: int = 0) -> Any:
    """RFC 7396 §2 MergePatch(Target, Patch): objects merge member by member, null removes, anything else replaces."""
    if not isinstance(patch, Mapping) or depth >= _MAX_PATCH_DEPTH:
        return patch
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value, depth=depth + 1)
    return result


def public_profile(did: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """OB 3.0 API getProfile body (STANDARDS.md §3.1): `@context: [OB context]`, then `id` (the DID) and `type`."""
    members = {key: value for key, value in document.items() if key not in _SERVICE_MEMBERS}
    return {"@context": [OB_CONTEXT], "id": did, "type": document.get("type") or [PROFILE_TYPE], **members}
