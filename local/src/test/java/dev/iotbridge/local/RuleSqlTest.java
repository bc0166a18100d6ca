package dev.iotbridge.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.TopicFilter;
import dev.iotbridge.local.rules.IotSql;
import dev.iotbridge.local.rules.RulesEngine;
import dev.iotbridge.local.rules.SourceMessage;
import dev.iotbridge.local.rules.TemplateRenderer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule SQL template (the real file in terraform/) rendered and evaluated by the local rules
 * engine: a template change the evaluator does not understand fails here.
 */
class RuleSqlTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Route GROUND = Route.of("ground", "GROUND/v1/#", "", "");

    static Path template() {
        Path p = Path.of(System.getProperty("bridge.template", "../terraform/modules/source/templates/rule.sql.tftpl"));
        assertTrue(Files.isRegularFile(p), "the rule SQL template " + p.toAbsolutePath().normalize()
                + " is missing (see docs/envelope.md: terraform/modules/source/templates/rule.sql.tftpl)");
        return p;
    }

    static IotSql.Statement compile(Route r) {
        return RulesEngine.compile(template(), List.of(r)).get(0).statement();
    }

    static SourceMessage mqtt5(String topic, byte[] payload, List<Map.Entry<String, String>> ups) {
        return new SourceMessage(topic, payload, "gw-1", 1, false, true, "text/plain", 1,
                "GROUND/v1/site1/reply", "req-42".getBytes(StandardCharsets.UTF_8), ups, 1767225600123L);
    }

    static JsonNode eval(IotSql.Statement st, SourceMessage m) throws Exception {
        String json = st.evaluateToJson(m);
        return json == null ? null : JSON.readTree(json);
    }

    @Test
    void realTemplateRendersAndParsesForTheSampleRoute() {
        String sql = TemplateRenderer.render(readTemplate(), RulesEngine.templateVariables(GROUND)).strip();
        assertTrue(sql.contains("FROM 'GROUND/v1/#'"), sql);
        assertTrue(sql.contains("'ground'"), sql);
        assertFalse(sql.contains("${") || sql.contains("%{"), "unrendered template syntax: " + sql);
        IotSql.Statement st = IotSql.parse(sql);
        assertEquals("GROUND/v1/#", st.from());
    }

    /**
     * terraform/modules/source/tests/source.tftest.hcl asserts that Terraform's templatefile()
     * renders exactly these files for the same routes; here the local renderer must too.
     */
    @Test
    void localRendererProducesTheSqlTerraformRenders() throws Exception {
        Path rendered = template().getParent().getParent().resolve("tests/rendered");
        assertEquals(Files.readString(rendered.resolve("ground.sql")).strip(),
                TemplateRenderer.render(readTemplate(), RulesEngine.templateVariables(GROUND)).strip());
        assertEquals(Files.readString(rendered.resolve("alarms.sql")).strip(),
                TemplateRenderer.render(readTemplate(), RulesEngine.templateVariables(
                        Route.of("alarms", "SITE/+/alarm", "", "").withCondition("severity >= 3"))).strip());
    }

    @Test
    void mqtt5MessageGivesTheEnvelopeOfDocsEnvelopeMd() throws Exception {
        byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
        JsonNode env = eval(compile(GROUND), mqtt5("GROUND/v1/site1/cmd", payload,
                List.of(Map.entry("a", "1"), Map.entry("a", "2"), Map.entry("src", "gw"))));
        assertEquals(1, env.get("v").asInt());
        assertEquals("ground", env.get("route").asText());
        assertEquals("GROUND/v1/site1/cmd", env.get("topic").asText());
        assertEquals(Base64.getEncoder().encodeToString(payload), env.get("payload").asText());
        assertEquals(1767225600123L, env.get("ts").asLong());
        assertEquals("gw-1", env.get("clientId").asText());
        assertEquals("text/plain", env.get("contentType").asText());
        assertEquals("UTF8_DATA", env.get("payloadFormatIndicator").asText());
        assertEquals("GROUND/v1/site1/reply", env.get("responseTopic").asText());
        assertEquals(Base64.getEncoder().encodeToString("req-42".getBytes(StandardCharsets.UTF_8)),
                env.get("correlationData").asText());
        assertEquals(JSON.readTree("[{\"a\":\"1\"},{\"a\":\"2\"},{\"src\":\"gw\"}]"), env.get("userProperties"));
    }

    @Test
    void mqtt311MessageHasNoMqtt5FieldsAndBinaryPayloadIsExact() throws Exception {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        SourceMessage m = new SourceMessage("GROUND/v1/bin", all, "sensor-7", 0, false, false, null, null, null, null,
                List.of(), 1L);
        JsonNode env = eval(compile(GROUND), m);
        assertEquals(Base64.getEncoder().encodeToString(all), env.get("payload").asText());
        for (String f : List.of("contentType", "responseTopic", "correlationData", "userProperties", "payloadFormatIndicator")) {
            assertFalse(env.has(f), f + " must be omitted (Undefined) for MQTT 3.1.1: " + env);
        }
    }

    @Test
    void loopPreventionSkipsMessagesCarryingTheHopProperty() throws Exception {
        IotSql.Statement st = compile(GROUND);
        assertNull(eval(st, mqtt5("GROUND/v1/x", new byte[]{1}, List.of(Map.entry("iot-bridge-hop", "ground")))));
        assertNull(eval(st, mqtt5("GROUND/v1/x", new byte[]{1}, List.of(Map.entry("a", "b"), Map.entry("iot-bridge-hop", "")))));
        assertTrue(eval(st, mqtt5("GROUND/v1/x", new byte[]{1}, List.of(Map.entry("a", "b")))) != null);
    }

    @Test
    void fromFilterMatchesLikeMqtt() throws Exception {
        IotSql.Statement st = compile(GROUND);
        assertNull(eval(st, SourceMessage.simple("GROUND/v2/x", new byte[0])));
        assertNull(eval(st, SourceMessage.simple("other", new byte[0])));
        assertTrue(eval(st, SourceMessage.simple("GROUND/v1", new byte[0])) != null, "# matches the parent level");
        assertTrue(TopicFilter.matches("a/+/c", "a/b/c"));
        assertFalse(TopicFilter.matches("+/x", "$aws/x"));
    }

    @Test
    void routeConditionsWithSimpleComparisons() throws Exception {
        IotSql.Statement st = compile(GROUND.withCondition("temperature > 50 AND NOT (site = 'lab' OR topic(3) <> 'plant')"));
        byte[] hot = "{\"temperature\": 60, \"site\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        byte[] cold = "{\"temperature\": 10, \"site\": \"x\"}".getBytes(StandardCharsets.UTF_8);
        byte[] lab = "{\"temperature\": 60, \"site\": \"lab\"}".getBytes(StandardCharsets.UTF_8);
        assertTrue(eval(st, SourceMessage.simple("GROUND/v1/plant", hot)) != null);
        assertNull(eval(st, SourceMessage.simple("GROUND/v1/plant", cold)));
        assertNull(eval(st, SourceMessage.simple("GROUND/v1/plant", lab)));
        assertNull(eval(st, SourceMessage.simple("GROUND/v1/office", hot)));
        assertNull(eval(st, SourceMessage.simple("GROUND/v1/plant", "not json".getBytes(StandardCharsets.UTF_8))),
                "a field of a non-JSON payload is Undefined, so the comparison is not true");
        IotSql.Statement undef = compile(GROUND.withCondition("isUndefined(alarm) OR alarm = true"));
        assertTrue(eval(undef, SourceMessage.simple("GROUND/v1/a", "{}".getBytes(StandardCharsets.UTF_8))) != null);
        assertNull(eval(undef, SourceMessage.simple("GROUND/v1/a", "{\"alarm\":false}".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void unknownFunctionInTheTemplateFailsLoudly() {
        String changed = readTemplate().replace("topic() AS topic", "upper(topic()) AS topic");
        assertTrue(!changed.equals(readTemplate()), "the template no longer contains 'topic() AS topic'");
        IotSql.SqlException e = assertThrows(IotSql.SqlException.class, () -> RulesEngine.compile(changed, List.of(GROUND)));
        assertTrue(e.getMessage().contains("upper"), e.getMessage());
    }

    @Test
    void unsupportedSqlAndTemplateConstructsFailLoudly() {
        for (String bad : List.of(
                "SELECT a + 1 AS x FROM 't'",
                "SELECT CASE a WHEN 1 THEN 2 END AS x FROM 't'",
                "SELECT topic() FROM 't'",
                "SELECT * FROM 't' WHERE a LIKE 'x'",
                "SELECT get_mqtt_property('message_expiry') AS e FROM 't'",
                "SELECT encode(*, 'hex') AS e FROM 't'",
                "SELECT {'a': 1} AS o FROM 't'",
                "SELECT * FROM 'a/#/b'")) {
            assertThrows(IotSql.SqlException.class, () -> IotSql.parse(bad), bad);
        }
        Map<String, String> vars = RulesEngine.templateVariables(GROUND);
        assertThrows(TemplateRenderer.TemplateException.class,
                () -> TemplateRenderer.render("%{ for r in routes }x%{ endfor }", vars));
        assertThrows(TemplateRenderer.TemplateException.class,
                () -> TemplateRenderer.render("${upper(route_name)}", vars));
        assertThrows(TemplateRenderer.TemplateException.class,
                () -> TemplateRenderer.render("${account_id}", vars));
        assertThrows(TemplateRenderer.TemplateException.class,
                () -> TemplateRenderer.render("%{ if length(condition) > 0 }x%{ endif }", vars));
        assertThrows(IotSql.SqlException.class,
                () -> RulesEngine.compile(readTemplate(), List.of(GROUND.withCondition("temperature + 1 > 2"))));
    }

    @Test
    void templateDirectivesRenderLikeTerraform() {
        Map<String, String> vars = Map.of("a", "x", "c", "", "t", "true");
        assertEquals("1x2", TemplateRenderer.render("1${a}2", vars));
        assertEquals("[]", TemplateRenderer.render("[%{ if c != \"\" }(${c})%{ endif }]", vars));
        assertEquals("[no]", TemplateRenderer.render("[%{ if c != \"\" }yes%{ else }no%{ endif }]", vars));
        assertEquals("[yes]", TemplateRenderer.render("[%{ if t }yes%{ endif }]", vars));
        assertEquals("a ${b} %{c}", TemplateRenderer.render("a $${b} %%{c}", vars));
        assertEquals("ab", TemplateRenderer.render("a  %{~ if a == \"x\" ~}  b  %{~ endif ~}", vars));
    }

    private static String readTemplate() {
        try {
            return Files.readString(template());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
