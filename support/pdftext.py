"""The text of a PDF given on stdin, written to stdout as UTF-8: support.filescan runs this in a process of its own.

    python -I support/pdftext.py MAX_PAGES MAX_CHARS MEMORY_BYTES CPU_SECONDS < file.pdf

A PDF built to make a parser loop, recurse or fill memory takes down only this process: its address space and CPU
time are capped before the file is parsed, and the caller kills it after its own timeout. No Django here, so the
process starts in a fraction of a second. Exit status: 0 read in full, 3 read in part (more pages or text than the
limits), 4 encrypted (no empty user password opens it), 5 not readable as a PDF; anything else is a crash.
"""
import io
import logging
import resource
import sys

from pypdf import PdfReader

COMPLETE, PARTIAL, ENCRYPTED, UNREADABLE = 0, 3, 4, 5


def _limit(memory_bytes, cpu_seconds):
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))


def pdf_text(data, *, max_pages, max_chars, out):
    """Write the text of at most max_pages pages and max_chars characters to `out`; return the exit status."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):  # many PDFs are "encrypted" with an empty password, only to lock editing
                    return ENCRYPTED
            except Exception:  # noqa: BLE001 - an unknown algorithm, a missing crypto library: not readable by us
                return ENCRYPTED
        pages = reader.pages
        count = len(pages)
        written = 0
        for number in range(min(count, max_pages)):
            text = pages[number].extract_text() or ""
            text = text[: max_chars - written]
            out.write(text.encode("utf-8", "replace") + b"\n")
            written += len(text)
            if written >= max_chars:
                return PARTIAL
    except Exception:  # noqa: BLE001 - whatever a damaged or hostile file makes the parser raise
        return UNREADABLE
    return PARTIAL if count > max_pages else COMPLETE


def main():
    max_pages, max_chars, memory_bytes, cpu_seconds = (int(arg) for arg in sys.argv[1:5])
    _limit(memory_bytes, cpu_seconds)
    logging.disable(logging.CRITICAL)  # pypdf logs every quirk of a file; nobody reads this process's stderr
    data = sys.stdin.buffer.read()
    status = pdf_text(data, max_pages=max_pages, max_chars=max_chars, out=sys.stdout.buffer)
    sys.stdout.buffer.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
