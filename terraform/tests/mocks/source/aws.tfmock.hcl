# The source account as the mock AWS provider of terraform test: account 111111111111 in
# eu-west-1, and the computed ARNs the source module reads. Used by the source module's tests
# and the root's.

mock_data "aws_caller_identity" {
  defaults = { account_id = "111111111111" }
}

mock_data "aws_region" {
  # provider 5.x reads "name", 6.x "region": the module reads whichever exists
  defaults = { name = "eu-west-1", region = "eu-west-1" }
}

mock_data "aws_partition" {
  defaults = { partition = "aws" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::111111111111:role/iot-bridge-rule" }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/iot/iot_bridge/rule-errors" }
}

mock_resource "aws_iot_topic_rule" {
  defaults = { arn = "arn:aws:iot:eu-west-1:111111111111:rule/mock" }
}
