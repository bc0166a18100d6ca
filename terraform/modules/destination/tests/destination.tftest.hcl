# Destination module: queue/DLQ, queue policy (fan-in), function role, runtimes.
# Run: cd terraform/modules/destination && terraform init -backend=false && terraform test

mock_provider "aws" {
  source = "../../tests/mocks/aws"

  mock_data "aws_caller_identity" {
    defaults = { account_id = "222222222222" }
  }
}

override_resource {
  target = aws_sqs_queue.main
  values = {
    arn  = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
    url  = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
    id   = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge"
    name = "iot-bridge"
  }
}

override_resource {
  target = aws_sqs_queue.dlq
  values = {
    arn  = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge-dlq"
    url  = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge-dlq"
    id   = "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge-dlq"
    name = "iot-bridge-dlq"
  }
}

variables {
  function_zip_path = "../../tests/fixtures/function.zip"
  sources           = [{ account_id = "111111111111" }]
  routes = [
    { name = "ground", source_filter = "GROUND/v1/#" },
    { name = "cmd", source_filter = "SITE/+/cmd", strip_prefix = "SITE/", add_prefix = "CLOUD/", qos = 0, retain = true },
  ]
}

run "queue_dlq_redrive_and_encryption" {
  command = apply

  assert {
    condition     = aws_sqs_queue.main.visibility_timeout_seconds == 6 * 30 + 1
    error_message = "Visibility timeout must default to 6 x timeout + batching window."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.main.redrive_policy) == { deadLetterTargetArn = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge-dlq", maxReceiveCount = 60 }
    error_message = "The queue must redrive to the DLQ after max_receive_count receives."
  }

  assert {
    condition     = aws_sqs_queue.main.sqs_managed_sse_enabled && aws_sqs_queue.dlq.sqs_managed_sse_enabled
    error_message = "Both queues use SQS-managed SSE by default."
  }

  assert {
    condition     = length(aws_kms_key.queue) == 0
    error_message = "No customer key by default."
  }
}

run "queue_policy_admits_only_the_source_rule_role_and_denies_non_tls" {
  command = apply

  assert {
    condition = jsondecode(aws_sqs_queue_policy.main.policy).Statement[0] == {
      Sid       = "AllowSourceRuleRolesToSend"
      Effect    = "Allow"
      Principal = { AWS = ["arn:aws:iam::111111111111:root"] }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
      Condition = { ArnEquals = { "aws:PrincipalArn" = ["arn:aws:iam::111111111111:role/iot-bridge-rule"] } }
    }
    error_message = "Only the source rule role may send (root principal narrowed by aws:PrincipalArn)."
  }

  assert {
    condition = jsondecode(aws_sqs_queue_policy.main.policy).Statement[1] == {
      Sid       = "DenyNonTLS"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
    error_message = "Non-TLS access must be denied."
  }

  assert {
    condition     = length(jsondecode(aws_sqs_queue_policy.main.policy).Statement) == 2
    error_message = "No other statements in the queue policy."
  }

  assert {
    # the queue's DenyNonTLS statement (asserted above), on the DLQ, and nothing else
    condition = jsondecode(aws_sqs_queue_policy.dlq.policy) == {
      Version   = "2012-10-17"
      Statement = [merge(jsondecode(aws_sqs_queue_policy.main.policy).Statement[1], { Resource = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge-dlq" })]
    }
    error_message = "The DLQ's policy is the non-TLS deny alone, on the DLQ."
  }
}

run "fan_in_admits_every_configured_source_and_no_other" {
  command = apply

  variables {
    sources = [
      { account_id = "111111111111" },
      { account_id = "333333333333", rule_role_name = "plant-b-bridge-rule" },
      { account_id = "111111111111", rule_role_name = "second-rule-role" },
    ]
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_policy.main.policy).Statement[0].Principal.AWS == ["arn:aws:iam::111111111111:root", "arn:aws:iam::333333333333:root"]
    error_message = "Each source account appears once as principal."
  }

  assert {
    condition = jsondecode(aws_sqs_queue_policy.main.policy).Statement[0].Condition.ArnEquals["aws:PrincipalArn"] == [
      "arn:aws:iam::111111111111:role/iot-bridge-rule",
      "arn:aws:iam::333333333333:role/plant-b-bridge-rule",
      "arn:aws:iam::111111111111:role/second-rule-role",
    ]
    error_message = "Exactly the configured rule roles are admitted."
  }
}

run "function_role_has_exactly_the_needed_permissions" {
  command = apply

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.function.policy).Statement : s.Action] == [
      ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
      "sqs:SendMessage",
      "iot:Publish",
      ["iot:Publish", "iot:RetainPublish"],
      ["logs:CreateLogStream", "logs:PutLogEvents"],
      "iot:RetainPublish",
    ]
    error_message = "Unexpected actions in the function policy."
  }

  assert {
    condition = (
      jsondecode(aws_iam_role_policy.function.policy).Statement[3].Effect == "Deny" &&
      jsondecode(aws_iam_role_policy.function.policy).Statement[3].Resource == "arn:aws:iot:eu-west-1:222222222222:topic/$*"
    )
    error_message = "Publishing to reserved ($) topics must be denied explicitly."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.function.policy).Statement[1].Resource == "arn:aws:sqs:eu-west-1:222222222222:iot-bridge-dlq"
    error_message = "The function may send only to the DLQ."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.function.policy).Statement[2].Resource == [
      "arn:aws:iot:eu-west-1:222222222222:topic/CLOUD/*/cmd",
      "arn:aws:iot:eu-west-1:222222222222:topic/GROUND/v1",
      "arn:aws:iot:eu-west-1:222222222222:topic/GROUND/v1/*",
    ]
    error_message = "iot:Publish must be limited to the destination topics (wildcards become *)."
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.function.policy).Statement[5].Resource == ["arn:aws:iot:eu-west-1:222222222222:topic/CLOUD/*/cmd"]
    error_message = "iot:RetainPublish only for retain routes."
  }
}

run "native_runtime" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.runtime == "provided.al2023" && aws_lambda_function.this.handler == "bootstrap"
    error_message = "native must be provided.al2023 with handler bootstrap."
  }

  assert {
    condition     = length(aws_lambda_function.this.snap_start) == 0 && aws_lambda_function.this.memory_size == 256
    error_message = "native has no SnapStart and 256 MB by default."
  }

  assert {
    condition     = [for r in jsondecode(aws_lambda_function.this.environment[0].variables.BRIDGE_ROUTES) : r.name] == ["ground", "cmd"]
    error_message = "BRIDGE_ROUTES must be the routes, in their order, as JSON."
  }

  assert {
    condition     = jsondecode(aws_lambda_function.this.environment[0].variables.BRIDGE_ROUTES)[1] == { name = "cmd", source_filter = "SITE/+/cmd", condition = "", strip_prefix = "SITE/", add_prefix = "CLOUD/", qos = 0, retain = true }
    error_message = "BRIDGE_ROUTES must carry every route key of docs/interfaces.md with defaults applied."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.BRIDGE_IOT_ENDPOINT == "https://abc123-ats.iot.eu-west-1.amazonaws.com"
    error_message = "BRIDGE_IOT_ENDPOINT must be the Data-ATS endpoint URL."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.BRIDGE_DLQ_URL == "https://sqs.eu-west-1.amazonaws.com/222222222222/iot-bridge-dlq"
    error_message = "BRIDGE_DLQ_URL must be the DLQ URL."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.BRIDGE_MAX_CONCURRENCY == "10"
    error_message = "BRIDGE_MAX_CONCURRENCY default is 10."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.BRIDGE_RECORD_LOG == "failures"
    error_message = "BRIDGE_RECORD_LOG default is failures (log lines only for records retried or quarantined: an audit line per record costs more in CloudWatch Logs than the function's Lambda duration)."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.queue.function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The event source mapping must report batch item failures."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.queue.function_name == aws_lambda_alias.live.arn && aws_lambda_event_source_mapping.queue.scaling_config[0].maximum_concurrency == 5
    error_message = "The mapping invokes the alias with maximum concurrency."
  }
}

run "jvm_runtime_with_snapstart" {
  command = apply

  variables {
    runtime      = "jvm"
    architecture = "arm64"
  }

  assert {
    condition     = aws_lambda_function.this.runtime == "java21" && aws_lambda_function.this.handler == "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest"
    error_message = "jvm must be java21 with the Quarkus stream handler."
  }

  assert {
    condition     = aws_lambda_function.this.snap_start[0].apply_on == "PublishedVersions" && aws_lambda_function.this.publish
    error_message = "jvm must enable SnapStart on published versions."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables.JAVA_TOOL_OPTIONS == "-XX:+TieredCompilation -XX:TieredStopAtLevel=1"
    error_message = "jvm sets JAVA_TOOL_OPTIONS."
  }

  assert {
    condition     = aws_lambda_function.this.architectures[0] == "arm64" && aws_lambda_function.this.memory_size == 1024
    error_message = "Architecture and default jvm memory."
  }
}

run "customer_kms_key" {
  command = apply

  variables {
    create_kms_key = true
  }

  assert {
    condition     = aws_sqs_queue.main.kms_master_key_id == aws_kms_key.queue[0].arn && aws_sqs_queue.dlq.kms_master_key_id == aws_kms_key.queue[0].arn
    error_message = "Both queues use the customer key."
  }

  assert {
    condition = jsondecode(aws_kms_key.queue[0].policy).Statement[1].Condition == {
      ArnEquals    = { "aws:PrincipalArn" = ["arn:aws:iam::111111111111:role/iot-bridge-rule"] }
      StringEquals = { "kms:ViaService" = "sqs.eu-west-1.amazonaws.com" }
    }
    error_message = "The key policy admits only the source rule roles, through SQS."
  }

  assert {
    condition     = aws_kms_key.queue[0].enable_key_rotation
    error_message = "Key rotation must be enabled."
  }
}

run "alarms_notify_the_sns_topic" {
  command = apply

  variables {
    alarm_sns_topic_arn = "arn:aws:sns:eu-west-1:222222222222:ops"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["dlq-not-empty"].alarm_actions == toset(["arn:aws:sns:eu-west-1:222222222222:ops"]) && aws_cloudwatch_metric_alarm.this["dlq-not-empty"].dimensions.QueueName == "iot-bridge-dlq"
    error_message = "The DLQ alarm watches the DLQ and notifies the topic."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["oldest-message-age"].metric_name == "ApproximateAgeOfOldestMessage"
    error_message = "Age-of-oldest-message alarm."
  }
}

run "rejects_too_short_visibility_timeout" {
  command = plan

  variables {
    visibility_timeout_seconds = 60
  }

  expect_failures = [aws_sqs_queue.main]
}

run "rejects_an_unknown_record_log" {
  command = plan

  variables {
    record_log = "none"
  }

  expect_failures = [var.record_log]
}

run "rejects_bad_source_account" {
  command = plan

  variables {
    sources = [{ account_id = "12345" }]
  }

  expect_failures = [var.sources]
}

# ------------------------------------------------------------------ retries ---

run "function_knows_the_redrive_retention_and_backoff" {
  command = plan

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables.BRIDGE_MAX_RECEIVE_COUNT == "60" &&
      aws_lambda_function.this.environment[0].variables.BRIDGE_MESSAGE_RETENTION == "345600s" &&
      aws_lambda_function.this.environment[0].variables.BRIDGE_BACKOFF_BASE == "60s" &&
      aws_lambda_function.this.environment[0].variables.BRIDGE_BACKOFF_CAP == "900s"
    )
    error_message = "The function must know max_receive_count, retention and the backoff."
  }

  assert {
    condition     = local.retry_shortest_span_seconds == 25200
    error_message = "60 receives at 60 s doubling to 900 s span 25200 s (7 h) at the shortest delays."
  }
}

run "rejects_a_max_receive_count_that_a_six_hour_outage_would_exhaust" {
  command = plan

  variables {
    max_receive_count = 5
  }

  expect_failures = [aws_sqs_queue.main]
}

run "rejects_a_retention_shorter_than_the_tolerated_outage" {
  command = plan

  variables {
    message_retention_seconds = 21600
  }

  expect_failures = [aws_sqs_queue.main]
}

run "accepts_a_faster_backoff_with_more_receives" {
  command = plan

  variables {
    retry_backoff_base_seconds = 10
    retry_backoff_cap_seconds  = 300
    max_receive_count          = 150
  }

  assert {
    condition     = local.retry_shortest_span_seconds >= 21600
    error_message = "150 receives at 10 s doubling to 300 s span at least 6 hours."
  }
}

# --------------------------------------------------------- plan-time limits ---

run "accepts_dlq_retention_equal_to_the_queue" {
  command = plan
  variables {
    message_retention_seconds     = 86400
    dlq_message_retention_seconds = 86400
  }
}

run "rejects_dlq_retention_shorter_than_the_queue" {
  command = plan
  variables {
    message_retention_seconds     = 1209600
    dlq_message_retention_seconds = 345600
  }
  expect_failures = [aws_sqs_queue.main]
}

run "accepts_reserved_concurrency_equal_to_maximum_concurrency" {
  command = plan
  variables {
    reserved_concurrency = 5
    maximum_concurrency  = 5
  }
}

run "accepts_maximum_concurrency_without_reservation" {
  command = plan
  variables {
    reserved_concurrency = null
    maximum_concurrency  = 1000
  }
}

run "accepts_reservation_without_maximum_concurrency" {
  command = plan
  variables {
    reserved_concurrency = 1
    maximum_concurrency  = null
  }
}

run "rejects_reserved_concurrency_below_maximum_concurrency" {
  command = plan
  variables {
    reserved_concurrency = 4
    maximum_concurrency  = 5
  }
  expect_failures = [aws_lambda_event_source_mapping.queue]
}

# ------------------------------------------------------- permissions boundary ---

run "no_permissions_boundary_by_default" {
  command = plan

  assert {
    condition     = aws_iam_role.function.permissions_boundary == null
    error_message = "Without permissions_boundary no role carries a boundary."
  }
}

run "permissions_boundary_on_every_role" {
  command = plan

  variables {
    permissions_boundary = "arn:aws:iam::222222222222:policy/iot-bridge-boundary"
  }

  assert {
    condition     = aws_iam_role.function.permissions_boundary == "arn:aws:iam::222222222222:policy/iot-bridge-boundary"
    error_message = "Every role the module creates must carry the permissions boundary."
  }
}

# --------------------------------------------------- high-throughput knobs ---

run "standard_mode_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_event_source_mapping.queue.provisioned_poller_config) == 0 && aws_lambda_function.this.reserved_concurrent_executions == null
    error_message = "By default the mapping runs in standard mode and the function is unreserved."
  }
}

run "provisioned_pollers_and_reserved_concurrency" {
  command = plan

  variables {
    maximum_concurrency  = null
    provisioned_pollers  = { minimum = 2, maximum = 20 }
    reserved_concurrency = 200
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.queue.provisioned_poller_config[0].minimum_pollers == 2 &&
      aws_lambda_event_source_mapping.queue.provisioned_poller_config[0].maximum_pollers == 20 &&
      length(aws_lambda_event_source_mapping.queue.scaling_config) == 0
    )
    error_message = "provisioned_pollers must become provisioned_poller_config, without scaling_config."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 200
    error_message = "reserved_concurrency must become reserved_concurrent_executions."
  }
}

run "rejects_provisioned_pollers_with_maximum_concurrency" {
  command = plan

  variables {
    maximum_concurrency = 5
    provisioned_pollers = { minimum = 2, maximum = 20 }
  }

  expect_failures = [aws_lambda_event_source_mapping.queue]
}

run "rejects_a_minimum_of_one_poller" {
  command = plan

  variables {
    maximum_concurrency = null
    provisioned_pollers = { minimum = 1, maximum = 20 }
  }

  expect_failures = [var.provisioned_pollers]
}

run "rejects_more_than_2000_pollers" {
  command = plan

  variables {
    maximum_concurrency = null
    provisioned_pollers = { minimum = 2, maximum = 2001 }
  }

  expect_failures = [var.provisioned_pollers]
}

run "rejects_a_minimum_above_the_maximum" {
  command = plan

  variables {
    maximum_concurrency = null
    provisioned_pollers = { minimum = 50, maximum = 20 }
  }

  expect_failures = [var.provisioned_pollers]
}

run "rejects_a_reserved_concurrency_of_zero" {
  command = plan

  variables {
    reserved_concurrency = 0
  }

  expect_failures = [var.reserved_concurrency]
}

run "rejects_a_fractional_batching_window" {
  command = plan

  variables {
    maximum_batching_window_in_seconds = 0.5
  }

  expect_failures = [var.maximum_batching_window_in_seconds]
}

run "rejects_a_batch_over_10000" {
  command = plan

  variables {
    batch_size = 10001
  }

  expect_failures = [var.batch_size]
}

run "rejects_a_batch_over_10_without_a_batching_window" {
  command = plan

  variables {
    batch_size                         = 100
    maximum_batching_window_in_seconds = 0
  }

  expect_failures = [aws_lambda_event_source_mapping.queue]
}
