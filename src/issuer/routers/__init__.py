"""The issuer's HTTP routes; each module builds its router in a function (nothing at import time)."""
