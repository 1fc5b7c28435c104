# Bound by the sandbox in place of a hidden package's __init__.py (or a hidden module): the
# package is not there for the submission, and an import says so as usual.
raise ModuleNotFoundError(f"No module named {__name__!r}", name=__name__)
