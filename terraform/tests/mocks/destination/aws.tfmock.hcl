# The destination account as the mock AWS provider of terraform test: account 222222222222 in
# eu-west-1, and the computed attributes the destination module reads (ARNs, the function's
# version, the Data-ATS endpoint). Used by the destination module's tests and the root's.

mock_data "aws_caller_identity" {
  defaults = { account_id = "222222222222" }
}

mock_data "aws_region" {
  # provider 5.x reads "name", 6.x "region": the module reads whichever exists
  defaults = { name = "eu-west-1", region = "eu-west-1" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

mock_data "aws_iot_endpoint" {
  defaults = { endpoint_address = "abc123-ats.iot.eu-west-1.amazonaws.com" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::222222222222:role/iot-bridge-publisher" }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:eu-west-1:222222222222:function:iot-bridge-publisher"
    qualified_arn = "arn:aws:lambda:eu-west-1:222222222222:function:iot-bridge-publisher:1"
    invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:222222222222:function:iot-bridge-publisher/invocations"
    version       = "1"
  }
}

mock_resource "aws_lambda_alias" {
  defaults = { arn = "arn:aws:lambda:eu-west-1:222222222222:function:iot-bridge-publisher:live" }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:222222222222:key/00000000-0000-0000-0000-000000000000"
    key_id = "00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:222222222222:log-group:/aws/lambda/iot-bridge-publisher" }
}
