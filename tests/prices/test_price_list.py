"""Parsing of Price List API responses, on documents in the API's documented shape."""

from __future__ import annotations

import json

import boto3
from botocore.stub import Stubber

from jstui.aws.price_list import fetch_prices, parse_price_list


def _item(instance: str, usd: str, component: str = "Training", family: str = "ML Instance", unit: str = "Hrs"):
    sku = "SKU" + str(abs(hash((instance, component))) % 10**8)
    return json.dumps(
        {
            "product": {
                "productFamily": family,
                "attributes": {"instanceName": instance, "regionCode": "us-east-1", "component": component},
                "sku": sku,
            },
            "serviceCode": "AmazonSageMaker",
            "terms": {
                "OnDemand": {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": unit,
                                "pricePerUnit": {"USD": usd},
                                "description": f"${usd} per {instance} hour",
                            }
                        },
                        "sku": sku,
                    }
                }
            },
        }
    )


def test_parse_keeps_component_hourly_ml_instances_only():
    items = [
        _item("ml.p3.2xlarge", "3.8250000000"),
        _item("ml.p3.2xlarge", "4.1000000000", component="Hosting"),
        _item("ml.m5.xlarge", "0.2300000000"),
        _item("ml.m5.xlarge", "0.0000000000", component="Training"),  # a free-tier twin: skipped
        _item("ml.g5.xlarge", "0.1540000000", family="Storage", unit="GB-Mo"),
        _item("ml.c5.xlarge", "0.2040000000", unit="Requests"),
    ]
    training = parse_price_list(items, "Training")
    assert training == {"ml.p3.2xlarge": 3.825, "ml.m5.xlarge": 0.23}
    assert parse_price_list(items, "Hosting") == {"ml.p3.2xlarge": 4.1}


def test_fetch_pages_through_get_products():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stub:
        stub.add_response(
            "get_products",
            {"PriceList": [_item("ml.p3.2xlarge", "3.825")], "FormatVersion": "aws_v1", "NextToken": "t1"},
        )
        stub.add_response("get_products", {"PriceList": [_item("ml.g4dn.xlarge", "0.7364")], "FormatVersion": "aws_v1"})
        prices = fetch_prices(client, "us-east-1")
    assert prices == {"ml.p3.2xlarge": 3.825, "ml.g4dn.xlarge": 0.7364}
