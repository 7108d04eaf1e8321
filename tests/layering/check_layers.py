#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The folder map as a rule: a file may include headers from its own
folder and from the folders its folder sits on (README, "Architecture").
Prints every include that breaks the map and any cycle in the folders'
include graph; exits 1 if there is one, 0 otherwise.

    tests/layering/check_layers.py [SOURCE_DIR]
"""
import os
import re
import sys

# Bottom to top. Each folder lists what it may include besides itself.
MAY_INCLUDE = {
    # The boot protocol between a VMM and our guests (struct
    # iopath_boot_info): an ABI header with no includes of ours.
    "guests/include": [],
    "base": [],
    "wire": ["base"],
    "cpu": ["base"],
    "core": ["base", "wire", "cpu", "guests/include"],
    "emu-devices": ["base", "wire", "cpu", "core"],
    "pv-rings": ["base", "wire", "cpu", "core"],
    "sriov": ["base", "wire", "cpu", "core"],
    "vswitch": ["base", "wire", "core", "pv-rings", "sriov"],
    "vmm": ["base", "wire", "cpu", "core", "emu-devices", "pv-rings",
            "sriov"],
    "cli": ["base", "wire", "core"],
    # Freestanding guest programs: only the guest-visible register and
    # ring layouts of the devices they drive, and base/mac (written to
    # build without a libc: one MAC syntax for host and guest).
    "guests": ["guests/include", "base", "wire", "emu-devices", "sriov"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE = (".c", ".h", ".S")


def node_of(path):
    """The map's node for a path relative to the source tree."""
    if path.startswith("guests/include/"):
        return "guests/include"
    return path.split("/", 1)[0]


def folder_files(root, folder):
    for dirpath, _, names in os.walk(os.path.join(root, folder)):
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            if name.endswith(SOURCE) and \
                    node_of(os.path.relpath(path, root)) == folder:
                yield path


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield lineno, m.group(1)


def find_cycle(graph):
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cyc = visit(nxt, stack + [nxt])
                if cyc:
                    return cyc
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cyc = visit(node, [node])
            if cyc:
                return cyc
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    root = os.path.abspath(root)
    folders = set(MAY_INCLUDE)
    graph = {f: set() for f in folders}
    bad = []
    for folder in sorted(folders):
        for path in folder_files(root, folder):
            rel = os.path.relpath(path, root)
            for lineno, inc in includes(path):
                top = node_of(inc)
                if "/" not in inc or top not in folders or top == folder:
                    continue
                graph[folder].add(top)
                if top not in MAY_INCLUDE[folder]:
                    bad.append(f"{rel}:{lineno}: {folder}/ includes "
                               f"{inc} ({top}/ is not below {folder}/)")
    for line in bad:
        print(line)
    cycle = find_cycle(graph)
    if cycle:
        print("folder include cycle: " + " -> ".join(cycle))
    if bad or cycle:
        print(f"layering: {len(bad)} include(s) against the map")
        return 1
    print(f"layering: {sum(len(v) for v in graph.values())} folder "
          "dependencies, all down the map, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
