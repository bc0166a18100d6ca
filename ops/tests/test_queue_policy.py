"""The queue policy reading doctor applies (the same one the local stack enforces)."""
import json

from iotbridge_ops.queue_policy import send_denied_reason

ROLE = "arn:aws:iam::111111111111:role/iot-bridge-rule"
QUEUE = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# the two statements terraform/modules/destination writes
ADMIT = {"Sid": "AllowSourceRuleRolesToSend", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
     "Action": "sqs:SendMessage", "Resource": QUEUE, "Condition": {"ArnEquals": {"aws:PrincipalArn": [ROLE]}}}
DENY_NON_TLS = {"Sid": "DenyNonTLS", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": QUEUE,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def test_the_destination_modules_policy_admits_the_rule_role():
    assert send_denied_reason(policy(ADMIT, DENY_NON_TLS), ROLE, QUEUE) is None


def test_another_role_of_the_same_account_is_not_admitted():
    other = ROLE.replace("iot-bridge-rule", "intruder")
    assert "no statement allows" in send_denied_reason(policy(ADMIT, DENY_NON_TLS), other, QUEUE)


def test_no_policy_and_empty_policy_refuse():
    assert "no policy" in send_denied_reason(None, ROLE, QUEUE)
    assert "no statement allows" in send_denied_reason(policy(), ROLE, QUEUE)


def test_an_explicit_deny_wins():
    deny = {**ADMIT, "Sid": "NoBridge", "Effect": "Deny"}
    assert "NoBridge denies" in send_denied_reason(policy(ADMIT, deny), ROLE, QUEUE)


def test_wildcards_and_the_role_as_principal():
    direct = {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sqs:*", "Resource": "arn:aws:sqs:*:222222222222:iot-*"}
    assert send_denied_reason(policy(direct), ROLE, QUEUE) is None
    like = {**ADMIT, "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/iot-*"}}}
    assert send_denied_reason(policy(like), ROLE, QUEUE) is None


def test_another_queue_or_action_is_not_enough():
    assert send_denied_reason(policy({**ADMIT, "Resource": QUEUE + "-dlq"}), ROLE, QUEUE) is not None
    assert send_denied_reason(policy({**ADMIT, "Action": "sqs:ReceiveMessage"}), ROLE, QUEUE) is not None


def test_conditions_it_cannot_evaluate_never_allow():
    unknown = {**ADMIT, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}
    assert send_denied_reason(policy(unknown), ROLE, QUEUE) is not None
    assert send_denied_reason(policy({**ADMIT, "NotAction": "sqs:DeleteMessage"}), ROLE, QUEUE) is not None

