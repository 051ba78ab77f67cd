"""Instance prices in USD per hour: the shipped table, a cached refresh, per-study overrides.

Lookup order for one instance type: the study's `[prices]` table, then rates refreshed from the
AWS Price List API (`jstui prices --refresh` caches them in `<home>/prices.json`), then the table
shipped here. Unknown types give `None`: spend shows as unknown rather than as a made-up figure."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# us-east-1, on-demand, from the secondary sources below, unverified against AWS; `jstui prices --refresh`
# replaces them with the AWS Price List API's figures.
SHIPPED_PRICES_DATE = "2026"
SHIPPED_PRICES_REGION = "us-east-1"
SHIPPED_PRICES_SOURCES = (
    "aws-samples/foundation-model-benchmarking-tool src/fmbench/configs/pricing.yml",
    "goerlitz/nlp-classification notebooks README",
    "JHUAPL-DTC-TA2 wiki",
)
SHIPPED_PRICES: dict[str, float] = {
    "ml.p3.2xlarge": 3.825,
    "ml.p3.8xlarge": 14.688,
    "ml.g4dn.xlarge": 0.7364,
    "ml.g5.xlarge": 1.4084,
    "ml.g5.2xlarge": 1.515,
    "ml.m5.xlarge": 0.23,
    "ml.c5.xlarge": 0.204,
}
# Seed 002 quotes ml.p3.2xlarge at $3.06/hour; kept for reference (a study may override with it).
SEED_002_P3_2XLARGE = 3.06

CACHE_FILE = "prices.json"
CACHE_VERSION = 1
TRAINING = "Training"
HOSTING = "Hosting"

SOURCE_STUDY = "study [prices]"
SOURCE_SHIPPED = f"shipped table ({SHIPPED_PRICES_REGION}, {SHIPPED_PRICES_DATE}, secondary sources)"
SOURCE_UNKNOWN = "unknown"


@dataclass(frozen=True)
class PriceTable:
    """The prices in use: the shipped table plus, when cached, a refresh from the Price List API."""

    shipped: dict[str, float] = field(default_factory=lambda: dict(SHIPPED_PRICES))
    refreshed: dict[str, dict[str, float]] = field(default_factory=dict)  # component -> type -> $/h
    refreshed_at: str | None = None  # ISO 8601 UTC of the refresh
    refreshed_region: str | None = None

    @property
    def date(self) -> str:
        return self.refreshed_at or SHIPPED_PRICES_DATE

    def price(self, instance_type: str, overrides: dict[str, float] | None = None,
              component: str = TRAINING) -> tuple[float | None, str]:
        """(USD per hour, where the figure comes from)."""
        if overrides and instance_type in overrides:
            return float(overrides[instance_type]), SOURCE_STUDY
        fresh = self.refreshed.get(component, {})
        if instance_type in fresh:
            return fresh[instance_type], f"AWS Price List API ({self.refreshed_region}, fetched {self.refreshed_at})"
        # The secondary sources quote one on-demand rate per instance type; it serves hosting too.
        if instance_type in self.shipped:
            return self.shipped[instance_type], SOURCE_SHIPPED
        return None, SOURCE_UNKNOWN

    def rows(self, component: str = TRAINING) -> list[tuple[str, float, str]]:
        """(instance type, $/h, source) for every known type, sorted: what `jstui prices` shows."""
        types = sorted(set(self.shipped) | set(self.refreshed.get(component, {})))
        out = []
        for t in types:
            usd, source = self.price(t, component=component)
            if usd is not None:
                out.append((t, usd, source))
        return out


def price_per_hour(instance_type: str, overrides: dict[str, float] | None = None, *,
                   table: PriceTable | None = None, component: str = TRAINING) -> tuple[float | None, str]:
    """USD per hour of `instance_type` and its source; (None, "unknown") when nobody knows."""
    return (table or PriceTable()).price(instance_type, overrides, component)


def load_price_table(home: Path | None) -> PriceTable:
    """The shipped table, merged with `<home>/prices.json` when a refresh was cached there.
    A cache that cannot be read is ignored (and logged): prices fall back to the shipped table."""
    if home is None:
        return PriceTable()
    path = Path(home) / CACHE_FILE
    if not path.is_file():
        return PriceTable()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("version") != CACHE_VERSION:
            raise ValueError(f"version {doc.get('version')!r}")
        refreshed = {
            comp: {str(k): float(v) for k, v in (doc.get(key) or {}).items() if float(v) > 0}
            for comp, key in ((TRAINING, "training"), (HOSTING, "hosting"))
        }
        return PriceTable(refreshed=refreshed, refreshed_at=str(doc["fetched_at"]), refreshed_region=str(doc["region"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("ignoring unreadable price cache %s: %s", path, exc)
        return PriceTable()


def save_refreshed_prices(home: Path, *, region: str, fetched_at: str, training: dict[str, float],
                          hosting: dict[str, float] | None = None) -> Path:
    """Cache a Price List API refresh (atomically: a reader never sees half a file)."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    doc = {"version": CACHE_VERSION, "fetched_at": fetched_at, "region": region,
           "training": dict(sorted(training.items())), "hosting": dict(sorted((hosting or {}).items()))}
    fd, tmp = tempfile.mkstemp(dir=home, prefix=".prices-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
    path = home / CACHE_FILE
    os.replace(tmp, path)
    return path


class PriceBook:
    """The one price table of a session, for training and hosting alike: the study's `[prices]`, else a
    cached Price List refresh, else the shipped table. `reload_if_changed()` (once a refresh cycle) reads
    the cache again when `jstui prices --refresh` rewrote it, so a refresh changes every figure, even in a
    running jstui; lookups themselves never touch the disk."""

    def __init__(self, home: Path | None, overrides: dict[str, float] | None = None) -> None:
        self.home = Path(home) if home is not None else None
        self.overrides = dict(overrides or {})
        self._stamp = self._cache_stamp()
        self.table = load_price_table(self.home)

    def _cache_stamp(self) -> tuple[int, int] | None:
        if self.home is None:
            return None
        try:
            st = (self.home / CACHE_FILE).stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def reload_if_changed(self) -> bool:
        """Read the cache again if it changed since it was read; True when it did."""
        stamp = self._cache_stamp()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        self.table = load_price_table(self.home)
        return True

    def training(self, instance_type: str) -> float | None:
        """USD per hour of one training instance; None when nobody prices the type."""
        return self.table.price(instance_type, self.overrides, TRAINING)[0]

    def hosting(self, instance_type: str, instance_count: int = 1) -> float | None:
        """USD per hour of `instance_count` hosting instances; None when nobody prices the type."""
        price = self.table.price(instance_type, self.overrides, HOSTING)[0]
        return None if price is None else float(price) * max(1, int(instance_count))
