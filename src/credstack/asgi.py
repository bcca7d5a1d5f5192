"""ASGI entry for multi-worker uvicorn: each worker builds the app from the environment at start-up."""

from __future__ import annotations

from fastapi import FastAPI

from credstack.app import create_app
from credstack.settings import Settings


def app() -> FastAPI:
    return create_app(Settings.from_env())
