"""Import Gradio without the stub writer that makes up most of its import time.

Every Gradio component class, as it is defined, re-reads and re-parses its module's source and renders a
Jinja template to keep a `.pyi` type stub beside it in site-packages (`component_meta.create_or_modify_pyi`).
That is a convenience for Gradio's own developers; for a server it does nothing but cost about 60% of
`import gradio` (some 2.5 s of a cold start here). Within `gradio_without_stub_writer()`, the function is
replaced by a no-op as soon as its module is loaded and before any component is defined. Nothing else
changes: the stubs are only read by type checkers. If Gradio renames or drops the function, the import
simply takes its usual time.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType

log = logging.getLogger(__name__)
STUB_WRITER_MODULE = "gradio.component_meta"
STUB_WRITER = "create_or_modify_pyi"


def _skip_stub(*_args: object, **_kwargs: object) -> None:
    return None


class _DisableAfterExec(importlib.abc.Loader):
    """Runs the real loader, then swaps the stub writer for a no-op."""

    def __init__(self, inner: importlib.abc.Loader):
        self._inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        if hasattr(module, STUB_WRITER):
            setattr(module, STUB_WRITER, _skip_stub)
        else:
            log.debug("%s has no %s; importing Gradio as it is", STUB_WRITER_MODULE, STUB_WRITER)

    def __getattr__(self, name: str) -> object:  # get_source, get_filename, ... as the real loader
        return getattr(self._inner, name)


class _StubWriterFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != STUB_WRITER_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _DisableAfterExec(spec.loader)
        return spec


@contextmanager
def gradio_without_stub_writer() -> Iterator[None]:
    """Gradio imported inside this block (directly or by importing the UI) skips its stub writer."""
    if STUB_WRITER_MODULE in sys.modules:
        yield
        return
    finder = _StubWriterFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
