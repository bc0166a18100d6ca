# One alarm per way the bridge can need an operator; all notify the optional SNS topic.

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  # Unless an alarm says otherwise: any datapoint above zero in a 5-minute period.
  alarm_defaults = {
    period              = 300
    evaluation_periods  = 1
    datapoints_to_alarm = null
    comparison_operator = "GreaterThanThreshold"
    threshold           = 0
  }
  queue_alarm = { namespace = "AWS/SQS", statistic = "Maximum" }
  function_alarm = {
    namespace  = "AWS/Lambda"
    statistic  = "Sum"
    dimensions = { FunctionName = aws_lambda_function.this.function_name }
  }

  alarms = {
    "dlq-not-empty" = merge(local.alarm_defaults, local.queue_alarm, {
      description = "Messages are waiting in the iot-bridge DLQ (quarantined or out of retries): inspect the BridgeErrorCode attribute, then redrive or discard."
      metric_name = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = aws_sqs_queue.dlq.name }
    })
    "oldest-message-age" = merge(local.alarm_defaults, local.queue_alarm, {
      description         = "The oldest message in the iot-bridge queue is older than ${var.oldest_message_age_threshold_seconds} s: the function is failing, throttled or too slow."
      metric_name         = "ApproximateAgeOfOldestMessage"
      dimensions          = { QueueName = aws_sqs_queue.main.name }
      period              = 60
      evaluation_periods  = 5
      datapoints_to_alarm = 3
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = var.oldest_message_age_threshold_seconds
    })
    "function-errors" = merge(local.alarm_defaults, local.function_alarm, {
      description = "The iot-bridge publisher function failed invocations (whole batches retried)."
      metric_name = "Errors"
    })
    "function-throttles" = merge(local.alarm_defaults, local.function_alarm, {
      description = "The iot-bridge publisher function is throttled: raise reserved_concurrency or the account's Lambda concurrency quota, or lower maximum_concurrency (standard mode) or provisioned_pollers.maximum (provisioned mode)."
      metric_name = "Throttles"
    })
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${module.names.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}
