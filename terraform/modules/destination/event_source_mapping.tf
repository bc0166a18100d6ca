# The SQS event source mapping that invokes the function's live alias with batches of the queue.

resource "aws_lambda_event_source_mapping" "queue" {
  event_source_arn                   = aws_sqs_queue.main.arn
  function_name                      = aws_lambda_alias.live.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.maximum_batching_window_in_seconds
  function_response_types            = ["ReportBatchItemFailures"]
  enabled                            = true

  dynamic "scaling_config" {
    for_each = var.maximum_concurrency == null ? [] : [var.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  dynamic "provisioned_poller_config" {
    for_each = var.provisioned_pollers == null ? [] : [var.provisioned_pollers]
    content {
      minimum_pollers = provisioned_poller_config.value.minimum
      maximum_pollers = provisioned_poller_config.value.maximum
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.batch_size <= 10 || var.maximum_batching_window_in_seconds >= 1
      error_message = "batch_size above 10 needs maximum_batching_window_in_seconds >= 1."
    }
    precondition {
      # AWS refuses (or throttles) an event source mapping allowed more concurrent
      # invocations than the function may run.
      condition     = var.reserved_concurrency == null || var.maximum_concurrency == null || try(var.reserved_concurrency >= var.maximum_concurrency, false)
      error_message = "reserved_concurrency (${coalesce(var.reserved_concurrency, 0)}) must be at least maximum_concurrency (${coalesce(var.maximum_concurrency, 0)}) when both are set: raise the reservation, lower maximum_concurrency, or set reserved_concurrency = null."
    }
    precondition {
      # Lambda developer guide, "Configuring scaling behavior for SQS event source mappings":
      # maximum concurrency and provisioned mode are mutually exclusive.
      condition     = var.provisioned_pollers == null || var.maximum_concurrency == null
      error_message = "provisioned_pollers and maximum_concurrency (${coalesce(var.maximum_concurrency, 0)}) cannot both be set: AWS does not combine provisioned mode with a maximum concurrency. Set maximum_concurrency = null to use provisioned mode (cap the function with reserved_concurrency instead), or provisioned_pollers = null for standard mode."
    }
  }

  depends_on = [aws_iam_role_policy.function]
}
