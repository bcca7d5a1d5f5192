#!/usr/bin/env bash
# Container entry point (Dockerfile, README "Deployment"): apply the database migrations, then run the service
# with CREDSTACK_WORKERS uvicorn workers (default 2) on port 8000.
#
# With arguments the container runs them instead, e.g. `docker run IMAGE credstack db upgrade` as a release step.
# CREDSTACK_MIGRATE=0 skips the migration, for instances behind a load balancer when the release step has migrated:
# several instances starting at once must not all migrate the same PostgreSQL database.
set -euo pipefail

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

workers="${CREDSTACK_WORKERS:-2}"
if ! [[ "$workers" =~ ^[1-9][0-9]*$ ]]; then
  echo "entrypoint: CREDSTACK_WORKERS must be a positive integer, not '$workers'" >&2
  exit 2
fi

if [ "${CREDSTACK_MIGRATE:-1}" != "0" ]; then
  credstack db upgrade
fi
exec credstack serve --host 0.0.0.0 --port 8000 --workers "$workers"
