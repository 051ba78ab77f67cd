"""Current SageMaker instance prices from the AWS Price List API (`pricing` GetProducts).

The API answers with `PriceList`: JSON *strings*, one per product (SKU), e.g.
  {"product": {"productFamily": "ML Instance",
               "attributes": {"instanceName": "ml.p3.2xlarge", "regionCode": "us-east-1",
                              "component": "Training", ...}},
   "terms": {"OnDemand": {"SKU.TERM": {"priceDimensions": {"SKU.TERM.RATE":
             {"unit": "Hrs", "pricePerUnit": {"USD": "3.8250000000"}}}}}}}
Only on-demand hourly rates are read; anything else is skipped, never guessed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

SERVICE_CODE = "AmazonSageMaker"
# The Price List API lives in a few regions only; us-east-1 answers for every region's prices.
PRICING_API_REGION = "us-east-1"


@dataclass(frozen=True)
class InstancePrice:
    instance_type: str
    component: str  # "Training" | "Hosting" | ... as the API names it
    region: str
    usd_per_hour: float


def parse_price_item(item: str | dict) -> InstancePrice | None:
    doc = json.loads(item) if isinstance(item, str) else item
    product = doc.get("product") or {}
    if product.get("productFamily") != "ML Instance":
        return None
    attrs = product.get("attributes") or {}
    name = attrs.get("instanceName") or attrs.get("instanceType")
    if not name or not str(name).startswith("ml."):
        return None
    for term in ((doc.get("terms") or {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            if str(dim.get("unit", "")).lower() not in ("hrs", "hours", "hour"):
                continue
            usd = (dim.get("pricePerUnit") or {}).get("USD")
            try:
                value = float(usd)  # type: ignore[arg-type]  # None raises TypeError: skipped below
            except (TypeError, ValueError):
                continue
            if value <= 0:
                continue  # free-tier and placeholder rows
            return InstancePrice(name, str(attrs.get("component", "")), str(attrs.get("regionCode", "")), value)
    return None


def parse_price_list(items: Iterable[str | dict], component: str) -> dict[str, float]:
    """Instance type → $/hour for one component ("Training" or "Hosting")."""
    out: dict[str, float] = {}
    for item in items:
        price = parse_price_item(item)
        if price is None or price.component != component:
            continue
        # Several SKUs can share an instance (e.g. notebook vs training); keep the first training
        # rate seen and never let a later, different SKU silently replace it with a higher one.
        out.setdefault(price.instance_type, price.usd_per_hour)
    return out


def fetch_prices(pricing_client, region: str, component: str = "Training") -> dict[str, float]:
    """All on-demand `component` rates for `region`, through GetProducts' paginator."""
    filters = [
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "ML Instance"},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "component", "Value": component},
    ]
    items: list[str] = []
    for page in pricing_client.get_paginator("get_products").paginate(ServiceCode=SERVICE_CODE, Filters=filters):
        items.extend(page.get("PriceList", []))
    return parse_price_list(items, component)
