"""The consumers' examples (examples.py) for the contract tests. Test modules are not
importable by name under --import-mode=importlib, so the module is loaded here once and
registered as ``contract_examples``."""
import importlib.util
import pathlib
import sys

_spec = importlib.util.spec_from_file_location(
    "contract_examples", pathlib.Path(__file__).with_name("examples.py"))
examples = importlib.util.module_from_spec(_spec)
sys.modules["contract_examples"] = examples
_spec.loader.exec_module(examples)
