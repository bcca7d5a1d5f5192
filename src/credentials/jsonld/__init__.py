"""VC Data Integrity 1.0 §4.6 (context validation), §2.4 (data loss) and JSON-LD 1.1 API §8.2 (to RDF).

The store is the only document loader JSON-LD processing ever gets. It never touches the network: every
URL must be in `contexts/manifest.json` (or in an institution's extra-contexts folder), and every pinned
document is checked against the sha256 of its canonical (RFC 8785) JSON when the store is built.

`canonicalize` turns a JSON-LD document into RDFC-1.0 canonical N-Quads that are byte-identical to what
@digitalbazaar/vc 7.3.0 signs (jsonld.js 9 `toRDF` with `base: null`, `safe: true`,
`rdfDirection: "i18n-datatype"`, then rdf-canonize 5). Expansion is pyld's (a subclass that reports what it
drops); the node map, the RDF conversion and the canonicalization are ports of jsonld.js and rdf-canonize
so that value de-duplication, number formatting and escaping match the JavaScript reference exactly.

Data loss detection (`safe=True`, the default) refuses, with DataLossError (DATA_LOSS_DETECTION_ERROR), every
condition jsonld.js safe mode refuses: dropped properties (undefined terms), relative `@id`/`@type`/`@vocab`
references, dropped free-floating values and objects, reserved (`@`-prefixed) terms and values, invalid
language tags and blank node predicates.
"""

from credentials.jsonld.api import canonicalize, expand, to_rdf
from credentials.jsonld.errors import (
    ContextNotAllowed,
    ContextStoreError,
    DataLossError,
    InputLimitExceeded,
    JsonLdProcessingError,
)
from credentials.jsonld.limits import DEFAULT_LIMITS, Limits
from credentials.jsonld.rdf_writer import RDF_TYPE as RDF_TYPE
from credentials.jsonld.store import DEFAULT_CONTEXTS_DIR as DEFAULT_CONTEXTS_DIR
from credentials.jsonld.store import ContextStore, PinnedContext, canonical_json_sha256

# Private helpers that tests exercise directly.
from credentials.jsonld.syntax import _context_problems as _context_problems

__all__ = [
    "DEFAULT_LIMITS",
    "ContextNotAllowed",
    "ContextStore",
    "ContextStoreError",
    "DataLossError",
    "InputLimitExceeded",
    "JsonLdProcessingError",
    "Limits",
    "PinnedContext",
    "canonical_json_sha256",
    "canonicalize",
    "expand",
    "to_rdf",
]
