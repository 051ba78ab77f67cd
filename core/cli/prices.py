"""Show the instance prices jstui uses (and their date), or refresh them from the AWS Price List API.

    jstui prices              the table in use: shipped (with sources and date) or a cached refresh
    jstui prices --refresh    fetch current on-demand training and hosting rates for --region
                              (default us-east-1) and cache them under JSTUI_HOME with their date"""

from __future__ import annotations

import json
import sys
from datetime import datetime, UTC

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jstui.domain.textfmt import printable
from jstui.domain.errors import ServiceRefused, ServiceUnreachable
from jstui.domain.prices import (
    HOSTING,
    SHIPPED_PRICES_SOURCES,
    TRAINING,
    load_price_table,
    save_refreshed_prices,
)

DEFAULT_REGION = "us-east-1"


def add_arguments(parser) -> None:
    parser.add_argument("--refresh", action="store_true", help="fetch current rates from the AWS Price List API")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")


def _refresh(args) -> str:
    import boto3

    from jstui.aws.clients import PRICING_REGION, retry_config, service_errors
    from jstui.aws.price_list import fetch_prices

    region = args.region or DEFAULT_REGION
    with service_errors("fetching prices from the AWS Price List API"):
        session = boto3.Session(profile_name=args.profile, region_name=region)
        if session.get_credentials() is None:
            raise ServiceUnreachable(
                "no AWS credentials found for the Price List API (use --profile, or run `aws configure`); "
                "the shipped table stays in use"
            )
        kwargs = {"region_name": PRICING_REGION, "config": retry_config()}
        if args.endpoint_url:
            kwargs["endpoint_url"] = args.endpoint_url
        client = session.client("pricing", **kwargs)
        training = fetch_prices(client, region, TRAINING)
        hosting = fetch_prices(client, region, HOSTING)
    if not training:
        raise ServiceRefused(f"the Price List API returned no SageMaker training rates for region {region}")
    fetched_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = save_refreshed_prices(args.home, region=region, fetched_at=fetched_at, training=training, hosting=hosting)
    return f"refreshed {len(training)} training and {len(hosting)} hosting rates for {region}; cached in {path}"


def run(args) -> int:
    if args.refresh:
        print(_refresh(args), file=sys.stderr)
    table = load_price_table(args.home)
    rows = table.rows(TRAINING)
    if args.json:
        doc = {
            "date": table.date,
            "region": table.refreshed_region or DEFAULT_REGION,
            "refreshed": table.refreshed_at is not None,
            "prices": [
                {"instance_type": t, "usd_per_hour": usd, "hosting_usd_per_hour": table.price(t, component=HOSTING)[0],
                 "source": src}
                for t, usd, src in rows
            ],
        }
        print(json.dumps(doc, indent=1))
        return 0
    out = Console(file=sys.stdout, soft_wrap=True)
    if table.refreshed_at:
        title = f"SageMaker on-demand $/hour, {table.refreshed_region}, AWS Price List API, fetched {table.refreshed_at}"
    else:
        title = f"SageMaker on-demand $/hour, {DEFAULT_REGION}, as of {table.date} (shipped table)"
    t = Table(title=title, title_justify="left")
    t.add_column("instance type")
    t.add_column("training $/h", justify="right")
    t.add_column("hosting $/h", justify="right")
    t.add_column("source")
    for itype, usd, src in rows:
        hosting = table.price(itype, component=HOSTING)[0]
        short = "shipped" if src.startswith("shipped") else "Price List API" if "Price List" in src else src
        t.add_row(Text(printable(itype)), f"{usd:.4f}", "" if hosting is None else f"{hosting:.4f}", Text(printable(short)))
    out.print(t)
    if not table.refreshed_at:
        out.print("Sources (secondary, unverified against AWS): " + "; ".join(SHIPPED_PRICES_SOURCES), markup=False)
        out.print("A study's [prices] table overrides these; `jstui prices --refresh` fetches current rates.", markup=False)
    return 0
