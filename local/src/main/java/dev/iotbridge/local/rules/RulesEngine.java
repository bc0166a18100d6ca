package dev.iotbridge.local.rules;

import dev.iotbridge.contract.Route;
import dev.iotbridge.local.Counters;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The source account's rules engine: one topic rule per route, its SQL rendered from the shared
 * template ({@code terraform/modules/source/templates/rule.sql.tftpl}) with the same variables
 * Terraform passes, and an SQS action that sends the SELECT output as the message body.
 * Evaluation errors and failed sends go to the "error action": logged and counted.
 */
public final class RulesEngine implements AutoCloseable {

    public static final String HOP_PROPERTY = "iot-bridge-hop";

    /** A rule: its route, rendered SQL and parsed statement. */
    public record Rule(Route route, String sql, IotSql.Statement statement) {}

    private final List<Rule> rules;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Counters counters;
    private final ExecutorService actions;
    private volatile Consumer<String> errorLog = s -> System.err.println("[rules] " + s);
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();
    private volatile Supplier<String> sendDenied = () -> null;

    public RulesEngine(List<Rule> rules, SqsClient sqs, String queueUrl, Counters counters, int actionThreads) {
        this.rules = List.copyOf(rules);
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.counters = counters;
        this.actions = Executors.newFixedThreadPool(Math.max(1, actionThreads), r -> {
            Thread t = new Thread(r, "rules-sqs-action");
            t.setDaemon(true);
            return t;
        });
    }

    /** Template variables for one route, the same ones Terraform's templatefile() gets. */
    public static Map<String, String> templateVariables(Route route) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("route_name", route.name());
        vars.put("source_filter", route.sourceFilter());
        vars.put("condition", route.condition());
        vars.put("hop_property", HOP_PROPERTY);
        return vars;
    }

    /** Renders and parses the template for each route; fails loudly on anything not understood. */
    public static List<Rule> compile(String template, List<Route> routes) {
        List<Rule> out = new ArrayList<>();
        for (Route r : routes) {
            // Terraform renders with templatefile() and then trimspace()
            String sql = TemplateRenderer.render(template, templateVariables(r)).strip();
            IotSql.Statement st;
            try {
                st = IotSql.parse(sql);
            } catch (IotSql.SqlException e) {
                throw new IotSql.SqlException("route " + r.name() + ": " + e.getMessage() + "\n--- rendered SQL ---\n" + sql);
            }
            if (!st.from().equals(r.sourceFilter())) {
                throw new IotSql.SqlException("route " + r.name() + ": rendered FROM '" + st.from()
                        + "' is not the route's source_filter '" + r.sourceFilter() + "'");
            }
            out.add(new Rule(r, sql, st));
        }
        return out;
    }

    public static List<Rule> compile(Path templateFile, List<Route> routes) {
        try {
            return compile(Files.readString(templateFile, StandardCharsets.UTF_8), routes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read rule SQL template " + templateFile + ": " + e, e);
        }
    }

    public List<Rule> rules() { return rules; }

    public void setErrorLog(Consumer<String> log) { this.errorLog = log; }

    /** Enables or disables the rule of a route (EnableTopicRule / DisableTopicRule): a disabled rule sees nothing. */
    public void setEnabled(String routeName, boolean enabled) {
        if (rules.stream().noneMatch(r -> r.route().name().equals(routeName))) {
            throw new IllegalArgumentException("no rule for route " + routeName);
        }
        if (enabled) disabled.remove(routeName);
        else disabled.add(routeName);
    }

    public boolean isEnabled(String routeName) { return !disabled.contains(routeName); }

    /**
     * Asked before every SQS action: null lets the send go ahead, otherwise the reason it is denied
     * (e.g. the queue policy does not admit the rule role), which goes to the error action instead.
     */
    public void setSendAuthorizer(Supplier<String> deniedReason) { sendDenied = deniedReason == null ? () -> null : deniedReason; }

    /** Called for every PUBLISH the source broker accepts (any thread; never blocks on SQS). */
    public void onPublish(SourceMessage msg) {
        for (Rule rule : rules) {
            if (!rule.statement().matchesTopic(msg.topic()) || disabled.contains(rule.route().name())) continue;
            String body;
            try {
                body = rule.statement().evaluateToJson(msg);
            } catch (RuntimeException e) {
                counters.ruleErrors.increment();
                errorLog.accept("rule " + rule.route().name() + " failed on " + msg.topic() + ": " + e.getMessage());
                continue;
            }
            if (body == null) {
                counters.ruleSkipped.increment();
                continue;
            }
            counters.ruleMatched.increment();
            actions.execute(() -> send(rule, body));
        }
    }

    private void send(Rule rule, String body) {
        String denied = sendDenied.get();
        if (denied != null) {
            counters.ruleErrors.increment();
            errorLog.accept("SQS action of rule " + rule.route().name() + " failed: AccessDenied: " + denied);
            return;
        }
        try {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
            counters.sentToQueue.increment();
        } catch (RuntimeException e) {
            counters.ruleErrors.increment();
            errorLog.accept("SQS action of rule " + rule.route().name() + " failed: " + e);
        }
    }

    @Override
    public void close() {
        actions.shutdown();
        try {
            actions.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        actions.shutdownNow();
    }
}
