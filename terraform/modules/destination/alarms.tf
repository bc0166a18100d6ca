# One alarm per way the bridge can need an operator; all notify the optional SNS topic.

locals {
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  alarms = {
    "dlq-not-empty" = {
      description         = "Messages are waiting in the iot-bridge DLQ (quarantined or out of retries): inspect the BridgeErrorCode attribute, then redrive or discard."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateNumberOfMessagesVisible"
      dimensions          = { QueueName = aws_sqs_queue.dlq.name }
      statistic           = "Maximum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
    }
    "oldest-message-age" = {
      description         = "The oldest message in the iot-bridge queue is older than ${var.oldest_message_age_threshold_seconds} s: the function is failing, throttled or too slow."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateAgeOfOldestMessage"
      dimensions          = { QueueName = aws_sqs_queue.main.name }
      statistic           = "Maximum"
      period              = 60
      evaluation_periods  = 5
      datapoints_to_alarm = 3
      comparison_operator = "GreaterThanOrEqualToThreshold"
      threshold           = var.oldest_message_age_threshold_seconds
    }
    "function-errors" = {
      description         = "The iot-bridge publisher function failed invocations (whole batches retried)."
      namespace           = "AWS/Lambda"
      metric_name         = "Errors"
      dimensions          = { FunctionName = aws_lambda_function.this.function_name }
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
    }
    "function-throttles" = {
      description         = "The iot-bridge publisher function is throttled (raise account concurrency or lower maximum_concurrency)."
      namespace           = "AWS/Lambda"
      metric_name         = "Throttles"
      dimensions          = { FunctionName = aws_lambda_function.this.function_name }
      statistic           = "Sum"
      period              = 300
      evaluation_periods  = 1
      datapoints_to_alarm = null
      comparison_operator = "GreaterThanThreshold"
      threshold           = 0
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
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
