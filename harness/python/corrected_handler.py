"""Corrected Python competitor: the sample fixed the way a careful user would fix it.

  * the boto3 ``iot-data`` client is created once, at module load (reused across invocations),
  * every record of the batch is published, one after the other,
  * a failed record is reported in a partial batch response (``batchItemFailures``), so SQS
    retries only that one (the event source mapping must have ReportBatchItemFailures).

It consumes the same legacy message shape as the sample (JSON payload plus a ``topic``
field) and publishes it unchanged otherwise (``qos=0, retain=True``), so that all
competitors move the same bytes.
"""
import json
import os

import boto3

_client = boto3.client("iot-data", endpoint_url=os.environ["IOT_DATA_ENDPOINT"],
                       region_name=os.environ.get("AWS_REGION", "us-east-1"))


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            body = json.loads(record["body"])
            _client.publish(topic=body["topic"], qos=0, retain=True, payload=json.dumps(body))
        except Exception as e:  # noqa: BLE001 - every failure is retried, never lost
            print(f"publish failed for {record.get('messageId')}: {e!r}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
