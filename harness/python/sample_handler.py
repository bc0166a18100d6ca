"""Sample-equivalent competitor: behaves like the Python handler this project replaces.

Written for the benchmark from a description of the sample's behaviour (not its code):
  * a boto3 ``iot-data`` client is created on every invocation,
  * only ``event['Records'][0]`` is read; the other records of the batch are ignored,
  * its body (the legacy rule shape ``SELECT *, topic() AS topic``) is parsed as JSON and
    republished on the body's ``topic`` with ``qos=0, retain=True``, payload ``json.dumps(body)``
    (so the added ``topic`` field goes along),
  * it returns nothing, so the event source mapping deletes the whole batch.

Environment: ``IOT_DATA_ENDPOINT`` (endpoint URL), ``AWS_REGION``; credentials from the
usual boto3 chain (the harness sets dummy static keys).
"""
import json
import os

import boto3


def handler(event, context):
    client = boto3.client("iot-data", endpoint_url=os.environ["IOT_DATA_ENDPOINT"],
                          region_name=os.environ.get("AWS_REGION", "us-east-1"))
    body = json.loads(event["Records"][0]["body"])
    client.publish(topic=body["topic"], qos=0, retain=True, payload=json.dumps(body))
