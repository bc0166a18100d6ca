# Internal module: the account, region and partition of the provider it is given, read once
# for the source and the destination module (each passes its own provider down implicitly).
# No resources.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}
