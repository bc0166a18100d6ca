output "rule_names" {
  description = "Topic rule names, by route name."
  value       = { for name, rule in aws_iot_topic_rule.route : name => rule.name }
}

output "rule_arns" {
  description = "Topic rule ARNs, by route name."
  value       = { for name, rule in aws_iot_topic_rule.route : name => rule.arn }
}

output "rule_sql" {
  description = "Rendered rule SQL, by route name (envelope v1, docs/envelope.md)."
  value       = local.rule_sql
}

output "rule_role_arn" {
  description = "ARN of the role the rules assume to send to the queue (admitted by the destination's queue policy)."
  value       = aws_iam_role.rule.arn
}

output "rule_role_name" {
  description = "Name of the rule role."
  value       = aws_iam_role.rule.name
}

output "rule_role_policy_json" {
  description = "The rule role's inline policy document (JSON)."
  value       = local.rule_policy
}

output "error_log_group_name" {
  description = "CloudWatch log group that receives the rules' error action output."
  value       = aws_cloudwatch_log_group.errors.name
}

output "account_id" {
  description = "Source account ID (where the rules live)."
  value       = module.account.account_id
}

output "rule_role_trust_policy_json" {
  description = "Trust policy of the rule role (JSON)."
  value       = local.assume_role_policy
}

output "error_action_policy_json" {
  description = "The error action role's inline policy (JSON)."
  value       = local.error_action_policy
}
