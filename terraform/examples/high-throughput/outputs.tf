output "queue_url" {
  description = "Bridge queue URL (destination account)."
  value       = module.destination.queue_url
}

output "dlq_url" {
  description = "Dead-letter queue URL (destination account)."
  value       = module.destination.dlq_url
}

output "function_name" {
  description = "The publisher function; its reserved concurrency and the mapping's pollers come from the capacity plan."
  value       = module.destination.function_name
}

output "alarm_names" {
  description = "CloudWatch alarms in the destination account."
  value       = module.destination.alarm_names
}

output "rule_names" {
  description = "Topic rules in the source account."
  value       = module.source.rule_names
}

output "capacity_inputs" {
  description = "The destination module inputs taken from `make capacity RATE=10000 MODE=provisioned`."
  value       = local.capacity
}
