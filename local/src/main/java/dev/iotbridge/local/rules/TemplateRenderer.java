package dev.iotbridge.local.rules;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the subset of Terraform's {@code templatefile()} syntax that the rule SQL template may
 * use: {@code ${var}} interpolation of string variables, the {@code $${} / {@code %%{} escapes,
 * {@code %{ if <cond> }…%{ else }…%{ endif }} directives whose condition is {@code var},
 * {@code var == "literal"} or {@code var != "literal"} (optionally {@code !var}), and the
 * {@code ~} whitespace strip markers. Anything else (functions, for loops, unknown variables,
 * other expressions) fails with a {@link TemplateException}, so a template change the local stack
 * does not understand breaks a test instead of silently evaluating something else.
 */
public final class TemplateRenderer {

    public static final class TemplateException extends RuntimeException {
        public TemplateException(String msg) { super(msg); }
    }

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");
    private static final Pattern COND = Pattern.compile(
            "(!?)\\s*([A-Za-z_][A-Za-z0-9_-]*)\\s*(?:(==|!=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\")?");

    private TemplateRenderer() {}

    public static String render(String template, Map<String, String> vars) {
        StringBuilder out = new StringBuilder();
        // stack of "emitting?" flags for nested ifs; element = {parentEmitting, branchTaken, inElse}
        Deque<boolean[]> stack = new ArrayDeque<>();
        int i = 0;
        int n = template.length();
        boolean stripNextLeading = false;
        while (i < n) {
            char c = template.charAt(i);
            boolean emitting = stack.isEmpty() || stack.peek()[3];
            if ((c == '$' || c == '%') && i + 1 < n && template.charAt(i + 1) == c
                    && i + 2 < n && template.charAt(i + 2) == '{') {
                // escape: $${ -> ${ , %%{ -> %{
                if (emitting) out.append(c).append('{');
                i += 3;
                continue;
            }
            if ((c == '$' || c == '%') && i + 1 < n && template.charAt(i + 1) == '{') {
                int end = findClose(template, i + 2);
                String inner = template.substring(i + 2, end);
                boolean stripBefore = inner.startsWith("~");
                boolean stripAfter = inner.endsWith("~");
                String expr = inner.substring(stripBefore ? 1 : 0, inner.length() - (stripAfter ? 1 : 0)).trim();
                if (stripBefore) {
                    int k = out.length();
                    while (k > 0 && Character.isWhitespace(out.charAt(k - 1))) k--;
                    out.setLength(k);
                }
                if (c == '$') {
                    if (!IDENT.matcher(expr).matches()) {
                        throw new TemplateException("unsupported template interpolation ${" + expr
                                + "} (the local rules engine supports only ${variable})");
                    }
                    if (emitting) out.append(lookup(vars, expr));
                } else {
                    directive(expr, vars, stack);
                }
                i = end + 1;
                stripNextLeading = stripAfter;
                if (stripNextLeading) {
                    while (i < n && Character.isWhitespace(template.charAt(i))) i++;
                }
                continue;
            }
            if (emitting) out.append(c);
            i++;
        }
        if (!stack.isEmpty()) {
            throw new TemplateException("template has %{ if } without %{ endif }");
        }
        return out.toString();
    }

    private static void directive(String expr, Map<String, String> vars, Deque<boolean[]> stack) {
        if (expr.startsWith("if ") || expr.startsWith("if(")) {
            boolean parent = stack.isEmpty() || stack.peek()[3];
            boolean cond = condition(expr.substring(2).trim(), vars);
            // [parentEmitting, condValue, inElse, emittingNow]
            stack.push(new boolean[]{parent, cond, false, parent && cond});
        } else if (expr.equals("else")) {
            boolean[] top = stack.peek();
            if (top == null || top[2]) throw new TemplateException("unexpected %{ else }");
            top[2] = true;
            top[3] = top[0] && !top[1];
        } else if (expr.equals("endif")) {
            if (stack.isEmpty()) throw new TemplateException("unexpected %{ endif }");
            stack.pop();
        } else {
            throw new TemplateException("unsupported template directive %{ " + expr
                    + " } (the local rules engine supports if/else/endif only)");
        }
    }

    private static boolean condition(String cond, Map<String, String> vars) {
        Matcher m = COND.matcher(cond);
        if (!m.matches()) {
            throw new TemplateException("unsupported %{ if } condition '" + cond
                    + "' (supported: var, !var, var == \"…\", var != \"…\")");
        }
        String value = lookup(vars, m.group(2));
        boolean result;
        if (m.group(3) == null) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new TemplateException("%{ if " + cond + " }: variable " + m.group(2) + " is not a bool");
            }
            result = value.equals("true");
        } else {
            String lit = m.group(4).replace("\\\"", "\"").replace("\\\\", "\\");
            result = m.group(3).equals("==") == value.equals(lit);
        }
        return m.group(1).isEmpty() == result;
    }

    private static String lookup(Map<String, String> vars, String name) {
        String v = vars.get(name);
        if (v == null) {
            throw new TemplateException("template uses variable '" + name + "' which the local rules engine "
                    + "does not provide (provided: " + vars.keySet() + ")");
        }
        return v;
    }

    private static int findClose(String s, int from) {
        boolean inString = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '}') {
                return i;
            }
        }
        throw new TemplateException("unterminated template sequence starting at offset " + (from - 2));
    }
}
