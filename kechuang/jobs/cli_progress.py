"""Progress of long CLI commands: a tqdm bar on a terminal, plain lines when piped or redirected.

    from kechuang.jobs.cli_progress import cli_progress

    with cli_progress(self.stderr, "免申即享筛查") as progress:
        screening_run(user=actor, year=2026, progress=progress)

``progress(done, total, step=…, message=…)`` has the signature of ``JobContext.progress``, so the
same service function reports to a job's page or to a terminal.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager


class _Lines:
    """Plain lines: one per new step, and one per 10 % of a known total."""

    def __init__(self, stream, title: str):
        self.stream, self.title = stream, title
        self.step, self.decile = None, -1

    def __call__(self, done=None, total=None, *, step=None, message=None, force=False):
        if step is not None and step != self.step:
            self.step, self.decile = step, -1
            self.stream.write(f"{self.title}：{step}\n")
        if done is not None and total:
            decile = int(10 * done / total)
            if decile != self.decile and decile > 0:
                self.decile = decile
                self.stream.write(f"{self.title}：{self.step or ''} {done}/{total}（{10 * decile}%）\n")
        if message:
            self.stream.write(f"{self.title}：{message}\n")
        flush = getattr(self.stream, "flush", None)
        if flush:
            flush()

    def close(self):
        pass


class _Bar:
    def __init__(self, stream, title: str):
        from tqdm import tqdm

        self.bar = tqdm(total=0, desc=title, file=stream, leave=True, dynamic_ncols=True)
        self.title = title

    def __call__(self, done=None, total=None, *, step=None, message=None, force=False):
        if total is not None and total != self.bar.total:
            self.bar.reset(total=total)
        if done is not None:
            self.bar.n = done
        if step is not None:
            self.bar.set_description(f"{self.title}：{step}", refresh=False)
        if message:
            self.bar.set_postfix_str(message, refresh=False)
        self.bar.refresh()

    def close(self):
        self.bar.close()


def _isatty(stream) -> bool:
    raw = getattr(stream, "_out", stream)   # Django's OutputWrapper keeps the real stream in _out
    try:
        return bool(raw.isatty())
    except (AttributeError, ValueError):
        return False


@contextmanager
def cli_progress(stream=None, title: str = "进度"):
    """Yield a progress callable that draws on ``stream`` (default stderr)."""
    stream = stream if stream is not None else sys.stderr
    raw = getattr(stream, "_out", stream)
    reporter = _Bar(raw, title) if _isatty(stream) else _Lines(raw, title)
    try:
        yield reporter
    finally:
        reporter.close()
