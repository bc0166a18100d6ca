# The mock AWS provider of every terraform test of the root and both modules: region
# eu-west-1, the Data-ATS endpoint, and the computed attributes the modules read. The account
# is each test file's own, next to the source of this file:
#
#   mock_provider "aws" {
#     source = "<path to>/tests/mocks/aws"
#     mock_data "aws_caller_identity" {
#       defaults = { account_id = "222222222222" }
#     }
#   }
#
# ARNs of mocked resources are placeholders (account 000000000000): the tests assert on the ARNs
# the modules build from the caller identity and their variables, never on these.

mock_data "aws_region" {
  # provider 5.x reads "name", 6.x "region": the modules read whichever exists
  defaults = { name = "eu-west-1", region = "eu-west-1" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

mock_data "aws_iot_endpoint" {
  defaults = { endpoint_address = "abc123-ats.iot.eu-west-1.amazonaws.com" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::000000000000:role/mock" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:000000000000:log-group:mock" }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000000"
    key_id = "00000000-0000-0000-0000-000000000000"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:eu-west-1:000000000000:function:mock"
    qualified_arn = "arn:aws:lambda:eu-west-1:000000000000:function:mock:1"
    invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:mock/invocations"
    version       = "1"
  }
}

mock_resource "aws_lambda_alias" {
  defaults = { arn = "arn:aws:lambda:eu-west-1:000000000000:function:mock:live" }
}

mock_resource "aws_iot_topic_rule" {
  defaults = { arn = "arn:aws:iot:eu-west-1:000000000000:rule/mock" }
}
