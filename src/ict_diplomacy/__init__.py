"""ict-diplomacy: linked data of Japan's ICT international strategy."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ict-diplomacy")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
