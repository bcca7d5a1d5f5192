# Credstack service image (README "Deployment"): `credstack db upgrade`, then `credstack serve` with workers.
#   docker build -t credstack .
#   docker run -p 8000:8000 -v credstack-data:/data -e CREDSTACK_BASE_URL=https://badges.example.edu credstack
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CREDSTACK_DATA_DIR=/data \
    CREDSTACK_WORKERS=2

# A fixed uid/gid, so that volumes and secrets can be given to it from outside.
RUN groupadd --system --gid 10001 credstack \
    && useradd --system --uid 10001 --gid credstack --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin credstack

WORKDIR /app
# The checkout as it is (see .dockerignore), installed in place. The code finds its data relative to the source
# tree, not as package data: the pinned JSON-LD contexts at <repo>/contexts (credentials/jsonld/store.py,
# DEFAULT_CONTEXTS_DIR) and the migrations at <repo>/migrations (credstack/db.py, MIGRATIONS_DIR). A plain
# `pip install .` would copy the packages to site-packages, where those paths point at nothing; the editable
# install keeps the packages at /app/src, so both resolve to /app/contexts and /app/migrations, as in a checkout.
# The files stay root-owned: the service user can read the code and the pinned contexts but not change them.
COPY . /app
RUN pip install -e /app \
    && python -m compileall -q /app/src \
    && chmod 0755 /app/docker/entrypoint.sh \
    && mkdir -p /data \
    && chown credstack:credstack /data \
    && chmod 0700 /data

# The embedded SQLite database and, unless CREDSTACK_MASTER_KEY is set, the master key file (mode 0600) live here.
VOLUME ["/data"]
USER credstack
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# No arguments: migrate, then serve. With arguments, they run instead (e.g. `credstack db upgrade` as a release step).
ENTRYPOINT ["/app/docker/entrypoint.sh"]
