package dev.iotbridge.local.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bridge queue's resource policy as the local stack enforces it on the rules engine's SQS
 * action: may {@code principalArn} (the rule role) call {@code sqs:SendMessage} on the queue?
 *
 * <p>Understands what the destination module writes and what a hand edit typically does:
 * {@code Effect}, {@code Principal} ({@code "*"} or {@code {"AWS": …}} naming the role, its account
 * root or account id), {@code Action} and {@code Resource} with {@code *}/{@code ?} wildcards, and
 * conditions {@code ArnEquals}/{@code ArnLike}/{@code StringEquals}/{@code StringLike} on
 * {@code aws:PrincipalArn}/{@code aws:PrincipalAccount} and {@code Bool} on
 * {@code aws:SecureTransport} (the rules engine always uses TLS). A statement with anything else
 * (NotPrincipal, NotAction, other condition keys) never allows, so an unknown policy denies rather
 * than pretends. An explicit Deny wins, as in IAM.
 */
public final class QueuePolicy {

    private static final ObjectMapper JSON = new ObjectMapper();

    private QueuePolicy() {}

    /** The policy the destination module writes: the source account root, narrowed to the rule role(s). */
    public static String admitting(String queueArn, String sourceAccountId, List<String> ruleRoleArns) {
        try {
            Map<String, Object> statement = new LinkedHashMap<>();
            statement.put("Sid", "AllowSourceRuleRolesToSend");
            statement.put("Effect", "Allow");
            statement.put("Principal", Map.of("AWS", List.of("arn:aws:iam::" + sourceAccountId + ":root")));
            statement.put("Action", "sqs:SendMessage");
            statement.put("Resource", queueArn);
            statement.put("Condition", Map.of("ArnEquals", Map.of("aws:PrincipalArn", ruleRoleArns)));
            Map<String, Object> policy = new LinkedHashMap<>();
            policy.put("Version", "2012-10-17");
            policy.put("Statement", List.of(statement));
            return JSON.writeValueAsString(policy);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Null when the policy lets {@code principalArn} send to {@code queueArn}, else why not. */
    public static String sendDeniedReason(String policyJson, String principalArn, String queueArn) {
        if (policyJson == null || policyJson.isBlank()) {
            return "the queue has no policy, so no other account may send to it";
        }
        JsonNode policy;
        try {
            policy = JSON.readTree(policyJson);
        } catch (IOException e) {
            return "the queue policy is not valid JSON: " + e.getMessage();
        }
        boolean allowed = false;
        for (JsonNode st : list(policy.path("Statement"))) {
            if (!applies(st, principalArn, queueArn)) continue;
            String effect = st.path("Effect").asText();
            if (effect.equals("Deny")) return "statement " + st.path("Sid").asText("(no Sid)") + " denies it";
            if (effect.equals("Allow")) allowed = true;
        }
        return allowed ? null : "no statement of the queue policy allows sqs:SendMessage for " + principalArn;
    }

    private static boolean applies(JsonNode st, String principalArn, String queueArn) {
        for (String unsupported : List.of("NotPrincipal", "NotAction", "NotResource")) {
            if (st.has(unsupported)) return false;
        }
        return principal(st.path("Principal"), principalArn)
                && anyMatches(st.path("Action"), "sqs:SendMessage", true)
                && (st.path("Resource").isMissingNode() || anyMatches(st.path("Resource"), queueArn, false))
                && conditions(st.path("Condition"), principalArn);
    }

    private static boolean principal(JsonNode p, String principalArn) {
        if (p.isTextual()) return p.asText().equals("*");
        String account = accountOf(principalArn);
        for (JsonNode v : list(p.path("AWS"))) {
            String s = v.asText();
            if (s.equals("*") || s.equals(principalArn) || s.equals(account)
                    || s.equals("arn:aws:iam::" + account + ":root")) return true;
        }
        return false;
    }

    private static boolean conditions(JsonNode condition, String principalArn) {
        if (condition.isMissingNode()) return true;
        Iterator<Map.Entry<String, JsonNode>> ops = condition.fields();
        while (ops.hasNext()) {
            Map.Entry<String, JsonNode> op = ops.next();
            Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields();
            while (keys.hasNext()) {
                Map.Entry<String, JsonNode> key = keys.next();
                String actual = switch (key.getKey().toLowerCase()) {
                    case "aws:principalarn" -> principalArn;
                    case "aws:principalaccount" -> accountOf(principalArn);
                    case "aws:securetransport" -> "true";
                    default -> null;
                };
                if (actual == null) return false;
                boolean ok = switch (op.getKey()) {
                    case "ArnEquals", "StringEquals", "Bool" -> list(key.getValue()).stream().anyMatch(v -> v.asText().equals(actual));
                    case "ArnLike", "StringLike" -> anyMatches(key.getValue(), actual, false);
                    default -> false;
                };
                if (!ok) return false;
            }
        }
        return true;
    }

    private static boolean anyMatches(JsonNode patterns, String value, boolean ignoreCase) {
        for (JsonNode p : list(patterns)) {
            String regex = ("\\Q" + p.asText() + "\\E").replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
            if (Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches()) return true;
        }
        return false;
    }

    private static List<JsonNode> list(JsonNode n) {
        List<JsonNode> out = new ArrayList<>();
        if (n.isArray()) n.forEach(out::add);
        else if (!n.isMissingNode() && !n.isNull()) out.add(n);
        return out;
    }

    private static String accountOf(String arn) {
        String[] parts = arn.split(":");
        return parts.length > 4 ? parts[4] : "";
    }
}
