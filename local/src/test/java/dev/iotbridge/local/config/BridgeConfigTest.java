package dev.iotbridge.local.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local settings file's routes pass the checks BRIDGE_ROUTES passes in the function (the contract's Routes). */
class BridgeConfigTest {
    @TempDir
    Path dir;

    BridgeConfig load(String routes) throws Exception {
        Path file = dir.resolve("bridge.local.json");
        Files.writeString(file, "{\"routes\": " + routes + "}");
        return BridgeConfig.load(file);
    }

    @Test
    void theRepositorysSettingsFileIsValid() {
        Path root = Path.of("").toAbsolutePath();
        Path file = Files.exists(root.resolve("bridge.local.json")) ? root.resolve("bridge.local.json")
                : root.resolve("local/bridge.local.json");
        assertEquals("ground", BridgeConfig.load(file).routes.get(0).name());
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
    void anUnknownKeyIsAnErrorHere() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> load("[{\"name\":\"a\",\"source_filter\":\"a/#\",\"add_prefx\":\"x/\"}]")).getMessage();
        assertTrue(msg.contains("unknown key 'add_prefx'"), msg);
    }

    @Test
    void defaultsAreTheContractsDefaults() throws Exception {
        var r = load("[{\"name\":\"a\",\"source_filter\":\"a/#\",\"qos\":null}]").routes.get(0);
        assertEquals(1, r.qos());
        assertEquals("", r.stripPrefix());
        assertEquals("a/b", r.mappedTopic("a/b").orElseThrow());
    }

    @Test
    void aMisspeltKeyIsAnErrorNamingItNotASilentDefault() throws Exception {
        Path file = dir.resolve("bridge.local.json");
        Files.writeString(file, "{\"routes\": [], \"queue\": {\"max_recieve_count\": 3}}");
        String msg = assertThrows(IllegalArgumentException.class, () -> BridgeConfig.load(file)).getMessage();
        assertTrue(msg.contains("unknown key queue.max_recieve_count") && msg.contains("max_receive_count"), msg);
        Files.writeString(file, "{\"routes\": [], \"event_source_mappings\": {}}");
        msg = assertThrows(IllegalArgumentException.class, () -> BridgeConfig.load(file)).getMessage();
        assertTrue(msg.contains("unknown key event_source_mappings"), msg);
        Files.writeString(file, "{\"routes\": [], \"ports\": 1883}");
        msg = assertThrows(IllegalArgumentException.class, () -> BridgeConfig.load(file)).getMessage();
        assertTrue(msg.contains("ports must be an object"), msg);
    }
}
