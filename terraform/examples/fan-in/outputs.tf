output "queue_url" {
  description = "Bridge queue URL (destination account)."
  value       = module.destination.queue_url
}

output "admitted_source_role_arns" {
  description = "The rule roles the queue policy admits."
  value       = module.destination.admitted_source_role_arns
}

output "rule_names" {
  description = "Topic rules per plant."
  value = {
    plant_a = module.plant_a.rule_names
    plant_b = module.plant_b.rule_names
  }
}
