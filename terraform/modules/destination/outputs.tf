# The outputs a source module consumes wait for the queue policy: topic rules
# built from them are created only once the queue admits their role, so no
# message of a first apply is refused. (The key policy is part of aws_kms_key
# itself, so kms_key_arn already follows it.)
output "queue_url" {
  description = "URL of the bridge queue (give it to the source module as destination_queue_url). Known only once the queue policy admitting the sources is in place."
  value       = aws_sqs_queue.main.url
  depends_on  = [aws_sqs_queue_policy.main]
}

output "queue_arn" {
  description = "ARN of the bridge queue (give it to the source module as destination_queue_arn). Known only once the queue policy admitting the sources is in place."
  value       = aws_sqs_queue.main.arn
  depends_on  = [aws_sqs_queue_policy.main]
}

output "dlq_url" {
  description = "URL of the dead-letter queue (quarantine and exhausted retries)."
  value       = aws_sqs_queue.dlq.url
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "kms_key_arn" {
  description = "ARN of the customer managed key encrypting the queues, or null with SQS-managed SSE (give it to the source module as destination_kms_key_arn). Known only once the queue policy is in place."
  value       = local.kms_key_arn
  depends_on  = [aws_sqs_queue_policy.main]
}

output "function_name" {
  description = "Name of the publisher function."
  value       = aws_lambda_function.this.function_name
}

output "function_alias_arn" {
  description = "ARN of the alias the event source mapping invokes."
  value       = aws_lambda_alias.live.arn
}

output "function_role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.function.arn
}

output "function_log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.function.name
}

output "iot_data_endpoint" {
  description = "iot-data (ATS) endpoint the function publishes to."
  value       = local.function_environment.BRIDGE_IOT_ENDPOINT
}

output "routes" {
  description = "The routes as validated, every optional key filled in with its default: what BRIDGE_ROUTES carries."
  value       = module.inputs.routes
}

output "destination_filters" {
  description = "Destination topic filter of each route (add_prefix + source_filter without strip_prefix), by route name."
  value       = local.destination_filters
}

output "publish_topic_arns" {
  description = "Topic ARNs the function may publish to (iot:Publish resources)."
  value       = local.publish_topic_arns
}

output "admitted_source_role_arns" {
  description = "Source rule role ARNs the queue policy admits."
  value       = local.source_rule_role_arns
}

output "queue_policy_json" {
  description = "The bridge queue's resource policy (JSON)."
  value       = local.queue_policy
}

output "function_policy_json" {
  description = "The function role's inline policy (JSON)."
  value       = local.function_policy
}

output "alarm_names" {
  description = "CloudWatch alarm names."
  value       = [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name]
}

output "kms_key_policy_json" {
  description = "Key policy of the customer managed key (JSON), or null without one."
  value       = var.create_kms_key ? local.kms_key_policy : null
}
