"""A browser tab for the page tests, collecting what the browser reports as errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Page


@dataclass
class Tab:
    """A page in a fresh browser context, with the console errors and uncaught exceptions it produced (a Content
    Security Policy violation is reported as a console error)."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", lambda message: self._console(message.type, message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, kind: str, text: str) -> None:
        if kind == "error":
            self.errors.append(text)
