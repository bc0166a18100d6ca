"""AWS limits, quotas and the one price docs/cost.md does not carry, each with the page it was read
on (checked 2026-12-05 through stored copies of AWS's documentation; `how` says which copy when it
was not AWS's own page). A quota that can be raised carries its name in Service Quotas.
"""
from dataclasses import dataclass

CHECKED = "2026-12-05"


@dataclass(frozen=True)
class Fact:
    value: float
    what: str
    url: str
    quota: str = ""
    how: str = ""


LAMBDA_MEMORY = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/limits.html"
LAMBDA_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html"
ESM_SQS_CONFIGURE = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
ESM_SQS_SCALING = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"
PROVISIONED_SQS_BLOG = ("https://aws.amazon.com/blogs/aws/aws-lambda-enhances-sqs-processing-with-new-"
                        "provisioned-mode-3x-faster-scaling-16x-higher-capacity")
LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/"
IOT_QUOTAS = "https://docs.aws.amazon.com/general/latest/gr/iot-core.html"
SQS_QUEUE_QUOTAS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html"

IOT_TABLE_HOW = ("value from AWS's IoT Core limits table (stored copy of the AWS documentation source); the "
                 "current page lists it per Region, and some Regions have lower defaults: check yours")

MB_PER_VCPU = Fact(1769, "MB of function memory per vCPU of CPU share (memory 128 to 10,240 MB)", LAMBDA_MEMORY)
MEMORY_MIN_MB = Fact(128, "smallest function memory, MB", LAMBDA_MEMORY)
MEMORY_MAX_MB = Fact(10240, "largest function memory, MB", LAMBDA_MEMORY)

BATCH_MAX = Fact(10000, "largest batch size of an SQS standard-queue event source mapping; above 10 the "
                 "batching window must be at least 1 s", ESM_SQS_CONFIGURE)
WINDOW_MAX_S = Fact(300, "largest batching window (MaximumBatchingWindowInSeconds), s", ESM_SQS_CONFIGURE)
INVOKE_PAYLOAD_BYTES = Fact(6 * 1024 * 1024, "synchronous invocation payload, bytes (a batch is cut to fit)",
                            ESM_SQS_CONFIGURE)
RESERVED_MIN_FOR_SQS = Fact(5, "smallest reserved concurrency AWS advises for an SQS event source mapping",
                            ESM_SQS_CONFIGURE)

STANDARD_START = Fact(5, "concurrent invokes a standard-mode SQS mapping starts with", ESM_SQS_SCALING)
STANDARD_STEP_PER_MIN = Fact(300, "concurrent invokes a standard-mode SQS mapping adds per minute at most",
                             ESM_SQS_SCALING)
STANDARD_MAX = Fact(1250, "concurrent invokes of one standard-mode SQS mapping at most", ESM_SQS_SCALING)

POLLER_INVOKES = Fact(10, "concurrent invokes per event poller (provisioned mode, SQS)", ESM_SQS_CONFIGURE)
POLLER_BYTES_PER_S = Fact(1_000_000, "bytes per second per event poller (1 MB/s; provisioned mode, SQS)",
                          ESM_SQS_CONFIGURE)
POLLER_CALLS_PER_S = Fact(10, "SQS polling API calls per second per event poller (provisioned mode)",
                          ESM_SQS_CONFIGURE)
POLLERS_MIN_RANGE = (Fact(2, "fewest minimum pollers (SQS)", ESM_SQS_CONFIGURE),
                     Fact(200, "most minimum pollers (SQS)", ESM_SQS_CONFIGURE))
POLLERS_MAX_RANGE = (Fact(2, "fewest maximum pollers (SQS)", ESM_SQS_CONFIGURE),
                     Fact(2000, "most maximum pollers (SQS)", ESM_SQS_CONFIGURE,
                          how="the API reference now allows up to 10,000 for SQS; the developer guide says 2,000"))
PROVISIONED_STEP_PER_MIN = Fact(1000, "concurrent invokes a provisioned-mode SQS mapping adds per minute at most",
                                ESM_SQS_CONFIGURE)
PROVISIONED_MAX = Fact(20000, "concurrent invokes of one provisioned-mode SQS mapping at most", PROVISIONED_SQS_BLOG)
EPU_HOUR_USD = Fact(0.00925, "USD per Event Poller Unit hour (SQS: one EPU per event poller; billed per second, "
                    "1 minute minimum; US East, N. Virginia)", LAMBDA_PRICING,
                    how="read from the SQS pricing example of a stored copy of AWS's pricing page")

LAMBDA_CONCURRENCY = Fact(1000, "concurrent executions per account and Region (default)", LAMBDA_QUOTAS,
                          quota="AWS Lambda: Concurrent executions",
                          how="new accounts start lower and are raised automatically with use")
LAMBDA_UNRESERVED_KEPT = Fact(100, "concurrency AWS keeps unreserved for functions without a reservation",
                              "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
                              how="quoted from the page in AWS re:Post answers; the page itself not read here")
LAMBDA_SCALING_RATE = Fact(1000, "new execution environments per function per 10 s at most", LAMBDA_SCALING)

IOT_INBOUND = Fact(20000, "inbound publish requests per second per account", IOT_QUOTAS,
                   quota="AWS IoT Core: Inbound publish requests per second per account", how=IOT_TABLE_HOW)
IOT_OUTBOUND = Fact(20000, "outbound publish requests per second per account", IOT_QUOTAS,
                    quota="AWS IoT Core: Outbound publish requests per second per account", how=IOT_TABLE_HOW)
IOT_RULES = Fact(20000, "rule evaluations per second per account", IOT_QUOTAS,
                 quota="AWS IoT Core: Rule evaluations per second per AWS account", how=IOT_TABLE_HOW)
IOT_PER_CONNECTION = Fact(100, "inbound + outbound publishes per second per MQTT connection (not adjustable)",
                          IOT_QUOTAS, how=IOT_TABLE_HOW)
IOT_PAYLOAD_BYTES = Fact(128 * 1024, "message payload, bytes (not adjustable)", IOT_QUOTAS, how=IOT_TABLE_HOW)
IOT_RETAINED_PER_TOPIC = Fact(0, "retained publishes per second per topic", IOT_QUOTAS,
                              quota="AWS IoT Core: Retained message inbound publish requests per second per topic",
                              how="value not read in this session")

SQS_RECEIVE_MAX = Fact(10, "messages one ReceiveMessage call returns at most (MaxNumberOfMessages 1 to 10)",
                       "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html",
                       how="the API reference's text as the AWS SDK references repeat it")
SQS_IN_FLIGHT = Fact(120000, "in-flight messages per standard queue, about", SQS_QUEUE_QUOTAS)
