# Two accounts, one route: the sample's GROUND/v1/# crosses unchanged, and a second
# route renames SITE/<id>/alarm to CLOUD/alarms/<id>/alarm for severe alarms only.

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
  routes = [
    {
      name          = "ground"
      source_filter = "GROUND/v1/#"
    },
    {
      name          = "alarms"
      source_filter = "SITE/+/alarm"
      condition     = "severity >= 3"
      strip_prefix  = "SITE/"
      add_prefix    = "CLOUD/alarms/"
      qos           = 1
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
