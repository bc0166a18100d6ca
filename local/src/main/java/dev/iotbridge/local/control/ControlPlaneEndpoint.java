package dev.iotbridge.local.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.iotbridge.iotdata.LoopbackHttpServer;
import dev.iotbridge.local.lambda.EventSourceMapping;
import dev.iotbridge.local.lambda.FunctionInstance;
import dev.iotbridge.local.rules.RulesEngine;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The few control-plane calls of both accounts that operators (and {@code make doctor}) make, so
 * that the local stack can be inspected and broken like a deployment, with the AWS SDKs or CLI
 * pointed at this endpoint ({@code --endpoint-url}):
 *
 * <ul>
 * <li>IoT (source account): {@code GetTopicRule}, {@code EnableTopicRule}, {@code DisableTopicRule}
 *     — a disabled rule really stops forwarding.</li>
 * <li>Lambda (destination): {@code GetFunctionConfiguration}, {@code UpdateFunctionConfiguration}
 *     (Environment only: the function restarts with it), {@code ListEventSourceMappings},
 *     {@code UpdateEventSourceMapping} (Enabled only).</li>
 * <li>SQS (destination, JSON protocol): the queue attribute {@code Policy}, which ElasticMQ does not
 *     keep, is held here and enforced on the rules engine's SQS action; every other SQS call is
 *     passed through to ElasticMQ unchanged.</li>
 * </ul>
 *
 * Names follow the Terraform defaults (rule {@code <prefix>_<route>}, roles {@code iot-bridge-rule}
 * and {@code iot-bridge-publisher}). Signatures are not checked. There is no IAM, CloudWatch or
 * CloudWatch Logs here.
 */
public final class ControlPlaneEndpoint implements AutoCloseable {

    /** Names of the emulated resources, as ARNs and identifiers the AWS APIs return. */
    public record Names(String region, String sourceAccountId, String destinationAccountId, String ruleNamePrefix,
                        String ruleRoleName, String functionName, String functionRoleName) {
        public static Names defaults(String region, String destinationAccountId, String functionName) {
            return new Names(region, "111111111111", destinationAccountId, "iot_bridge", "iot-bridge-rule",
                    functionName, "iot-bridge-publisher");
        }

        public String ruleName(String route) { return ruleNamePrefix + "_" + route; }
        public String ruleArn(String route) { return "arn:aws:iot:" + region + ":" + sourceAccountId + ":rule/" + ruleName(route); }
        public String ruleRoleArn() { return "arn:aws:iam::" + sourceAccountId + ":role/" + ruleRoleName; }
        public String functionArn() { return "arn:aws:lambda:" + region + ":" + destinationAccountId + ":function:" + functionName; }
        public String functionRoleArn() { return "arn:aws:iam::" + destinationAccountId + ":role/" + functionRoleName; }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAMBDA = "/2015-03-31";

    private final int port;
    private final Names names;
    private final RulesEngine rules;
    private final String queueUrl;
    private final String queueArn;
    private final List<FunctionInstance> functions;
    private final List<EventSourceMapping> mappings;
    private final String sqsEndpoint;
    private final Map<String, String> queuePolicies = new ConcurrentHashMap<>();
    /** Why the bridge queue's policy refuses the rule role (null: admitted); recomputed when the policy changes. */
    private volatile String sendDenied;
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HttpServer server;

    public ControlPlaneEndpoint(int port, Names names, RulesEngine rules, String queueUrl, String queueArn,
                                List<FunctionInstance> functions, List<EventSourceMapping> mappings, String sqsEndpoint) {
        this.port = port;
        this.names = names;
        this.rules = rules;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.functions = List.copyOf(functions);
        this.mappings = List.copyOf(mappings);
        this.sqsEndpoint = sqsEndpoint;
        setQueuePolicy(queueUrl, QueuePolicy.admitting(queueArn, names.sourceAccountId(), List.of(names.ruleRoleArn())));
        rules.setSendAuthorizer(() -> sendDenied);
    }

    private void setQueuePolicy(String url, String policy) {
        if (policy == null || policy.isEmpty()) queuePolicies.remove(url);
        else queuePolicies.put(url, policy);
        if (url.equals(queueUrl)) sendDenied = QueuePolicy.sendDeniedReason(policy, names.ruleRoleArn(), queueArn);
    }

    public void start() throws IOException {
        server = LoopbackHttpServer.create(port, 64);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() { return "http://127.0.0.1:" + port; }

    public Names names() { return names; }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            if (target != null && target.startsWith("AmazonSQS.")) {
                sqs(ex, target.substring("AmazonSQS.".length()));
            } else if (path.startsWith("/rules/")) {
                topicRule(ex, method, path.substring("/rules/".length()));
            } else if (path.startsWith(LAMBDA + "/functions/") && path.endsWith("/configuration")) {
                String name = decode(path.substring((LAMBDA + "/functions/").length(), path.length() - "/configuration".length()));
                functionConfiguration(ex, method, name);
            } else if (path.startsWith(LAMBDA + "/event-source-mappings")) {
                eventSourceMappings(ex, method, path.substring((LAMBDA + "/event-source-mappings").length()));
            } else {
                error(ex, 404, "UnknownOperationException", "the local control plane has no " + method + " " + path);
            }
        } catch (RuntimeException e) {
            error(ex, 500, "InternalFailureException", "local control plane error: " + e);
        }
    }

    // --------------------------------------------------------------- IoT rules

    private void topicRule(HttpExchange ex, String method, String rest) throws IOException {
        String[] parts = rest.split("/");
        String ruleName = decode(parts[0]);
        RulesEngine.Rule rule = rules.rules().stream()
                .filter(r -> names.ruleName(r.route().name()).equals(ruleName)).findFirst().orElse(null);
        if (rule == null) {
            // IoT answers UnauthorizedException for a rule that does not exist (the Terraform provider treats it as "not found")
            error(ex, 401, "UnauthorizedException", "no topic rule " + ruleName);
            return;
        }
        String route = rule.route().name();
        if (method.equals("POST") && parts.length == 2 && (parts[1].equals("enable") || parts[1].equals("disable"))) {
            rules.setEnabled(route, parts[1].equals("enable"));
            json(ex, 200, JSON.createObjectNode());
            return;
        }
        if (!method.equals("GET") || parts.length != 1) {
            error(ex, 405, "MethodNotAllowedException", "supported: GET /rules/{name}, POST /rules/{name}/enable|disable");
            return;
        }
        ObjectNode r = JSON.createObjectNode();
        r.put("ruleName", ruleName);
        r.put("sql", rule.sql());
        r.put("description", "iot-bridge route " + route + " (local stack)");
        r.put("createdAt", createdAt);
        ObjectNode sqs = r.putArray("actions").addObject().putObject("sqs");
        sqs.put("roleArn", names.ruleRoleArn());
        sqs.put("queueUrl", queueUrl);
        sqs.put("useBase64", false);
        r.put("ruleDisabled", !rules.isEnabled(route));
        r.put("awsIotSqlVersion", "2016-03-23");
        ObjectNode out = JSON.createObjectNode();
        out.put("ruleArn", names.ruleArn(route));
        out.set("rule", r);
        json(ex, 200, out);
    }

    // ------------------------------------------------------------------ Lambda

    private void functionConfiguration(HttpExchange ex, String method, String name) throws IOException {
        if (!name.equals(names.functionName()) && !name.equals(names.functionArn())) {
            error(ex, 404, "ResourceNotFoundException", "Function not found: " + name);
            return;
        }
        if (method.equals("PUT")) {
            JsonNode vars = JSON.readTree(ex.getRequestBody().readAllBytes()).path("Environment").path("Variables");
            if (vars.isObject()) {
                Map<String, String> env = new LinkedHashMap<>();
                functions.get(0).env().forEach((k, v) -> { if (lambdaReserved(k)) env.put(k, v); });
                vars.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
                for (FunctionInstance f : functions) f.updateEnv(env);
            }
        } else if (!method.equals("GET")) {
            error(ex, 405, "MethodNotAllowedException", "supported: GET and PUT .../functions/{name}/configuration");
            return;
        }
        json(ex, 200, configuration());
    }

    private ObjectNode configuration() {
        FunctionInstance f = functions.get(0);
        ObjectNode c = JSON.createObjectNode();
        c.put("FunctionName", names.functionName());
        c.put("FunctionArn", names.functionArn());
        c.put("Runtime", f.command().kind().equals("native") ? "provided.al2023" : "java21");
        c.put("Role", names.functionRoleArn());
        c.put("Version", "$LATEST");
        c.put("State", f.isRunning() ? "Active" : "Pending");
        c.put("LastUpdateStatus", "Successful");
        ObjectNode vars = c.putObject("Environment").putObject("Variables");
        new java.util.TreeMap<>(f.env()).forEach((k, v) -> { if (!lambdaReserved(k)) vars.put(k, v); });
        return c;
    }

    /** Variables Lambda sets itself (not part of a function's Environment). */
    private static boolean lambdaReserved(String key) {
        return key.startsWith("AWS_") || key.startsWith("_") || key.startsWith("LAMBDA_");
    }

    private void eventSourceMappings(HttpExchange ex, String method, String rest) throws IOException {
        if (method.equals("GET") && (rest.isEmpty() || rest.equals("/"))) {
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            ObjectNode out = JSON.createObjectNode();
            ArrayNode list = out.putArray("EventSourceMappings");
            for (int i = 0; i < mappings.size(); i++) {
                EventSourceMapping m = mappings.get(i);
                String fn = q.get("FunctionName");
                if (q.containsKey("EventSourceArn") && !q.get("EventSourceArn").equals(m.queueArn())) continue;
                if (fn != null && !fn.equals(names.functionName()) && !fn.equals(names.functionArn())) continue;
                list.add(mapping(i, m));
            }
            json(ex, 200, out);
            return;
        }
        if (method.equals("PUT") && rest.startsWith("/")) {
            String uuid = decode(rest.substring(1));
            for (int i = 0; i < mappings.size(); i++) {
                if (!uuid(i).equals(uuid)) continue;
                JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
                if (body.has("Enabled")) mappings.get(i).setEnabled(body.get("Enabled").asBoolean());
                json(ex, 202, mapping(i, mappings.get(i)));
                return;
            }
            error(ex, 404, "ResourceNotFoundException", "no event source mapping " + uuid);
            return;
        }
        error(ex, 405, "MethodNotAllowedException", "supported: ListEventSourceMappings, UpdateEventSourceMapping (Enabled)");
    }

    private ObjectNode mapping(int i, EventSourceMapping m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("UUID", uuid(i));
        o.put("EventSourceArn", m.queueArn());
        o.put("FunctionArn", names.functionArn());
        o.put("State", m.isEnabled() ? "Enabled" : "Disabled");
        o.put("BatchSize", m.settings().batchSize());
        o.put("MaximumBatchingWindowInSeconds", m.settings().maximumBatchingWindow().toSeconds());
        ArrayNode types = o.putArray("FunctionResponseTypes");
        if (m.settings().reportBatchItemFailures()) types.add("ReportBatchItemFailures");
        return o;
    }

    private static String uuid(int i) {
        return UUID.nameUUIDFromBytes(("local-event-source-mapping-" + i).getBytes(StandardCharsets.UTF_8)).toString();
    }

    // -------------------------------------------------------------------- SQS

    /** Policy lives here; everything else goes to ElasticMQ as sent. */
    private void sqs(HttpExchange ex, String operation) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (operation.equals("GetQueueAttributes")) {
            ObjectNode req = (ObjectNode) JSON.readTree(body);
            String url = req.path("QueueUrl").asText();
            ArrayNode names = req.withArray("AttributeNames");
            boolean wantPolicy = false;
            for (int i = names.size() - 1; i >= 0; i--) {
                String n = names.get(i).asText();
                if (n.equals("Policy")) {
                    wantPolicy = true;
                    names.remove(i);
                } else if (n.equals("All")) {
                    wantPolicy = true;
                }
            }
            ObjectNode out = JSON.createObjectNode();
            if (!names.isEmpty()) {
                HttpResponse<byte[]> r = forward(ex, JSON.writeValueAsBytes(req));
                if (r.statusCode() != 200) {
                    relay(ex, r);
                    return;
                }
                out = (ObjectNode) JSON.readTree(r.body());
            }
            String policy = queuePolicies.get(url);
            if (wantPolicy && policy != null) out.withObject("Attributes").put("Policy", policy);
            sqsJson(ex, out);
            return;
        }
        if (operation.equals("SetQueueAttributes")) {
            ObjectNode req = (ObjectNode) JSON.readTree(body);
            JsonNode attributes = req.path("Attributes");
            if (attributes.has("Policy")) {
                setQueuePolicy(req.path("QueueUrl").asText(), attributes.get("Policy").asText());
                ((ObjectNode) attributes).remove("Policy");
                if (attributes.isEmpty()) {
                    sqsJson(ex, JSON.createObjectNode());
                    return;
                }
                body = JSON.writeValueAsBytes(req);
            }
        }
        relay(ex, forward(ex, body));
    }

    private HttpResponse<byte[]> forward(HttpExchange ex, byte[] body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sqsEndpoint + "/"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : List.of("Content-Type", "X-Amz-Target", "X-Amzn-Query-Mode")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) b.header(h, v);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void relay(HttpExchange ex, HttpResponse<byte[]> r) throws IOException {
        r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
        ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) ex.getResponseBody().write(r.body());
    }

    private static void sqsJson(HttpExchange ex, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    // ---------------------------------------------------------------- helpers

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange ex, int status, String type, String message) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(Map.of("message", message, "__type", type));
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("x-amzn-ErrorType", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            m.put(decode(eq < 0 ? part : part.substring(0, eq)), eq < 0 ? "" : decode(part.substring(eq + 1)));
        }
        return m;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        LoopbackHttpServer.stop(server);
        server = null;
        http.close();
    }
}
