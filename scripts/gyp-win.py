#!/usr/bin/env python3
"""Runs node-gyp's bundled gyp with the arguments given, from any OS.

scripts/windows-config.js uses it to generate the MSBuild projects (.vcxproj) that
`node-gyp configure` generates on Windows (gyp's msvs generator, OS=win), so that the
effective MSVC settings of each target can be checked on Linux.

One change to gyp: its XML writer opens the file in binary mode and writes text unless the
locale's encoding differs from UTF-8 (true on Windows, not on a UTF-8 Linux); the projects are
written as text here instead, byte for byte what gyp would write.

  GYP_PYLIB=<node-gyp>/gyp/pylib python3 scripts/gyp-win.py binding.gyp -f msvs -DOS=win ...
"""
import os
import sys

sys.path.insert(0, os.environ["GYP_PYLIB"])

import gyp  # noqa: E402
import gyp.easy_xml  # noqa: E402


def write_xml(content, path, encoding="utf-8", pretty=False, win32=False):
    text = gyp.easy_xml.XmlToString(content, encoding, pretty)
    if win32:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


gyp.easy_xml.WriteXmlIfChanged = write_xml
sys.exit(gyp.main(sys.argv[1:]))
