"""`make bench`: runs every benchmark module in bench/ that defines main()."""

import importlib
import pkgutil

import bench

for module_info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
    module = importlib.import_module(f"bench.{module_info.name}")
    if hasattr(module, "main"):
        print(f"== bench.{module_info.name}")
        module.main()
