package dev.iotbridge.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.iotbridge.local.config.CanaryRoute;
import dev.iotbridge.local.control.ControlPlaneEndpoint;
import dev.iotbridge.local.rules.RulesEngine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code make doctor} needs to know about a running local stack, written in the shape of
 * {@code terraform output -json} (one output, {@code doctor}, as terraform/doctor.tf declares it)
 * plus the local endpoints and the AWS services the stack does not have, so that doctor checks
 * the local stack with the same code as a deployment.
 */
public final class DoctorOutputs {

    private DoctorOutputs() {}

    /** {@code canary}: the canary route of the settings file, null when it is off. */
    public static Map<String, Object> of(LocalBridgeStack s, CanaryRoute canary) {
        ControlPlaneEndpoint cp = s.controlPlane();
        if (cp == null) throw new IllegalStateException("the stack runs without its control plane: nothing for doctor to check");
        ControlPlaneEndpoint.Names n = cp.names();
        Map<String, Object> outputs = new LinkedHashMap<>();
        Map<String, Object> ruleNames = new LinkedHashMap<>();
        Map<String, Object> ruleSql = new LinkedHashMap<>();
        List<Object> routeList = new ArrayList<>();
        for (RulesEngine.Rule r : s.rulesEngine().rules()) {
            routeList.add(r.route().toJsonMap());
            ruleNames.put(r.route().name(), n.ruleName(r.route().name()));
            ruleSql.put(r.route().name(), r.sql());
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("region", n.region());
        source.put("profile", null);
        source.put("assume_role_arn", null);
        source.put("account_id", n.sourceAccountId());
        source.put("rule_names", ruleNames);
        source.put("rule_sql", ruleSql);
        source.put("rule_role_arn", n.ruleRoleArn());
        source.put("error_log_group", null);
        Map<String, Object> destination = new LinkedHashMap<>();
        destination.put("region", n.region());
        destination.put("profile", null);
        destination.put("assume_role_arn", null);
        destination.put("account_id", n.destinationAccountId());
        destination.put("queue_url", s.queueUrl());
        destination.put("queue_arn", s.sqs().queueArn());
        destination.put("dlq_url", s.dlqUrl());
        destination.put("function_name", n.functionName());
        destination.put("function_log_group", null);

        Map<String, Object> doctor = new LinkedHashMap<>();
        doctor.put("version", 1);
        doctor.put("target", "local stack");
        doctor.put("routes", routeList);
        doctor.put("canary", canary == null ? null : canary(canary));
        doctor.put("source", source);
        doctor.put("destination", destination);
        doctor.put("endpoints", Map.of(
                "source", Map.of("iot", cp.url(), "iot-data", s.sourceIotData().url()),
                "destination", Map.of("sqs", cp.url(), "lambda", cp.url(), "iot-data", s.iotData().url())));
        Map<String, Object> unavailable = new LinkedHashMap<>();
        unavailable.put("iam", "the local stack has no IAM; its iot-data endpoint admits exactly the routes' destination topic filters, standing for the function role's iot:Publish policy");
        unavailable.put("logs", "the local stack has no CloudWatch Logs: rule errors are printed by `make up`, the function log is " + s.function().logFile());
        unavailable.put("cloudwatch", "the local stack has no CloudWatch metrics");
        unavailable.put("sts", "the local stack has no STS");
        doctor.put("unavailable", unavailable);
        outputs.put("doctor", Map.of("sensitive", false, "value", doctor));
        return outputs;
    }

    private static Map<String, Object> canary(CanaryRoute c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("route", c.route().name());
        m.put("source_topic", c.topic());
        m.put("destination_topic", c.destinationTopic());
        return m;
    }

    /** Writes {@link #of} to a file (atomically: doctor may read it while the stack starts). */
    public static void write(LocalBridgeStack s, CanaryRoute canary, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".outputs", ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), of(s, canary));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
