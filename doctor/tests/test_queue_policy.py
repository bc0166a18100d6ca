"""The queue policy reading doctor applies (the same one the local stack enforces)."""
import json
import unittest

from iotbridge_doctor.queue_policy import send_denied_reason

ROLE = "arn:aws:iam::111111111111:role/iot-bridge-rule"
QUEUE = "arn:aws:sqs:eu-west-1:222222222222:iot-bridge"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# the two statements terraform/modules/destination writes
ADMIT = {"Sid": "AllowSourceRuleRolesToSend", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
         "Action": "sqs:SendMessage", "Resource": QUEUE, "Condition": {"ArnEquals": {"aws:PrincipalArn": [ROLE]}}}
DENY_NON_TLS = {"Sid": "DenyNonTLS", "Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": QUEUE,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


class QueuePolicyTest(unittest.TestCase):

    def test_the_destination_modules_policy_admits_the_rule_role(self):
        self.assertIsNone(send_denied_reason(policy(ADMIT, DENY_NON_TLS), ROLE, QUEUE))

    def test_another_role_of_the_same_account_is_not_admitted(self):
        other = ROLE.replace("iot-bridge-rule", "intruder")
        self.assertIn("no statement allows", send_denied_reason(policy(ADMIT, DENY_NON_TLS), other, QUEUE))

    def test_no_policy_and_empty_policy_refuse(self):
        self.assertIn("no policy", send_denied_reason(None, ROLE, QUEUE))
        self.assertIn("no statement allows", send_denied_reason(policy(), ROLE, QUEUE))

    def test_an_explicit_deny_wins(self):
        deny = {**ADMIT, "Sid": "NoBridge", "Effect": "Deny"}
        self.assertIn("NoBridge denies", send_denied_reason(policy(ADMIT, deny), ROLE, QUEUE))

    def test_wildcards_and_the_role_as_principal(self):
        direct = {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sqs:*", "Resource": "arn:aws:sqs:*:222222222222:iot-*"}
        self.assertIsNone(send_denied_reason(policy(direct), ROLE, QUEUE))
        like = {**ADMIT, "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/iot-*"}}}
        self.assertIsNone(send_denied_reason(policy(like), ROLE, QUEUE))

    def test_another_queue_or_action_is_not_enough(self):
        self.assertIsNotNone(send_denied_reason(policy({**ADMIT, "Resource": QUEUE + "-dlq"}), ROLE, QUEUE))
        self.assertIsNotNone(send_denied_reason(policy({**ADMIT, "Action": "sqs:ReceiveMessage"}), ROLE, QUEUE))

    def test_conditions_it_cannot_evaluate_never_allow(self):
        unknown = {**ADMIT, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}
        self.assertIsNotNone(send_denied_reason(policy(unknown), ROLE, QUEUE))
        self.assertIsNotNone(send_denied_reason(policy({**ADMIT, "NotAction": "sqs:DeleteMessage"}), ROLE, QUEUE))


if __name__ == "__main__":
    unittest.main()
