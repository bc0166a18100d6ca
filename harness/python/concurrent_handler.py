"""Concurrent Python competitor: what a competent Python user writes, and the benchmark's baseline.

  * one boto3 ``iot-data`` client, created at module load (reused across invocations), with its
    connection pool sized to the concurrency (``max_pool_connections``; botocore's default is 10),
  * a thread pool of the same size, also created once: a batch's records are published
    concurrently, as the function does (boto3 clients are thread-safe),
  * every record of the batch is published; a failed record is reported in a partial batch
    response (``batchItemFailures``), so SQS retries only that one.

``PUBLISH_CONCURRENCY`` (default 10) sizes both; the benchmark sets it to the batch size, as it
sets the function's ``BRIDGE_MAX_CONCURRENCY``. Over TLS the CA bundle comes from the usual
``AWS_CA_BUNDLE`` variable. Same message shape and publish parameters as the other competitors.
"""
import json
import os
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

_CONCURRENCY = int(os.environ.get("PUBLISH_CONCURRENCY", "10"))
_client = boto3.client("iot-data", endpoint_url=os.environ["IOT_DATA_ENDPOINT"],
                       region_name=os.environ.get("AWS_REGION", "us-east-1"),
                       config=Config(max_pool_connections=_CONCURRENCY))
_pool = ThreadPoolExecutor(max_workers=_CONCURRENCY)


def _publish(record):
    body = json.loads(record["body"])
    _client.publish(topic=body["topic"], qos=0, retain=True, payload=json.dumps(body))


def handler(event, context):
    pending = [(r["messageId"], _pool.submit(_publish, r)) for r in event["Records"]]
    failures = []
    for message_id, future in pending:
        try:
            future.result()
        except Exception as e:  # noqa: BLE001 - every failure is retried, never lost
            print(f"publish failed for {message_id}: {e!r}")
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
