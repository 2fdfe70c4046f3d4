"""The PDF notice brings its own Chinese font (issue 8): on a server with Pango but no Chinese
font at all, the notice still embeds Noto Sans SC from the pylopdf-fonts-zh-cn package instead
of drawing empty boxes. In a subprocess, fontconfig sees only a Latin font (DejaVu, which every
Debian machine with fontconfig has) and no Chinese one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assessments import exports

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = r"""
import re, zlib, django
django.setup()
from assessments import exports
from weasyprint import HTML
html = "<html><body style=\"font-family: 'Noto Sans SC', sans-serif\">考核结果书面通知：未达标</body></html>"
with_font = exports.notice_pdf(html)
without = HTML(string=html).write_pdf()  # what the machine's own fonts give
def fonts(pdf):
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            pass
    return sorted({m.decode() for m in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", text)})
print("with", fonts(with_font))
print("without", fonts(without))
"""


def test_notice_pdf_embeds_its_packaged_font_on_a_server_without_chinese_fonts(tmp_path):
    if not exports.pdf_available():
        pytest.skip("WeasyPrint needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0)")
    latin = next(
        (
            d
            for d in (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
            if d.is_dir()
        ),
        None,
    )
    if latin is None:
        pytest.skip("no DejaVu fonts to stand for a machine with Latin fonts only")
    empty = tmp_path / "fonts.conf"
    empty.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{latin}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(empty),
        "DJANGO_SETTINGS_MODULE": "landsupply.settings",
    }
    env.pop("FONTCONFIG_PATH", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert "Noto-Sans-SC" in lines["with"], result.stdout
    assert "Noto-Sans-SC" not in lines["without"]  # the machine really has no such font
