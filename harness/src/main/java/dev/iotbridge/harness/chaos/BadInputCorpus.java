package dev.iotbridge.harness.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.iotbridge.contract.Route;
import dev.iotbridge.contract.Routes;
import dev.iotbridge.local.LocalBridgeStack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bad-input corpus (docs/reliability.md), read from its ONE source:
 * {@code function/src/test/resources/corpus/bad-inputs.json} (also read by the function's
 * {@code BadInputCorpusTest}). A case is the exact SQS record body: {@code body} as is, or
 * {@code envelope} serialised compactly; {@code fill} tokens are replaced by a character
 * repeated N times.
 */
public final class BadInputCorpus {

    public static final String PATH = "function/src/test/resources/corpus/bad-inputs.json";

    /** One case: {@code expect} is the BridgeErrorCode for a bad case, {@code expectTopic} the destination for a good one. */
    public record Case(String id, String body, String expect, String expectTopic, String why) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Envelopes are written with every non-ASCII character as a JSON escape: a case with an
     * unpaired surrogate (e.g. a response topic that is not UTF-8) is then a body SQS accepts,
     * as it would arrive from a rule, instead of raw text SQS refuses (InvalidMessageContents).
     */
    private static final ObjectMapper ESCAPING = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).build();

    public final List<Route> routes;
    public final List<Case> bad;
    public final List<Case> good;

    private BadInputCorpus(List<Route> routes, List<Case> bad, List<Case> good) {
        this.routes = routes;
        this.bad = bad;
        this.good = good;
    }

    /** Loads {@link #PATH} from the repository root ({@code -Dbridge.root} or the nearest parent with local/pom.xml). */
    public static BadInputCorpus load() {
        Path root = LocalBridgeStack.repoRoot();
        if (root == null) throw new IllegalStateException("cannot find the repository root (set -Dbridge.root)");
        return load(root.resolve(PATH));
    }

    public static BadInputCorpus load(Path file) {
        JsonNode doc;
        try {
            doc = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bad-input corpus " + file, e);
        }
        List<Route> routes;
        try {
            routes = Routes.fromTree(doc.get("routes")).withoutUnknownKeys().all();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": routes " + e.getMessage(), e);
        }
        return new BadInputCorpus(routes, cases(doc.get("bad")), cases(doc.get("good")));
    }

    private static List<Case> cases(JsonNode list) {
        List<Case> out = new ArrayList<>();
        for (JsonNode c : list) {
            String body = c.has("body") ? c.get("body").asText() : envelope(c.get("envelope"));
            JsonNode fill = c.get("fill");
            if (fill != null) {
                for (Map.Entry<String, JsonNode> e : fill.properties()) {
                    body = body.replace(e.getKey(), e.getValue().get(0).asText().repeat(e.getValue().get(1).asInt()));
                }
            }
            out.add(new Case(c.get("id").asText(), body, text(c, "expect"), text(c, "expectTopic"), text(c, "why")));
        }
        return out;
    }

    private static String envelope(JsonNode envelope) {
        try {
            return ESCAPING.writeValueAsString(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode c, String f) {
        JsonNode n = c.get(f);
        return n == null || n.isNull() ? null : n.asText();
    }
}
