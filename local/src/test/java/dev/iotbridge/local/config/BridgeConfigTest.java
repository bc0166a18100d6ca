package dev.iotbridge.local.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings file read into its records: the routes pass the checks BRIDGE_ROUTES passes in the
 * function (the contract's Routes), every other key has its documented default, and a misspelt
 * key or a value of the wrong type stops the start with the key's path and what is allowed.
 */
class BridgeConfigTest {
    static final String ROUTE = "{\"name\":\"a\",\"source_filter\":\"a/#\"}";

    @TempDir
    Path dir;

    BridgeConfig file(String json) throws Exception {
        Path file = dir.resolve("bridge.local.json");
        Files.writeString(file, json);
        return BridgeConfig.load(file);
    }

    BridgeConfig load(String routes) throws Exception {
        return file("{\"routes\": " + routes + "}");
    }

    String error(String json) {
        return assertThrows(IllegalArgumentException.class, () -> file(json)).getMessage();
    }

    @Test
    void theRepositorysSettingsFileIsValid() {
        Path root = Path.of("").toAbsolutePath();
        Path file = Files.exists(root.resolve("bridge.local.json")) ? root.resolve("bridge.local.json")
                : root.resolve("local/bridge.local.json");
        BridgeConfig c = BridgeConfig.load(file);
        assertEquals("ground", c.routes().get(0).name());
        assertEquals("canary", c.allRoutes().get(c.allRoutes().size() - 1).name(), "canary: true adds the canary route");
    }

    @Test
    void aRouteTheFunctionWouldRefuseStopsTheLocalStackToo() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> load("[{\"name\":\"a\",\"source_filter\":\"a/#/b\"}]")).getMessage();
        assertTrue(msg.contains("bridge.local.json: routes is invalid") && msg.contains("not a valid MQTT topic filter"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> load("[{\"name\":\"a\",\"source_filter\":\"GROUND/#\",\"strip_prefix\":\"AIR/\"}]")).getMessage();
        assertTrue(msg.contains("strip_prefix 'AIR/' must match the start of source_filter"), msg);
    }

    @Test
    void anUnknownKeyInARouteIsAnErrorHere() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> load("[{\"name\":\"a\",\"source_filter\":\"a/#\",\"add_prefx\":\"x/\"}]")).getMessage();
        assertTrue(msg.contains("unknown key 'add_prefx'"), msg);
    }

    @Test
    void routeDefaultsAreTheContractsDefaults() throws Exception {
        var r = load("[{\"name\":\"a\",\"source_filter\":\"a/#\",\"qos\":null}]").routes().get(0);
        assertEquals(1, r.qos());
        assertEquals("", r.stripPrefix());
        assertEquals("a/b", r.mappedTopic("a/b").orElseThrow());
    }

    @Test
    void everyOtherKeyLeftOutOrNullTakesTheDocumentedDefault() throws Exception {
        for (String json : new String[] {"{\"routes\": [" + ROUTE + "]}",
                "{\"routes\": [" + ROUTE + "], \"region\": null, \"ports\": {\"sqs\": null}, \"canary\": null, \"queue\": null,"
                        + " \"event_source_mapping\": {}, \"function\": {\"env\": null}, \"iot_data\": {\"latency_ms\": null}}"}) {
            BridgeConfig c = file(json);
            assertEquals("eu-west-1", c.region(), json);
            assertEquals(Ports.defaults(), c.ports());
            assertEquals(1883, c.ports().get(StackPort.SOURCE_MQTT));
            assertEquals(1884, c.ports().get(StackPort.DESTINATION_MQTT));
            assertEquals(9324, c.ports().get(StackPort.SQS));
            assertEquals(9001, c.ports().get(StackPort.RUNTIME_API));
            assertEquals(9080, c.ports().get(StackPort.IOT_DATA));
            assertEquals(9081, c.ports().get(StackPort.SOURCE_IOT_DATA));
            assertEquals(9082, c.ports().get(StackPort.CONTROL));
            assertNull(c.canary());
            assertEquals(new BridgeConfig.Queue("iot-bridge", "iot-bridge-dlq", 5, 30), c.queue());
            assertEquals(new BridgeConfig.EventSourceMapping(10, 0, null), c.eventSourceMapping());
            assertEquals(new BridgeConfig.Function("iot-bridge", 512, 10, "function/target/function.zip", Map.of()), c.function());
            assertEquals(new BridgeConfig.IotData(0, 0), c.iotData());
        }
    }

    @Test
    void aMisspeltKeyIsAnErrorNamingItsPathAndTheKeysAllowedThere() {
        String msg = error("{\"routes\": [" + ROUTE + "], \"queue\": {\"max_recieve_count\": 3}}");
        assertTrue(msg.contains("bridge.local.json: unknown key queue.max_recieve_count; the keys allowed in queue: "
                + "[dlq_name, max_receive_count, name, visibility_timeout_seconds]"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"event_source_mappings\": {}}");
        assertTrue(msg.contains("unknown key event_source_mappings; the keys allowed at the top level: [_comment, canary, "
                + "event_source_mapping, function, iot_data, ports, queue, region, routes]"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"function\": {\"memory\": 1024}}");
        assertTrue(msg.contains("unknown key function.memory; the keys allowed in function: [artifact, env, memory_mb, name, "
                + "timeout_seconds]"), msg);
    }

    @Test
    void aMisspeltPortIsAnErrorListingThePorts() {
        String msg = error("{\"routes\": [" + ROUTE + "], \"ports\": {\"source_mqt\": 1883}}");
        assertTrue(msg.contains("unknown key ports.source_mqt; the keys allowed in ports: [control, destination_mqtt, "
                + "iot_data, runtime_api, source_iot_data, source_mqtt, sqs]"), msg);
    }

    @Test
    void aValueOfTheWrongTypeIsAnErrorNamingTheTypeWanted() {
        String msg = error("{\"routes\": [" + ROUTE + "], \"ports\": 1883}");
        assertTrue(msg.contains("bridge.local.json: ports must be an object, not 1883"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"queue\": {\"max_receive_count\": \"5\"}}");
        assertTrue(msg.contains("queue.max_receive_count must be a whole number, not \"5\""), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"function\": {\"memory_mb\": 512.5}}");
        assertTrue(msg.contains("function.memory_mb must be a whole number, not 512.5"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"canary\": \"yes\"}");
        assertTrue(msg.contains("canary must be true or false"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"region\": 1}");
        assertTrue(msg.contains("region must be a string, not 1"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"function\": {\"env\": {\"A\": true}}}");
        assertTrue(msg.contains("function.env.A must be a string, not true"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"ports\": {\"sqs\": \"9324\"}}");
        assertTrue(msg.contains("ports.sqs must be a whole number, not \"9324\""), msg);
    }

    @Test
    void aValueOutOfRangeNamesItsPathAndTheRange() {
        String msg = error("{\"routes\": [" + ROUTE + "], \"ports\": {\"sqs\": 70000}}");
        assertTrue(msg.contains("ports.sqs = 70000: a TCP port is 1 to 65535, or 0 for a free one"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"queue\": {\"max_receive_count\": 0}}");
        assertTrue(msg.contains("queue.max_receive_count = 0: allowed are 1 to 1000"), msg);
        msg = error("{\"routes\": [" + ROUTE + "], \"function\": {\"timeout_seconds\": 901}}");
        assertTrue(msg.contains("function.timeout_seconds = 901: allowed are 1 to 900"), msg);
    }

    @Test
    void aFileWithoutRoutesOrWithAKeyTwiceIsRefused() {
        assertTrue(error("{\"region\": \"eu-west-1\"}").contains("routes is missing or empty"));
        String msg = error("{\"routes\": [" + ROUTE + "], \"region\": \"a\", \"region\": \"b\"}");
        assertTrue(msg.contains("region"), msg);
    }
}
