"""Run one upload through its check and, if it passes, through the reader that would read it
next, in a process of its own with an address-space limit; print the outcome as JSON.

python -m tests.hostile_child KIND PATH NAME LIMIT_MB — KIND is ledger, plan, evidence or
boundary. Used by tests/landsupply/test_hostile_uploads.py, which measures this process's peak
memory: a regression that lets a bomb reach python-calamine, openpyxl or GDAL fails to allocate
here (or is killed) instead of taking pytest down.
"""

import json
import os
import resource
import sys
import time


def main(kind: str, path: str, name: str, limit_mb: int) -> None:
    limit = limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landsupply.settings")
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files import File

    from boundaries.readers import BoundaryFileError, read_boundaries
    from boundaries.upload_checks import check_boundary_upload
    from landsupply.uploads import check_evidence
    from parcels.ledger import LedgerFileError, read_ledger
    from plans.spreadsheet import read_rows

    started = time.perf_counter()
    result = {"ok": True, "message": ""}
    try:
        if kind == "evidence":
            check_evidence(path, name=name)
        elif kind == "boundary":  # the check, then the coordinate-file reader or pyogrio (GDAL)
            checked = check_boundary_upload(path, name=name)
            read = read_boundaries(checked.data, file_format=checked.format)
            result["rows"] = len(read.boundaries)
        elif kind == "ledger":
            _total, rows = read_ledger(path, name=name)  # the check, then python-calamine
            result["rows"] = sum(1 for _row in rows)
        else:
            with open(path, "rb") as handle:  # the check, then openpyxl or csv
                result["rows"] = len(read_rows(File(handle, name=name)))
    except (ValidationError, LedgerFileError, BoundaryFileError) as exc:
        result = {"ok": False, "message": "；".join(getattr(exc, "messages", [str(exc)]))}
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["peak_kb"] = _peak_rss_kb()
    print(json.dumps(result, ensure_ascii=False))


def _peak_rss_kb() -> int:
    """This process's own peak resident memory (VmHWM), in KiB.

    Not the parent's wait4() ru_maxrss: Python starts children with vfork, and Linux carries the
    parent's high-water mark (pytest's, hundreds of MB late in a run) over the exec into it.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
