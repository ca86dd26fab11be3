"""Tests sharing one platform per folder (a package, so package scope ends here)."""
