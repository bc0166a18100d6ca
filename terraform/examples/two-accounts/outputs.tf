output "queue_url" {
  description = "Bridge queue URL."
  value       = module.destination.queue_url
}

output "dlq_url" {
  description = "Dead-letter queue URL."
  value       = module.destination.dlq_url
}

output "rule_names" {
  description = "Topic rules in the source account."
  value       = module.source.rule_names
}
