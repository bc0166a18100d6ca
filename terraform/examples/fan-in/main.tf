# Fan-in: two plants (two source accounts) bridge into one destination account.
# The destination admits exactly the two rule roles; each source module only sends.
#
# "Either account first": the destination needs only the sources' account IDs and
# rule role names, and the sources need only the queue URL/ARN, which are
# predictable. So each part can also live in its own state and be applied in any
# order (see README); here all three are in one configuration.

provider "aws" {
  alias   = "plant_a"
  region  = var.region
  profile = var.plant_a_profile
}

provider "aws" {
  alias   = "plant_b"
  region  = var.region
  profile = var.plant_b_profile
}

provider "aws" {
  alias   = "destination"
  region  = var.region
  profile = var.destination_profile
}

data "aws_caller_identity" "plant_a" {
  provider = aws.plant_a
}

data "aws_caller_identity" "plant_b" {
  provider = aws.plant_b
}

locals {
  # One definition for every account: each plant publishes under its own prefix,
  # which is kept in the destination so the origin stays visible.
  routes = [
    { name = "plant_a", source_filter = "PLANT-A/telemetry/#" },
    { name = "plant_b", source_filter = "PLANT-B/telemetry/#" },
  ]
  routes_by_name = { for r in local.routes : r.name => r }
}

module "destination" {
  source = "../../modules/destination"

  providers = {
    aws = aws.destination
  }

  routes = local.routes
  sources = [
    { account_id = data.aws_caller_identity.plant_a.account_id, rule_role_name = "iot-bridge-rule" },
    { account_id = data.aws_caller_identity.plant_b.account_id, rule_role_name = "iot-bridge-rule" },
  ]
  function_zip_path   = var.function_zip_path
  create_kms_key      = true
  alarm_sns_topic_arn = var.alarm_sns_topic_arn
}

module "plant_a" {
  source = "../../modules/source"

  providers = {
    aws = aws.plant_a
  }

  routes                  = [local.routes_by_name["plant_a"]]
  rule_role_name          = "iot-bridge-rule"
  destination_queue_url   = module.destination.queue_url
  destination_queue_arn   = module.destination.queue_arn
  destination_kms_key_arn = module.destination.kms_key_arn
}

module "plant_b" {
  source = "../../modules/source"

  providers = {
    aws = aws.plant_b
  }

  routes                  = [local.routes_by_name["plant_b"]]
  rule_role_name          = "iot-bridge-rule"
  destination_queue_url   = module.destination.queue_url
  destination_queue_arn   = module.destination.queue_arn
  destination_kms_key_arn = module.destination.kms_key_arn
}
