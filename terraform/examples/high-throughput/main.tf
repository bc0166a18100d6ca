# High throughput: one fleet route carrying 10,000 messages per second into the destination
# account, with the destination module's knobs set from the capacity plan (docs/capacity.md).
#
# The values in local.capacity are the "Terraform inputs" that
#   make capacity RATE=10000 MODE=provisioned
# prints (native build, 512 MB, batch size 10, 50-byte payloads, from the committed bench results);
# harness/capacity/tests/test_example.py fails when they drift from the plan. For another rate or
# payload, run the command with your figures and copy its inputs here.

provider "aws" {
  alias   = "source"
  region  = var.region
  profile = var.source_profile
}

provider "aws" {
  alias   = "destination"
  region  = var.region
  profile = var.destination_profile
}

data "aws_caller_identity" "source" {
  provider = aws.source
}

locals {
  # BEGIN make capacity RATE=10000 MODE=provisioned
  capacity = {
    memory_size                        = 512
    batch_size                         = 10
    maximum_batching_window_in_seconds = 0
    max_publish_concurrency            = 10
    record_log                         = "failures"
    reserved_concurrency               = 53
    maximum_concurrency                = null
    provisioned_pollers                = { minimum = 100, maximum = 200 }
  }
  # END make capacity

  # No retain: a retained publish is metered a second time (docs/cost.md), $1 per million
  # messages at this rate, and the devices' telemetry has no use for a last-value copy.
  routes = [
    {
      name          = "fleet"
      source_filter = "FLEET/+/telemetry"
      qos           = 0
      retain        = false
    },
  ]
}

module "destination" {
  source = "../../modules/destination"

  providers = {
    aws = aws.destination
  }

  routes            = local.routes
  sources           = [{ account_id = data.aws_caller_identity.source.account_id }]
  runtime           = "native"
  function_zip_path = var.function_zip_path

  memory_size                        = local.capacity.memory_size
  batch_size                         = local.capacity.batch_size
  maximum_batching_window_in_seconds = local.capacity.maximum_batching_window_in_seconds
  max_publish_concurrency            = local.capacity.max_publish_concurrency
  record_log                         = local.capacity.record_log
  reserved_concurrency               = local.capacity.reserved_concurrency
  maximum_concurrency                = local.capacity.maximum_concurrency
  provisioned_pollers                = local.capacity.provisioned_pollers

  alarm_sns_topic_arn = var.alarm_sns_topic_arn
}

module "source" {
  source = "../../modules/source"

  providers = {
    aws = aws.source
  }

  routes                = local.routes
  destination_queue_url = module.destination.queue_url
  destination_queue_arn = module.destination.queue_arn
}
