package dev.iotbridge.local.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.iotbridge.contract.TopicFilter;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parser and evaluator for the subset of AWS IoT SQL (version 2016-03-23) that the bridge's rule
 * template and simple user conditions need.
 *
 * <p>Supported: {@code SELECT item[, item…] FROM '<topic filter>' [WHERE expr]}; items are
 * {@code *} or {@code expr [AS alias]}; expressions: string/number/boolean/null literals, payload
 * field references ({@code a.b.c}), parentheses, {@code = <> != < <= > >=}, {@code AND OR NOT},
 * and the functions {@code topic()}, {@code topic(n)}, {@code timestamp()}, {@code clientid()},
 * {@code encode(*, 'base64')}, {@code get_mqtt_property('content_type'|'format_indicator'|
 * 'response_topic'|'correlation_data')}, {@code get_user_properties()} and
 * {@code get_user_properties('key')}, {@code isUndefined(x)}, {@code isNull(x)}.
 * Everything else (other functions, arithmetic, CASE, object literals, nested SELECT) is
 * rejected at parse time with an {@link SqlException} that names what was not understood.
 *
 * <p>Semantics follow IoT: Undefined values are left out of the output object; comparisons with
 * Undefined are Undefined; WHERE passes only when it evaluates to {@code true}.
 */
public final class IotSql {

    public static final class SqlException extends RuntimeException {
        public SqlException(String msg) { super(msg); }
    }

    /** The Undefined value of IoT SQL. */
    public static final Object UNDEFINED = new Object() {
        @Override public String toString() { return "Undefined"; }
    };

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private static final Set<String> FUNCTIONS = Set.of("topic", "timestamp", "clientid", "encode",
            "get_mqtt_property", "get_user_properties", "get", "isundefined", "isnull");
    private static final Set<String> MQTT_PROPERTIES = Set.of("content_type", "format_indicator",
            "response_topic", "correlation_data");

    // ------------------------------------------------------------------ AST

    sealed interface Expr permits Lit, Field, Star, Call, Unary, Binary {}
    record Lit(Object value) implements Expr {}
    record Field(List<String> path) implements Expr {}
    record Star() implements Expr {}
    record Call(String name, List<Expr> args) implements Expr {}
    record Unary(String op, Expr e) implements Expr {}
    record Binary(String op, Expr l, Expr r) implements Expr {}
    record Item(Expr expr, String alias) {}

    /** A parsed statement. */
    public record Statement(List<Item> select, String from, Expr where) {

        /** Whether the FROM filter matches the message topic. */
        public boolean matchesTopic(String topic) {
            return TopicFilter.matches(from, topic);
        }

        /**
         * Evaluates the statement: empty when FROM does not match or WHERE is not true, else the
         * output JSON object.
         */
        public java.util.Optional<Map<String, Object>> evaluate(SourceMessage msg) {
            if (!matchesTopic(msg.topic())) return java.util.Optional.empty();
            Ctx ctx = new Ctx(msg);
            if (where != null && !Boolean.TRUE.equals(eval(where, ctx))) return java.util.Optional.empty();
            Map<String, Object> out = new LinkedHashMap<>();
            for (Item item : select) {
                if (item.expr() instanceof Star) {
                    Object payload = ctx.payloadJson();
                    if (!(payload instanceof Map<?, ?> obj)) {
                        throw new SqlException("SELECT * needs a JSON object payload; the payload on "
                                + msg.topic() + " is not one");
                    }
                    obj.forEach((k, v) -> out.put((String) k, v));
                    continue;
                }
                Object v = eval(item.expr(), ctx);
                if (v != UNDEFINED) out.put(item.alias(), v);
            }
            return java.util.Optional.of(out);
        }

        public String evaluateToJson(SourceMessage msg) {
            return evaluate(msg).map(IotSql::toJson).orElse(null);
        }
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ parsing

    public static Statement parse(String sql) {
        return new Parser(sql).statement();
    }

    private record Tok(String kind, String text, int pos) {}   // kind: id, str, num, op, eof

    private static final class Parser {
        private final String src;
        private final List<Tok> toks = new ArrayList<>();
        private int p;

        Parser(String src) {
            this.src = src;
            lex();
        }

        private void lex() {
            int i = 0;
            while (i < src.length()) {
                char c = src.charAt(i);
                if (Character.isWhitespace(c)) { i++; continue; }
                if (c == '-' && i + 1 < src.length() && src.charAt(i + 1) == '-') {   // -- comment
                    while (i < src.length() && src.charAt(i) != '\n') i++;
                    continue;
                }
                if (c == '\'' || c == '"') {
                    StringBuilder sb = new StringBuilder();
                    int j = i + 1;
                    while (true) {
                        if (j >= src.length()) throw err(i, "unterminated string literal");
                        char d = src.charAt(j);
                        if (d == '\\' && j + 1 < src.length()) { sb.append(src.charAt(j + 1)); j += 2; continue; }
                        if (d == c) break;
                        sb.append(d);
                        j++;
                    }
                    toks.add(new Tok("str", sb.toString(), i));
                    i = j + 1;
                    continue;
                }
                if (Character.isDigit(c)) {
                    int j = i;
                    while (j < src.length() && (Character.isDigit(src.charAt(j)) || src.charAt(j) == '.')) j++;
                    toks.add(new Tok("num", src.substring(i, j), i));
                    i = j;
                    continue;
                }
                if (Character.isLetter(c) || c == '_') {
                    int j = i;
                    while (j < src.length() && (Character.isLetterOrDigit(src.charAt(j)) || src.charAt(j) == '_')) j++;
                    toks.add(new Tok("id", src.substring(i, j), i));
                    i = j;
                    continue;
                }
                String two = i + 1 < src.length() ? src.substring(i, i + 2) : "";
                if (two.equals("<>") || two.equals("!=") || two.equals("<=") || two.equals(">=")) {
                    toks.add(new Tok("op", two, i));
                    i += 2;
                    continue;
                }
                if ("=<>(),.*".indexOf(c) >= 0) {
                    toks.add(new Tok("op", String.valueOf(c), i));
                    i++;
                    continue;
                }
                throw err(i, "unsupported character '" + c + "' (operators supported: = <> != < <= > >= AND OR NOT)");
            }
            toks.add(new Tok("eof", "", src.length()));
        }

        private SqlException err(int pos, String msg) {
            int from = Math.max(0, pos - 20);
            int to = Math.min(src.length(), pos + 20);
            return new SqlException("IoT SQL not understood by the local rules engine at offset " + pos + ": " + msg
                    + " … near «" + src.substring(from, to).replace('\n', ' ') + "»");
        }

        private Tok peek() { return toks.get(p); }
        private Tok next() { return toks.get(p++); }
        private boolean isKw(String kw) { return peek().kind().equals("id") && peek().text().equalsIgnoreCase(kw); }
        private boolean isOp(String op) { return peek().kind().equals("op") && peek().text().equals(op); }

        private void expectKw(String kw) {
            if (!isKw(kw)) throw err(peek().pos(), "expected " + kw + " but found '" + peek().text() + "'");
            p++;
        }

        private void expectOp(String op) {
            if (!isOp(op)) throw err(peek().pos(), "expected '" + op + "' but found '" + peek().text() + "'");
            p++;
        }

        Statement statement() {
            expectKw("SELECT");
            List<Item> items = new ArrayList<>();
            do {
                items.add(item(items.size()));
            } while (isOp(",") && next() != null);
            expectKw("FROM");
            Tok from = next();
            if (!from.kind().equals("str")) throw err(from.pos(), "FROM needs a quoted topic filter");
            String wildcards = TopicFilter.wildcardProblem(from.text());
            if (wildcards != null) throw err(from.pos(), "topic filter " + from.text() + ": " + wildcards);
            Expr where = null;
            if (isKw("WHERE")) {
                p++;
                where = expr();
            }
            if (!peek().kind().equals("eof")) throw err(peek().pos(), "unexpected '" + peek().text() + "'");
            return new Statement(List.copyOf(items), from.text(), where);
        }

        private Item item(int index) {
            if (isOp("*")) {
                p++;
                return new Item(new Star(), null);
            }
            int pos = peek().pos();
            Expr e = expr();
            if (isKw("AS")) {
                p++;
                Tok alias = next();
                if (!alias.kind().equals("id")) throw err(alias.pos(), "expected an alias after AS");
                return new Item(e, alias.text());
            }
            if (e instanceof Field f) return new Item(e, f.path().get(f.path().size() - 1));
            throw err(pos, "SELECT item " + (index + 1) + " needs an AS alias");
        }

        private Expr expr() { return or(); }

        private Expr or() {
            Expr l = and();
            while (isKw("OR")) { p++; l = new Binary("OR", l, and()); }
            return l;
        }

        private Expr and() {
            Expr l = not();
            while (isKw("AND")) { p++; l = new Binary("AND", l, not()); }
            return l;
        }

        private Expr not() {
            if (isKw("NOT")) { p++; return new Unary("NOT", not()); }
            return cmp();
        }

        private Expr cmp() {
            Expr l = primary();
            if (peek().kind().equals("op") && Set.of("=", "<>", "!=", "<", "<=", ">", ">=").contains(peek().text())) {
                String op = next().text();
                return new Binary(op.equals("!=") ? "<>" : op, l, primary());
            }
            if (peek().kind().equals("op") && peek().text().equals("*")) {
                throw err(peek().pos(), "arithmetic is not supported");
            }
            return l;
        }

        private Expr primary() {
            Tok t = next();
            switch (t.kind()) {
                case "str": return new Lit(t.text());
                case "num":
                    try {
                        return new Lit(new BigDecimal(t.text()));
                    } catch (NumberFormatException e) {
                        throw err(t.pos(), "bad number " + t.text());
                    }
                case "op":
                    if (t.text().equals("(")) {
                        Expr e = expr();
                        expectOp(")");
                        return e;
                    }
                    throw err(t.pos(), "unexpected '" + t.text() + "'");
                case "id":
                    String word = t.text().toLowerCase(Locale.ROOT);
                    if (isOp("(")) return call(t);
                    switch (word) {
                        case "true": return new Lit(Boolean.TRUE);
                        case "false": return new Lit(Boolean.FALSE);
                        case "null": return new Lit(null);
                        case "case", "select", "from", "where", "and", "or", "not", "as":
                            throw err(t.pos(), "unexpected keyword " + t.text());
                        default:
                    }
                    List<String> path = new ArrayList<>();
                    path.add(t.text());
                    while (isOp(".")) {
                        p++;
                        Tok seg = next();
                        if (!seg.kind().equals("id")) throw err(seg.pos(), "expected a field name after '.'");
                        path.add(seg.text());
                    }
                    return new Field(List.copyOf(path));
                default:
                    throw err(t.pos(), "unexpected end of statement");
            }
        }

        private Expr call(Tok nameTok) {
            String name = nameTok.text().toLowerCase(Locale.ROOT);
            if (!FUNCTIONS.contains(name)) {
                throw err(nameTok.pos(), "unsupported IoT SQL function '" + nameTok.text() + "()' (supported: "
                        + "topic, timestamp, clientid, encode, get_mqtt_property, get_user_properties, get, isUndefined, isNull)");
            }
            expectOp("(");
            List<Expr> args = new ArrayList<>();
            if (!isOp(")")) {
                do {
                    if (isOp("*")) { p++; args.add(new Star()); }
                    else args.add(expr());
                } while (isOp(",") && next() != null);
            }
            expectOp(")");
            checkArity(nameTok, name, args);
            return new Call(name, List.copyOf(args));
        }

        private void checkArity(Tok t, String name, List<Expr> args) {
            int n = args.size();
            boolean ok = switch (name) {
                case "timestamp", "clientid" -> n == 0;
                case "topic" -> n == 0 || (n == 1 && args.get(0) instanceof Lit l && l.value() instanceof BigDecimal);
                case "encode" -> n == 2 && args.get(1) instanceof Lit l && "base64".equals(l.value());
                case "get_mqtt_property" -> n == 1 && args.get(0) instanceof Lit l && l.value() instanceof String s
                        && MQTT_PROPERTIES.contains(s);
                case "get_user_properties" -> n == 0 || (n == 1 && !(args.get(0) instanceof Star));
                case "isundefined", "isnull" -> n == 1 && !(args.get(0) instanceof Star);
                case "get" -> n == 2 && !(args.get(0) instanceof Star) && !(args.get(1) instanceof Star);
                default -> false;
            };
            if (!ok) {
                throw err(t.pos(), "unsupported arguments for " + t.text() + "(): supported are topic(), topic(<n>), "
                        + "encode(*|expr, 'base64'), get_mqtt_property('content_type'|'format_indicator'|"
                        + "'response_topic'|'correlation_data'), get_user_properties([key]), get(array|object, index|key), "
                        + "isUndefined(x), isNull(x)");
            }
        }
    }

    // ------------------------------------------------------------------ evaluation

    private static final class Ctx {
        final SourceMessage msg;
        private Object payloadJson;
        private boolean parsed;

        Ctx(SourceMessage msg) { this.msg = msg; }

        Object payloadJson() {
            if (!parsed) {
                parsed = true;
                try {
                    JsonNode node = JSON.readTree(msg.payload());
                    payloadJson = node == null ? UNDEFINED : JSON.convertValue(node, Object.class);
                } catch (Exception e) {
                    payloadJson = UNDEFINED;
                }
            }
            return payloadJson;
        }
    }

    private static Object eval(Expr e, Ctx ctx) {
        if (e instanceof Lit l) return l.value();
        if (e instanceof Field f) {
            Object cur = ctx.payloadJson();
            for (String seg : f.path()) {
                if (cur instanceof Map<?, ?> m && m.containsKey(seg)) cur = m.get(seg);
                else return UNDEFINED;
            }
            return normalize(cur);
        }
        if (e instanceof Unary u) {
            Object v = eval(u.e(), ctx);
            return v instanceof Boolean b ? !b : UNDEFINED;
        }
        if (e instanceof Binary b) {
            if (b.op().equals("AND") || b.op().equals("OR")) {
                Object l = eval(b.l(), ctx);
                Object r = eval(b.r(), ctx);
                boolean and = b.op().equals("AND");
                if (l instanceof Boolean lb && lb != and) return !and;
                if (r instanceof Boolean rb && rb != and) return !and;
                if (l instanceof Boolean && r instanceof Boolean) return and;
                return UNDEFINED;
            }
            return compare(b.op(), eval(b.l(), ctx), eval(b.r(), ctx));
        }
        if (e instanceof Call c) return call(c, ctx);
        throw new SqlException("cannot evaluate " + e);
    }

    private static Object normalize(Object v) {
        if (v instanceof Number n && !(v instanceof BigDecimal)) return new BigDecimal(n.toString());
        return v;
    }

    private static Object compare(String op, Object l, Object r) {
        if (l == UNDEFINED || r == UNDEFINED) return UNDEFINED;
        if (op.equals("=") || op.equals("<>")) {
            boolean eq;
            if (l instanceof BigDecimal a && r instanceof BigDecimal b) eq = a.compareTo(b) == 0;
            else eq = java.util.Objects.equals(l, r);
            return op.equals("=") == eq;
        }
        int c;
        if (l instanceof BigDecimal a && r instanceof BigDecimal b) c = a.compareTo(b);
        else if (l instanceof String a && r instanceof String b) c = a.compareTo(b);
        else return UNDEFINED;
        return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            default -> throw new SqlException("unknown operator " + op);
        };
    }

    private static Object call(Call c, Ctx ctx) {
        SourceMessage m = ctx.msg;
        switch (c.name()) {
            case "topic": {
                if (c.args().isEmpty()) return m.topic();
                int n = ((BigDecimal) ((Lit) c.args().get(0)).value()).intValue();
                String[] levels = m.topic().split("/", -1);
                return n >= 1 && n <= levels.length ? levels[n - 1] : UNDEFINED;
            }
            case "timestamp": return BigDecimal.valueOf(m.timestamp());
            case "clientid": return m.clientId() == null ? UNDEFINED : m.clientId();
            case "encode": {
                Expr a = c.args().get(0);
                if (a instanceof Star) return Base64.getEncoder().encodeToString(m.payload());
                Object v = eval(a, ctx);
                if (v == UNDEFINED) return UNDEFINED;
                String s = v instanceof String str ? str : toJson(v);
                return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
            }
            case "get_mqtt_property": {
                if (!m.mqtt5()) return UNDEFINED;
                String name = (String) ((Lit) c.args().get(0)).value();
                return switch (name) {
                    case "content_type" -> m.contentType() == null ? UNDEFINED : m.contentType();
                    case "response_topic" -> m.responseTopic() == null ? UNDEFINED : m.responseTopic();
                    case "correlation_data" -> m.correlationData() == null ? UNDEFINED
                            : Base64.getEncoder().encodeToString(m.correlationData());
                    case "format_indicator" -> m.payloadFormatIndicator() != null && m.payloadFormatIndicator() == 1
                            ? "UTF8_DATA" : "UNSPECIFIED_BYTES";
                    default -> UNDEFINED;
                };
            }
            case "get_user_properties": {
                if (!m.mqtt5() || m.userProperties() == null || m.userProperties().isEmpty()) return UNDEFINED;
                if (c.args().isEmpty()) {
                    List<Object> all = new ArrayList<>();
                    for (Map.Entry<String, String> p : m.userProperties()) {
                        Map<String, Object> one = new LinkedHashMap<>();
                        one.put(p.getKey(), p.getValue());
                        all.add(one);
                    }
                    return all;
                }
                Object key = eval(c.args().get(0), ctx);
                if (!(key instanceof String k)) return UNDEFINED;
                List<Object> values = new ArrayList<>();
                for (Map.Entry<String, String> p : m.userProperties()) {
                    if (p.getKey().equals(k)) values.add(p.getValue());
                }
                return values.isEmpty() ? UNDEFINED : values;
            }
            case "get": {
                Object container = eval(c.args().get(0), ctx);
                Object index = eval(c.args().get(1), ctx);
                if (container instanceof List<?> list && index instanceof BigDecimal i) {
                    int k;
                    try {
                        k = i.intValueExact();
                    } catch (ArithmeticException ex) {
                        return UNDEFINED;
                    }
                    return k >= 0 && k < list.size() ? normalize(list.get(k)) : UNDEFINED;
                }
                if (container instanceof Map<?, ?> map && index instanceof String key) {
                    return map.containsKey(key) ? normalize(map.get(key)) : UNDEFINED;
                }
                return UNDEFINED;
            }
            case "isundefined": return eval(c.args().get(0), ctx) == UNDEFINED;
            case "isnull": {
                Object v = eval(c.args().get(0), ctx);
                return v == UNDEFINED ? UNDEFINED : v == null;
            }
            default: throw new SqlException("unsupported function " + c.name());
        }
    }
}
